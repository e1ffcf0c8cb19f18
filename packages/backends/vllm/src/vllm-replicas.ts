// The vLLM server processes: started each in a process group of its own (vLLM's engine and tensor-parallel
// workers are its children), watched until healthy, and stopped group by group on every exit path.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { EvalchemyError, type LoggerV1 } from '@evalchemy/core';
import { execa } from 'execa';

/** One `vllm serve` process and what it is serving on. */
export interface Replica {
  readonly index: number;
  /** CUDA_VISIBLE_DEVICES of the replica. */
  readonly gpus: readonly string[];
  readonly port: number;
  readonly logFile: string;
  /** Its pid, which is also its process group's id (it is started detached). Undefined until it is spawned. */
  pid: number | undefined;
  /** Set once the process has exited: its exit code, or the signal that ended it. */
  exit: { code: number | undefined; signal: string | undefined } | undefined;
  /** Resolves when the process has exited (at once when it never started). */
  exited: Promise<void>;
  /** True once it answered /health and listed the model. */
  ready: boolean;
}

export interface ReplicaSettings {
  binary: string;
  model: string;
  groups: readonly (readonly string[])[];
  /** `vllm` arguments for a port. */
  argumentsFor: (port: number) => string[];
  env: Record<string, string | undefined>;
  startupTimeoutMs: number;
  stopTimeoutMs: number;
  log: LoggerV1;
}

const pollIntervalMs = 500;
const tailLines = 20;

/** Starts, watches and stops the replicas of one backend. */
export class ReplicaSet {
  readonly replicas: Replica[] = [];
  readonly #settings: ReplicaSettings;
  #stopping = false;
  /** Kills every group still alive when the process exits without doStop (a second Ctrl-C, process.exit). */
  readonly #exitHook = () => {
    for (const replica of this.replicas) signalGroup(replica, 'SIGKILL');
  };

  constructor(settings: ReplicaSettings) {
    this.#settings = settings;
  }

  /**
   * Starts every replica and resolves when each answers `GET /health` with 200 and lists the model on
   * `GET /v1/models`. Rejects at once when one exits first (with the last lines of its log), when the
   * startup timeout passes, or when `signal` aborts; everything started is stopped before it rejects.
   */
  async start(signal: AbortSignal, directory: string): Promise<void> {
    signal.throwIfAborted();
    process.on('exit', this.#exitHook);
    try {
      const ports = await freePorts(this.#settings.groups.length);
      signal.throwIfAborted();
      for (const [index, gpus] of this.#settings.groups.entries()) {
        this.replicas.push(this.#spawn(index, gpus, ports[index]!, directory));
      }
      const waiting = new AbortController();
      const waitSignal = AbortSignal.any([signal, waiting.signal]);
      const deadline = Date.now() + this.#settings.startupTimeoutMs;
      try {
        await Promise.all(
          this.replicas.map((replica) => this.#waitUntilReady(replica, deadline, waitSignal)),
        );
      } finally {
        waiting.abort();
      }
    } catch (error) {
      await this.stop();
      throw signal.aborted ? signal.reason : error;
    }
  }

  /**
   * SIGTERM to every replica's process group, SIGKILL to the groups still there after the grace period; resolves
   * when no process of any group is left. Safe to call at any time, more than once.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    const alive = () => this.replicas.filter(groupAlive);
    for (const replica of alive()) signalGroup(replica, 'SIGTERM');
    const graceEnd = Date.now() + this.#settings.stopTimeoutMs;
    while (alive().length > 0 && Date.now() < graceEnd) await delay(100);
    for (const replica of alive()) signalGroup(replica, 'SIGKILL');
    const killEnd = Date.now() + 10_000;
    while (alive().length > 0 && Date.now() < killEnd) await delay(50);
    // An unreferenced timer: a pending wait must not keep evalchemy from exiting once all is stopped.
    await Promise.race([
      Promise.all(this.replicas.map((replica) => replica.exited)),
      delay(5_000, undefined, { ref: false }),
    ]);
    const left = alive();
    if (left.length > 0) {
      this.#settings.log.warn(
        `vLLM replica process group${left.length > 1 ? 's' : ''} ${left.map((replica) => replica.pid).join(', ')} ` +
          'did not end after SIGKILL (a process stuck in the kernel); check with `ps -g <pgid>`.',
      );
      return;
    }
    process.off('exit', this.#exitHook);
  }

  #spawn(index: number, gpus: readonly string[], port: number, directory: string): Replica {
    const logFile = join(directory, `vllm-replica-${index}.log`);
    const replica: Replica = {
      index,
      gpus,
      port,
      logFile,
      pid: undefined,
      exit: undefined,
      exited: Promise.resolve(),
      ready: false,
    };
    const descriptor = openSync(logFile, 'w');
    try {
      const subprocess = execa(this.#settings.binary, this.#settings.argumentsFor(port), {
        // A group of its own: SIGTERM/SIGKILL reach vLLM's workers too, and Ctrl-C in a terminal (sent to the
        // foreground group) reaches only evalchemy, which then stops the replicas in order.
        detached: true,
        cleanup: false,
        reject: false,
        buffer: false,
        stdin: 'ignore',
        // The log file's descriptor itself, not a pipe through this process: the replica keeps logging (and is
        // not killed by a broken pipe) whatever happens to evalchemy. execa's types list only standard ones.
        stdout: descriptor as 1,
        stderr: descriptor as 1,
        extendEnv: false,
        env: { ...this.#settings.env, CUDA_VISIBLE_DEVICES: gpus.join(',') },
      });
      replica.pid = subprocess.pid;
      replica.exited = subprocess.then(
        (result) => {
          replica.exit = { code: result.exitCode, signal: result.signal };
          if (replica.ready && !this.#stopping) {
            this.#settings.log.warn(
              `vLLM replica ${index} (GPUs ${gpus.join(',')}) exited while serving (${exitText(replica)}); ` +
                `its requests go to the other replicas. Last lines of ${logFile}:\n${lastLines(logFile)}`,
            );
          }
        },
        () => {
          replica.exit = { code: undefined, signal: undefined };
        },
      );
    } finally {
      closeSync(descriptor);
    }
    return replica;
  }

  async #waitUntilReady(replica: Replica, deadline: number, signal: AbortSignal): Promise<void> {
    const describeReplica = `vLLM replica ${replica.index} (GPUs ${replica.gpus.join(',')}, port ${replica.port})`;
    for (;;) {
      signal.throwIfAborted();
      if (replica.pid === undefined || replica.exit !== undefined) {
        throw new EvalchemyError(
          `${describeReplica} exited before it was ready (${exitText(replica)}). ` +
            `Last lines of ${replica.logFile}:\n${lastLines(replica.logFile)}`,
        );
      }
      if (await isReady(replica.port, this.#settings.model, signal)) {
        replica.ready = true;
        return;
      }
      if (Date.now() >= deadline) {
        throw new EvalchemyError(
          `${describeReplica} was not ready after startup_timeout_s=${this.#settings.startupTimeoutMs / 1000} ` +
            `(no 200 from /health with ${this.#settings.model} listed on /v1/models). Its output is in ` +
            `${replica.logFile}; last lines:\n${lastLines(replica.logFile)}`,
        );
      }
      await Promise.race([
        delay(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(
          () => undefined,
        ),
        replica.exited,
      ]);
    }
  }
}

/** Whether the server on `port` answers /health with 200 and lists `model` on /v1/models. */
async function isReady(port: number, model: string, signal: AbortSignal): Promise<boolean> {
  const base = `http://127.0.0.1:${port}`;
  const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(10_000)]);
  try {
    const health = await fetch(`${base}/health`, { signal: requestSignal });
    await health.arrayBuffer();
    if (health.status !== 200) return false;
    const models = await fetch(`${base}/v1/models`, { signal: requestSignal });
    if (models.status !== 200) return false;
    const body = (await models.json()) as { data?: { id?: unknown; root?: unknown }[] };
    return (body.data ?? []).some((entry) => entry.id === model || entry.root === model);
  } catch {
    if (signal.aborted) throw signal.reason;
    return false;
  }
}

/** Whether any process of the replica's group is still there (a zombie leader counts until reaped). */
function groupAlive(replica: Replica): boolean {
  if (replica.pid === undefined) return false;
  try {
    process.kill(-replica.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(replica: Replica, signal: NodeJS.Signals): void {
  if (replica.pid === undefined) return;
  try {
    process.kill(-replica.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function exitText(replica: Replica): string {
  if (replica.pid === undefined) return 'it could not be started';
  if (replica.exit?.signal) return `ended by ${replica.exit.signal}`;
  return `exit code ${replica.exit?.code ?? 'unknown'}`;
}

/** The last lines of a replica's log, indented, for an error message. */
export function lastLines(logFile: string, count: number = tailLines): string {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return '  (the log could not be read)';
  }
  const lines = text.trimEnd().split('\n').slice(-count);
  return lines.length === 1 && lines[0] === ''
    ? '  (the log is empty)'
    : lines.map((line) => `  ${line}`).join('\n');
}

/** `count` distinct free TCP ports on 127.0.0.1, found by binding port 0 (all held open together, then closed). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolvePort, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolvePort(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}
