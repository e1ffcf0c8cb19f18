import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ExecutionLimitsV1,
  ExecutionResultV1,
  LoggerV1,
  SandboxProgramV1,
  SandboxV1,
} from '@evalchemy/core';
import { SandboxError } from '@evalchemy/core';
import { bubblewrapArguments, limitedCommand, sandboxEnvironment } from './bubblewrap-arguments.js';
import { oldBubblewrapMessage, probeBubblewrap } from './probe-bubblewrap.js';
import type { ProcessSandboxOptions } from './process-options.js';
import { runConfined } from './run-confined.js';
import { Semaphore } from './semaphore.js';
import { systemVIpcFilter } from './system-v-ipc-filter.js';
import { VERSION } from './version.js';

const nobody = 65534;
const defaultMaxOutputBytes = 1024 * 1024;

/**
 * Runs each program in a fresh bubblewrap sandbox (or, with `unsafe_no_isolation`, as a plain child process
 * under rlimits). When evalchemy itself runs as root, the sandbox is started as uid 65534 so that the kernel
 * enforces the process limit, which it never does for root.
 */
export class ProcessSandbox implements SandboxV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id = 'process';
  readonly version = VERSION;
  readonly concurrency: number;
  private readonly semaphore: Semaphore;
  private readonly dropToNobody = process.getuid?.() === 0;
  private bubblewrapProbe: Promise<void> | undefined;
  private bubblewrapPath: string | undefined;
  private unsafeProcessLimit: Promise<number> | undefined;

  constructor(
    private readonly options: ProcessSandboxOptions,
    log: LoggerV1,
  ) {
    this.concurrency = options.concurrency;
    this.semaphore = new Semaphore(options.concurrency);
    if (options.unsafe_no_isolation) {
      log.warn(
        'process sandbox: unsafe_no_isolation is set: generated code runs WITHOUT isolation (it can read your ' +
          'files and use the network); only rlimits, a clean environment and a temporary directory apply.',
      );
    }
  }

  async doStart(): Promise<void> {
    if (this.options.unsafe_no_isolation) {
      this.unsafeProcessLimit ??= this.computeUnsafeProcessLimit();
      await this.unsafeProcessLimit;
      return;
    }
    this.bubblewrapProbe ??= probeBubblewrap(this.options.bwrap_path).then((probe) => {
      if (probe === undefined) {
        throw new SandboxError(`process sandbox: bubblewrap (${this.options.bwrap_path}) could not be run.`);
      }
      if (!probe.modern) throw new SandboxError(oldBubblewrapMessage(probe.path));
      this.bubblewrapPath = probe.path;
    });
    await this.bubblewrapProbe;
  }

  async doExecute(
    program: SandboxProgramV1,
    limits: ExecutionLimitsV1,
    options: { signal: AbortSignal },
  ): Promise<ExecutionResultV1> {
    if (program.language !== 'python') {
      throw new SandboxError(`process sandbox: unsupported language "${String(program.language)}".`);
    }
    await this.doStart();
    const release = await this.semaphore.acquire(options.signal);
    try {
      return this.options.unsafe_no_isolation
        ? await this.executeUnsafe(program, limits, options.signal)
        : await this.executeIsolated(program, limits, options.signal);
    } finally {
      release();
    }
  }

  async doStop(): Promise<void> {}

  describe(): Record<string, unknown> {
    return {
      isolation: this.options.unsafe_no_isolation ? 'none (rlimits only)' : 'bubblewrap',
      python: this.options.python,
      concurrency: this.concurrency,
      memoryMb: this.options.memory_mb,
      maxProcesses: this.options.max_processes,
      maxFileSizeMb: this.options.max_file_size_mb,
      workDirectorySizeMb: this.options.work_directory_size_mb,
      extraReadOnlyPaths: this.options.extra_read_only_paths,
    };
  }

  private plan(limits: ExecutionLimitsV1) {
    return {
      python: this.options.python,
      memoryMb: limits.memoryMb ?? this.options.memory_mb,
      // CPU time cannot exceed wall time for one thread; the rlimit backs up the wall-clock kill.
      cpuSeconds: Math.max(1, Math.ceil(limits.timeoutMs / 1000) + 1),
      maxProcesses: this.options.max_processes,
      maxFileSizeMb: this.options.max_file_size_mb,
      workDirectorySizeMb: this.options.work_directory_size_mb,
      extraReadOnlyPaths: this.options.extra_read_only_paths,
    };
  }

  private async executeIsolated(
    program: SandboxProgramV1,
    limits: ExecutionLimitsV1,
    signal: AbortSignal,
  ): Promise<ExecutionResultV1> {
    const filter = systemVIpcFilter();
    return runConfined({
      file: this.bubblewrapPath!,
      args: bubblewrapArguments({ ...this.plan(limits), seccompFd: filter === undefined ? undefined : 4 }),
      // bwrap's own environment stays readable in the sandbox's /proc/1/environ, so it gets nothing of ours.
      env: { PATH: sandboxEnvironment.PATH! },
      cwd: '/',
      uid: this.dropToNobody ? nobody : undefined,
      gid: this.dropToNobody ? nobody : undefined,
      stdin: program.stdin ?? '',
      files: filter === undefined ? [program.source] : [program.source, filter],
      timeoutMs: limits.timeoutMs,
      maxOutputBytes: limits.maxOutputBytes ?? defaultMaxOutputBytes,
      signal,
    });
  }

  private async executeUnsafe(
    program: SandboxProgramV1,
    limits: ExecutionLimitsV1,
    signal: AbortSignal,
  ): Promise<ExecutionResultV1> {
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-sandbox-'));
    try {
      await writeFile(join(directory, 'main.py'), program.source);
      if (this.dropToNobody) {
        await chown(directory, nobody, nobody);
        await chown(join(directory, 'main.py'), nobody, nobody);
      }
      const maxProcesses = await this.unsafeProcessLimit!;
      const [file, ...args] = limitedCommand({ ...this.plan(limits), maxProcesses }, ['main.py']);
      return await runConfined({
        file: file!,
        args,
        env: { ...sandboxEnvironment },
        cwd: directory,
        uid: this.dropToNobody ? nobody : undefined,
        gid: this.dropToNobody ? nobody : undefined,
        stdin: program.stdin ?? '',
        timeoutMs: limits.timeoutMs,
        maxOutputBytes: limits.maxOutputBytes ?? defaultMaxOutputBytes,
        signal,
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  // Without a user namespace RLIMIT_NPROC counts every task of the user on the host, so the limit is the
  // user's current count plus room for every concurrent execution.
  private async computeUnsafeProcessLimit(): Promise<number> {
    const uid = this.dropToNobody ? nobody : (process.getuid?.() ?? nobody);
    const existing = await countTasksOfUser(uid);
    return existing + this.options.max_processes * this.options.concurrency + 16;
  }
}

async function countTasksOfUser(uid: number): Promise<number> {
  let count = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const owner = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      const threads = /^Threads:\s+(\d+)/m.exec(status)?.[1];
      if (owner !== undefined && Number(owner) === uid) count += Number(threads ?? 1);
    } catch {
      // The process ended while we looked.
    }
  }
  return count;
}
