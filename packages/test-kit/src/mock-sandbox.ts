import type { ExecutionLimitsV1, ExecutionResultV1, SandboxProgramV1, SandboxV1 } from '@evalchemy/core';

/** A scripted execution result: the program's stdout alone (exit code 0), or a result with defaults for the rest. */
export type MockExecutionAnswer = string | Partial<ExecutionResultV1>;

export interface MockSandboxSettings {
  /** Plugin id. Default `mock`. */
  id?: string;
  /** Plugin version. Default `0.0.0`. */
  version?: string;
  /** Executions it claims to run at once. Default 1. */
  concurrency?: number;
  /**
   * The result of every execution, or a function of the program, its limits and the 0-based arrival index (it
   * may throw, e.g. a `SandboxError`, for a sandbox that failed). Default: exit code 0 and no output.
   */
  execute?:
    | MockExecutionAnswer
    | ((
        program: SandboxProgramV1,
        limits: ExecutionLimitsV1,
        index: number,
      ) => MockExecutionAnswer | Promise<MockExecutionAnswer>);
}

/** A `SandboxV1` answering from a script, with what it was given. */
export interface MockSandbox extends SandboxV1 {
  /** Every program executed, in arrival order. */
  readonly programs: SandboxProgramV1[];
}

/** A sandbox that runs nothing: each execution's result comes from a script. */
export function createMockSandbox(settings: MockSandboxSettings = {}): MockSandbox {
  const programs: SandboxProgramV1[] = [];
  const id = settings.id ?? 'mock';
  const concurrency = settings.concurrency ?? 1;
  return {
    specificationVersion: 'v1',
    id,
    version: settings.version ?? '0.0.0',
    concurrency,
    programs,
    async doExecute(program, limits, { signal }) {
      signal.throwIfAborted();
      const index = programs.push(program) - 1;
      const script = settings.execute;
      const answer = typeof script === 'function' ? await script(program, limits, index) : (script ?? {});
      return {
        exitCode: 0,
        signal: null,
        timedOut: false,
        stdout: '',
        stderr: '',
        outputTruncated: false,
        durationMs: 0,
        ...(typeof answer === 'string' ? { stdout: answer } : answer),
      };
    },
    describe: () => ({ id, concurrency }),
  };
}
