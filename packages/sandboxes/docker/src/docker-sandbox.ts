import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type {
  ExecutionLimitsV1,
  ExecutionResultV1,
  LoggerV1,
  SandboxProgramV1,
  SandboxV1,
} from '@evalchemy/core';
import { SandboxError } from '@evalchemy/core';
import { CappedOutput, splitExitStatus } from '@evalchemy/sandbox-kit';
import Docker from 'dockerode';
import type { DockerSandboxOptions } from './docker-options.js';
import { VERSION } from './version.js';

/** Label on every sandbox container; `docker ps -a --filter label=evalchemy.sandbox=1` finds leftovers. */
export const sandboxLabel = 'evalchemy.sandbox';
/** Label holding the id of the sandbox instance (one run) that created the container. */
export const runLabel = 'evalchemy.run';

const nobody = '65534:65534';
const environment = ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8', 'PYTHONDONTWRITEBYTECODE=1'];
const defaultMaxOutputBytes = 1024 * 1024;
// Time the engine gets beyond the in-container `timeout` before the container counts as wedged.
const hostGraceMs = 10_000;

// PID 1 of each container: reaps orphans (so killed programs do not pile up as zombies against the pids
// limit) and, being PID 1 of the namespace, survives the `kill -9 -1` that clears up after each program.
const reaper =
  'import os, time\nwhile True:\n    try:\n        os.waitpid(-1, 0)\n    except ChildProcessError:\n        time.sleep(0.2)\n';
const setupScript = 'd=$(mktemp -d /work/run.XXXXXX) && cat > "$d/main.py" && printf %s "$d"';
// HOME is set by the engine for every exec; the program gets none, as in the process sandbox.
const runScript =
  'cd "$1" || exit 125\nunset HOME\nexec timeout -s KILL "$2" prlimit --as="$3" --fsize=67108864 --core=0 --nofile=256 -- "$4" main.py';
const cleanupScript = 'kill -9 -1 2>/dev/null\ncd / && rm -rf "$1"\nexit 0';
// Setup, run and cleanup in one exec (each exec is a round trip through the engine), with the source as an
// argument. A setup failure prints the execution's token so that it cannot be mistaken for the program's
// own output. The program may kill this shell; the separate cleanup then runs.
const combinedScript = [
  'mkdir -m 700 "$1" && cd "$1" && printf %s "$5" > main.py || { echo "$6" >&2; exit 125; }',
  'unset HOME',
  'timeout -s KILL "$2" prlimit --as="$3" --fsize=67108864 --core=0 --nofile=256 -- "$4" main.py',
  'status=$?',
  'kill -9 -1 2>/dev/null',
  'cd / && rm -rf "$1"',
  'exit $status',
].join('\n');
// Linux caps one argument at 128 KiB (MAX_ARG_STRLEN); larger sources go through stdin in a separate exec.
const maxArgumentBytes = 120 * 1024;

interface Worker {
  container: Docker.Container;
}

interface ExecOutcome {
  exitCode: number | null;
  stdout: CappedOutput;
  stderr: CappedOutput;
  /** True when the host-side deadline or the abort signal ended the wait. */
  interrupted: boolean;
}

class ContainerGoneError extends Error {}

/**
 * A pool of long-lived, locked-down containers (no network, read-only root, tmpfs /work, memory, pids and CPU
 * limits, no capabilities, uid 65534); each program runs as a fresh `exec` in a fresh directory of /work.
 * A container that died or wedged is replaced.
 */
export class DockerSandbox implements SandboxV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'docker';
  readonly version = VERSION;
  readonly concurrency: number;
  /** Value of the `evalchemy.run` label on this sandbox's containers. */
  readonly runId = randomUUID();
  private readonly docker: Docker;
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private starting: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly options: DockerSandboxOptions,
    private readonly log: LoggerV1,
    docker?: Docker,
  ) {
    this.concurrency = options.concurrency;
    this.docker = docker ?? new Docker();
  }

  async doStart(_options?: { signal: AbortSignal }): Promise<void> {
    this.starting ??= (async () => {
      try {
        const workers = await Promise.all(
          Array.from({ length: this.concurrency }, () => this.createWorker()),
        );
        for (const worker of workers) this.release(worker);
      } catch (error) {
        await this.doStop();
        throw new SandboxError(
          `docker sandbox: could not start containers from image "${this.options.image}": ${describe(error)}`,
          { cause: error },
        );
      }
    })();
    await this.starting;
  }

  async doExecute(
    program: SandboxProgramV1,
    limits: ExecutionLimitsV1,
    options: { signal: AbortSignal },
  ): Promise<ExecutionResultV1> {
    if (program.language !== 'python') {
      throw new SandboxError(`docker sandbox: unsupported language "${String(program.language)}".`);
    }
    if (this.stopped) throw new SandboxError('docker sandbox: doExecute after doStop.');
    await this.doStart();
    let worker = await this.acquire(options.signal);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await this.executeIn(worker, program, limits, options.signal);
          if (result.wedged) worker = await this.replace(worker);
          options.signal.throwIfAborted();
          return result.result;
        } catch (error) {
          if (options.signal.aborted || this.stopped) throw error;
          if (!(error instanceof ContainerGoneError) && (await this.isRunning(worker))) {
            throw new SandboxError(`docker sandbox: execution failed: ${describe(error)}`, { cause: error });
          }
          this.log.warn(`docker sandbox: container ${worker.container.id.slice(0, 12)} died; replacing it.`);
          worker = await this.replace(worker);
          if (attempt >= 1)
            throw new SandboxError('docker sandbox: a fresh container died too.', { cause: error });
        }
      }
    } finally {
      this.release(worker);
    }
  }

  /** Removes every container of this sandbox. Safe to call more than once and after a failed start. */
  async doStop(): Promise<void> {
    this.stopped = true;
    const labelled = await this.docker
      .listContainers({ all: true, filters: { label: [`${runLabel}=${this.runId}`] } })
      .catch(() => []);
    const ids = new Set([...labelled.map((c) => c.Id), ...[...this.workers].map((w) => w.container.id)]);
    this.workers.clear();
    this.idle.length = 0;
    await Promise.all([...ids].map((id) => removeContainer(this.docker.getContainer(id))));
  }

  describe(): Record<string, unknown> {
    return {
      isolation: 'docker',
      image: this.options.image,
      concurrency: this.concurrency,
      memoryMb: this.options.memory_mb,
      pidsLimit: this.options.pids_limit,
      cpus: this.options.cpus,
      workDirectorySizeMb: this.options.work_directory_size_mb,
    };
  }

  private async executeIn(
    worker: Worker,
    program: SandboxProgramV1,
    limits: ExecutionLimitsV1,
    signal: AbortSignal,
  ): Promise<{ result: ExecutionResultV1; wedged: boolean }> {
    const memoryBytes = String((limits.memoryMb ?? this.options.memory_mb) * 1024 * 1024);
    const seconds = (limits.timeoutMs / 1000).toFixed(3);
    const maxOutputBytes = limits.maxOutputBytes ?? defaultMaxOutputBytes;
    const deadlineMs = limits.timeoutMs + hostGraceMs;
    let started: number;
    let run: ExecOutcome;
    const inline = Buffer.byteLength(program.source) <= maxArgumentBytes && !program.source.includes('\0');
    const id = randomUUID();
    const directory = `/work/run.${id}`;
    if (inline) {
      const token = `evalchemy-setup-failed-${id}`;
      started = performance.now();
      run = await this.exec(
        worker,
        [
          'sh',
          '-c',
          combinedScript,
          'sh',
          directory,
          seconds,
          memoryBytes,
          this.options.python,
          program.source,
          token,
        ],
        program.stdin ?? '',
        maxOutputBytes,
        deadlineMs,
        signal,
      );
      if (run.exitCode === 125 && run.stderr.text().startsWith(token)) {
        throw new ContainerGoneError(`could not create a work directory: ${run.stderr.text().trim()}`);
      }
    } else {
      const setup = await this.exec(
        worker,
        ['sh', '-c', setupScript],
        program.source,
        64 * 1024,
        60_000,
        signal,
      );
      const created = setup.stdout.text();
      if (setup.exitCode !== 0 || !created.startsWith('/work/run.')) {
        throw new ContainerGoneError(`could not create a work directory: ${setup.stderr.text().trim()}`);
      }
      started = performance.now();
      run = await this.exec(
        worker,
        ['sh', '-c', runScript, 'sh', created, seconds, memoryBytes, this.options.python],
        program.stdin ?? '',
        maxOutputBytes,
        deadlineMs,
        signal,
      );
      if (!run.interrupted) await this.cleanUp(worker, created, signal);
    }
    const durationMs = Math.round(performance.now() - started);
    const status = splitExitStatus(run.exitCode);
    // The inline script cleans up after itself unless the program killed it (or the program was killed:
    // the two look alike from here).
    if (inline && !run.interrupted && status.signal !== null) await this.cleanUp(worker, directory, signal);
    // `timeout -s KILL` ends a program that ran out of time with status 137, like the OOM killer; the
    // clock tells them apart.
    const timedOut = run.interrupted || (status.signal === 'SIGKILL' && durationMs >= limits.timeoutMs);
    return {
      wedged: run.interrupted,
      result: {
        exitCode: timedOut ? null : status.exitCode,
        signal: timedOut ? 'SIGKILL' : status.signal,
        timedOut,
        stdout: run.stdout.text(),
        stderr: run.stderr.text(),
        outputTruncated: run.stdout.truncated || run.stderr.truncated,
        durationMs,
      },
    };
  }

  private async cleanUp(worker: Worker, directory: string, signal: AbortSignal): Promise<void> {
    await this.exec(
      worker,
      ['sh', '-c', cleanupScript, 'sh', directory],
      undefined,
      64 * 1024,
      60_000,
      signal,
    );
  }

  private async exec(
    worker: Worker,
    command: string[],
    stdin: string | undefined,
    maxOutputBytes: number,
    deadlineMs: number,
    signal: AbortSignal,
  ): Promise<ExecOutcome> {
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream;
    try {
      exec = await worker.container.exec({
        Cmd: command,
        User: nobody,
        Env: environment,
        WorkingDir: '/work',
        AttachStdin: stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
      });
      stream = (await exec.start({ hijack: true, stdin: stdin !== undefined })) as NodeJS.ReadWriteStream;
    } catch (error) {
      throw new ContainerGoneError(describe(error), { cause: error });
    }
    const stdout = new CappedOutput(maxOutputBytes);
    const stderr = new CappedOutput(maxOutputBytes);
    this.docker.modem.demuxStream(stream, sink(stdout), sink(stderr));
    stream.on('error', () => {});
    if (stdin !== undefined) stream.end(stdin);
    let interrupted = false;
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', interrupt);
        resolve();
      };
      const interrupt = (): void => {
        interrupted = true;
        finish();
      };
      const timer = setTimeout(interrupt, deadlineMs);
      signal.addEventListener('abort', interrupt, { once: true });
      stream.once('end', finish);
      stream.once('close', finish);
      stream.once('error', finish);
    });
    if (interrupted) {
      (stream as unknown as { destroy(): void }).destroy();
      return { exitCode: null, stdout, stderr, interrupted };
    }
    const info = await exec.inspect().catch((error: unknown) => {
      throw new ContainerGoneError(describe(error), { cause: error });
    });
    if (info.Running) return { exitCode: null, stdout, stderr, interrupted: true };
    return { exitCode: info.ExitCode ?? null, stdout, stderr, interrupted };
  }

  private async createWorker(): Promise<Worker> {
    const megabytes = (n: number): number => n * 1024 * 1024;
    const container = await this.docker.createContainer({
      Image: this.options.image,
      Cmd: [this.options.python, '-c', reaper],
      User: nobody,
      Env: environment,
      WorkingDir: '/work',
      Labels: { [sandboxLabel]: '1', [runLabel]: this.runId },
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        Tmpfs: {
          '/work': `rw,exec,nosuid,nodev,size=${this.options.work_directory_size_mb}m,uid=65534,gid=65534,mode=0700`,
          '/tmp': 'rw,nosuid,nodev,size=64m,uid=65534,gid=65534,mode=0700',
        },
        Memory: megabytes(this.options.memory_mb),
        MemorySwap: megabytes(this.options.memory_mb),
        PidsLimit: this.options.pids_limit,
        NanoCpus: Math.round(this.options.cpus * 1e9),
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        IpcMode: 'private',
        Ulimits: [{ Name: 'core', Soft: 0, Hard: 0 }],
      },
    });
    const worker: Worker = { container };
    this.workers.add(worker);
    await container.start();
    return worker;
  }

  private async replace(worker: Worker): Promise<Worker> {
    this.workers.delete(worker);
    await removeContainer(worker.container);
    if (this.stopped) return worker;
    return this.createWorker();
  }

  private async isRunning(worker: Worker): Promise<boolean> {
    try {
      return (await worker.container.inspect()).State.Running;
    } catch {
      return false;
    }
  }

  private acquire(signal: AbortSignal): Promise<Worker> {
    signal.throwIfAborted();
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve, reject) => {
      const grant = (granted: Worker): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(granted);
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal.reason);
      };
      this.waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(worker: Worker): void {
    if (this.stopped || !this.workers.has(worker)) return;
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }
}

function sink(output: CappedOutput): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output.push(chunk);
      callback();
    },
  });
}

async function removeContainer(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch {
    // Already gone.
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
