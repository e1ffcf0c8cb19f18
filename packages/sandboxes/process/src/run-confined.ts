import type { ExecutionResultV1 } from '@evalchemy/core';
import { SandboxError } from '@evalchemy/core';
import { CappedOutput, splitExitStatus } from '@evalchemy/sandbox-kit';
import { execa } from 'execa';

/** How to start one confined process and what to feed it. */
export interface ConfinedCommand {
  file: string;
  args: string[];
  /** Complete environment; nothing of the host's is inherited. */
  env: Record<string, string>;
  cwd: string;
  uid?: number | undefined;
  gid?: number | undefined;
  stdin: string;
  /** Contents of file descriptors 3, 4, … (read by bubblewrap's `--file 3 …`, `--seccomp 4`). */
  files?: readonly (string | Uint8Array)[] | undefined;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
}

// After the main process has exited, a descendant that escaped the process group may still hold the pipes
// open; we stop listening after this long rather than waiting for it.
const pipeGraceMs = 2_000;

/**
 * Runs a command in its own process group, kills the whole group with SIGKILL at the deadline or on abort,
 * and keeps at most `maxOutputBytes` of stdout and of stderr each.
 */
export async function runConfined(command: ConfinedCommand): Promise<ExecutionResultV1> {
  command.signal.throwIfAborted();
  const started = performance.now();
  const subprocess = execa(command.file, command.args, {
    env: command.env,
    extendEnv: false,
    cwd: command.cwd,
    ...(command.uid !== undefined ? { uid: command.uid } : {}),
    ...(command.gid !== undefined ? { gid: command.gid } : {}),
    stdio: ['pipe', 'pipe', 'pipe', ...(command.files ?? []).map(() => 'pipe' as const)],
    buffer: false,
    reject: false,
    detached: true,
    cleanup: true,
    killSignal: 'SIGKILL',
    forceKillAfterDelay: false,
    stripFinalNewline: false,
  });

  let timedOut = false;
  let aborted = false;
  const killTree = (): void => {
    if (subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
    subprocess.kill('SIGKILL');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, command.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    killTree();
  };
  command.signal.addEventListener('abort', onAbort, { once: true });

  const stdout = new CappedOutput(command.maxOutputBytes);
  const stderr = new CappedOutput(command.maxOutputBytes);
  const collecting = Promise.all([stdout.collect(subprocess.stdout), stderr.collect(subprocess.stderr)]);

  feed(subprocess.stdin, command.stdin);
  (command.files ?? []).forEach((contents, index) => {
    feed(subprocess.stdio[3 + index] as NodeJS.WritableStream | null, contents);
  });

  let graceTimer: NodeJS.Timeout | undefined;
  subprocess.nodeChildProcess.once('exit', () => {
    graceTimer = setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    }, pipeGraceMs);
  });

  try {
    const result = await subprocess;
    await collecting;
    if (aborted) command.signal.throwIfAborted();
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      throw new SandboxError(`Could not start ${command.file}: ${result.shortMessage}`, {
        cause: result.cause,
      });
    }
    const status =
      result.signal !== undefined
        ? { exitCode: null, signal: result.signal }
        : splitExitStatus(result.exitCode ?? null);
    return {
      exitCode: timedOut ? null : status.exitCode,
      signal: timedOut ? 'SIGKILL' : status.signal,
      timedOut,
      stdout: stdout.text(),
      stderr: stderr.text(),
      outputTruncated: stdout.truncated || stderr.truncated,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    command.signal.removeEventListener('abort', onAbort);
    killTree();
  }
}

function feed(stream: NodeJS.WritableStream | null | undefined, text: string | Uint8Array): void {
  if (!stream) return;
  // The program may exit without reading its input; the resulting EPIPE is not an error of the sandbox.
  stream.on('error', () => {});
  stream.end(text);
}
