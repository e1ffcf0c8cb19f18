import type { z } from 'zod';
import type { LoggerV1 } from './logger.js';

/** A program to run in a sandbox. */
export interface SandboxProgramV1 {
  /** Interpreter. Only Python exists today. */
  language: 'python';
  /** Source of the main file. */
  source: string;
  /** Text passed on standard input. */
  stdin?: string;
}

/** Limits for one execution. */
export interface ExecutionLimitsV1 {
  /** Wall-clock limit in milliseconds; the process tree is killed when it passes. */
  timeoutMs: number;
  /** Address-space limit in MiB. Default: the sandbox's own (at least 1024). */
  memoryMb?: number;
  /** Bytes kept of stdout and of stderr each; the rest is dropped and `outputTruncated` set. Default 1 MiB. */
  maxOutputBytes?: number;
}

/** What happened to a program. A program that failed, crashed or timed out is a result, not an exception. */
export interface ExecutionResultV1 {
  /** Exit code, or null when the process was killed by a signal. */
  exitCode: number | null;
  /** Signal that killed the process, e.g. `SIGKILL`. */
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr was cut at `maxOutputBytes`. */
  outputTruncated: boolean;
  /** Wall-clock duration in milliseconds. */
  durationMs: number;
}

/**
 * Runs untrusted code isolated from the host: no network, no host environment (API keys, HOME), a read-only
 * root, a fresh working directory per execution. Lifecycle as for backends: `doStart` once, `doExecute`
 * concurrently up to `concurrency`, `doStop` once on every exit path.
 */
export interface SandboxV1 {
  readonly specificationVersion: 'v1';
  readonly id: string;
  readonly version: string;
  /** How many executions may run at once. */
  readonly concurrency: number;
  doStart?(options: { signal: AbortSignal }): Promise<void>;
  /** Throws `SandboxError` only when the sandbox itself failed; the program's own failure is a result. */
  doExecute(
    program: SandboxProgramV1,
    limits: ExecutionLimitsV1,
    options: { signal: AbortSignal },
  ): Promise<ExecutionResultV1>;
  doStop?(): Promise<void>;
  describe(): Record<string, unknown>;
}

/** The default export of a sandbox plugin's entry module. */
export interface SandboxProviderV1<Options = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  readonly kind: 'sandbox';
  readonly id: string;
  readonly version: string;
  readonly optionsSchema: z.ZodType<Options>;
  /** Resolves whether this sandbox can run on this machine; a string says why not and how to fix it. */
  checkAvailable(options: Options): Promise<true | string>;
  createSandbox(options: Options, context: { log: LoggerV1 }): SandboxV1;
}
