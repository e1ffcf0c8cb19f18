import type {
  AggregateMetricV1,
  BenchmarkV1,
  LoadContextV1,
  PlanContextV1,
  SamplePlanV1,
  SampleResponsesV1,
  SampleScoreV1,
  SampleSourceV1,
  SampleV1,
  SandboxV1,
  ScoreContextV1,
  ScoredSampleV1,
} from '@evalchemy/core';
import { ConfigurationError } from '@evalchemy/core';
import { z } from 'zod';
import { CodeExecutor, type EvalPlusTask } from './code-executor.js';
import { chooseGenerationMode, type GenerationMode, samplingTemperature } from './code-options.js';
import { aggregateEvalPlus, scoreEvalPlusSolutions } from './evalplus-scoring.js';
import { aggregatePassAtK } from './pass-at-k.js';
import type { TestProgram } from './test-program.js';
import { isPassed } from './verdict.js';

/** The parsed options every code benchmark shares (`codeBenchmarkOptionsShape` plus `mode`). */
export interface CodeBenchmarkOptions {
  mode: 'auto' | GenerationMode;
  n: number;
  temperature?: number | undefined;
  k: number[];
  maxTokens?: number | undefined;
  memoryMb: number;
}

/** Generation limits of a code benchmark when the user sets none. */
export interface CodeGenerationDefaults {
  /** `maxTokens` of a chat request. */
  chatMaxTokens: number;
  /** `maxTokens` of a completion request. */
  completionMaxTokens: number;
  /** Stop sequences of a completion request. */
  stop: readonly string[];
}

/**
 * The glue of a sandboxed code benchmark: plans a chat instruction or a completion prompt from the options and
 * the backend, checks that scoring has generated text and a sandbox, and keeps one `CodeExecutor` per sandbox
 * (its concurrency limit must span every sample scored in that sandbox). Subclasses load data, build the two
 * prompts, turn replies into a score and aggregate.
 */
export abstract class CodeBenchmark<Data, Options extends CodeBenchmarkOptions>
  implements BenchmarkV1<Data, Options>
{
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly requirements = { sandbox: true };
  /** Evalchemy's `--debug` size for its code benchmarks (`examples[:2]` in each `eval_instruct.py`). */
  readonly debugLimit = 2;
  readonly primaryMetric: string = 'pass@1';
  abstract readonly id: string;
  abstract readonly version: string;
  abstract readonly description: string;
  abstract readonly optionsSchema: z.ZodType<Options>;
  /** Limits used when the options set none. */
  protected abstract readonly generation: CodeGenerationDefaults;
  readonly #executors = new WeakMap<object, CodeExecutor>();

  abstract doLoad(context: LoadContextV1<Options>): Promise<SampleSourceV1<Data>>;

  abstract doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: Options },
  ): Record<string, AggregateMetricV1>;

  /** The user turn of a chat request for this problem. */
  protected abstract chatPrompt(data: Data): string;

  /** The text a completion model continues for this problem. */
  protected abstract completionPrompt(data: Data): string;

  /**
   * Scores the first-turn replies of every generation.
   * @param chat whether the replies answer a chat request (else they continue the completion prompt).
   */
  protected abstract scoreReplies(
    data: Data,
    replies: readonly string[],
    chat: boolean,
    executor: CodeExecutor,
    context: ScoreContextV1<Options>,
  ): Promise<SampleScoreV1>;

  doPlan(sample: SampleV1<Data>, context: PlanContextV1<Options>): SamplePlanV1 {
    const options = context.options;
    const mode = chooseGenerationMode(options.mode, context.backend.capabilities, this.id);
    const temperature = samplingTemperature(options);
    if (mode === 'chat') {
      return {
        type: 'chat',
        turns: [this.chatPrompt(sample.data)],
        parameters: { maxTokens: options.maxTokens ?? this.generation.chatMaxTokens, temperature },
        generations: options.n,
      };
    }
    return {
      type: 'completion',
      prompt: this.completionPrompt(sample.data),
      parameters: {
        maxTokens: options.maxTokens ?? this.generation.completionMaxTokens,
        temperature,
        stop: [...this.generation.stop],
      },
      generations: options.n,
    };
  }

  async doScore(
    sample: SampleV1<Data>,
    responses: SampleResponsesV1,
    context: ScoreContextV1<Options>,
  ): Promise<SampleScoreV1> {
    if (responses.type !== 'generate') throw new ConfigurationError(`${this.id} needs generated text.`);
    if (context.sandbox === undefined) throw new ConfigurationError(`${this.id} needs a sandbox.`);
    const replies = responses.generations.map((turns) => turns[0]?.text ?? '');
    return this.scoreReplies(
      sample.data,
      replies,
      context.plan.type === 'chat',
      this.#executor(context.sandbox),
      context,
    );
  }

  #executor(sandbox: SandboxV1): CodeExecutor {
    let executor = this.#executors.get(sandbox);
    if (executor === undefined) {
      executor = new CodeExecutor(sandbox);
      this.#executors.set(sandbox, executor);
    }
    return executor;
  }
}

/**
 * Runs one test program per generation and scores the sample as human-eval and Evalchemy do: pass@1 is the
 * share of passing programs; `details.correct` and `details.n` feed pass@k.
 */
export async function scoreTestPrograms(
  executor: CodeExecutor,
  codes: readonly string[],
  programs: readonly TestProgram[],
  options: { timeoutSeconds: number; memoryMb: number; signal: AbortSignal },
): Promise<SampleScoreV1> {
  const outcomes = await executor.runPrograms(programs, options);
  const correct = outcomes.filter((outcome) => isPassed(outcome.verdict)).length;
  return {
    metrics: { 'pass@1': correct / Math.max(1, outcomes.length) },
    extracted: [...codes],
    details: { n: outcomes.length, correct, verdicts: outcomes.map((outcome) => outcome.verdict) },
  };
}

/** Options of the evalplus benchmarks (HumanEval+, MBPP+): per-input time limits as evalplus sets them. */
export const evalPlusOptionsShape = {
  /** Floor of every per-input time limit, seconds (evalplus `min_time_limit`, 4.0 in current evalplus). */
  minTimeLimitSeconds: z.number().positive().default(4),
  /** Per-input limit as a multiple of the canonical solution's time (evalplus `gt_time_limit_factor`). */
  timeLimitFactor: z.number().positive().default(4),
};

/** The parsed options of an evalplus benchmark. */
export interface EvalPlusBenchmarkOptions extends CodeBenchmarkOptions {
  minTimeLimitSeconds: number;
  timeLimitFactor: number;
}

/** What an evalplus benchmark keeps of each task. */
export interface EvalPlusProblem {
  /** `HumanEval/0`, `Mbpp/2`. */
  taskId: string;
  /** evalplus's prompt: the function signature and docstring. */
  prompt: string;
  entryPoint: string;
  canonicalSolution: string;
  /** The task's unparsed line of the evalplus file (its inputs go to the sandbox as they are). */
  record: string;
}

/**
 * A code benchmark scored as evalplus scores it: every solution against the base and plus inputs, with
 * `pass@k`, `pass@k_base` and `pass@k_plus` over the corpus. Subclasses say how a reply becomes a solution.
 */
export abstract class EvalPlusCodeBenchmark<
  Data extends EvalPlusProblem,
  Options extends EvalPlusBenchmarkOptions,
> extends CodeBenchmark<Data, Options> {
  /** evalplus's dataset name, which selects the input decoding and the special oracles. */
  protected abstract readonly evalPlusDataset: EvalPlusTask['dataset'];

  /** The solution evalplus runs for one reply. */
  protected abstract solution(problem: Data, reply: string, chat: boolean): string;

  protected scoreReplies(
    problem: Data,
    replies: readonly string[],
    chat: boolean,
    executor: CodeExecutor,
    context: ScoreContextV1<Options>,
  ): Promise<SampleScoreV1> {
    return scoreEvalPlusSolutions(
      executor,
      { taskId: problem.taskId, dataset: this.evalPlusDataset, record: problem.record },
      replies.map((reply) => this.solution(problem, reply, chat)),
      {
        signal: context.signal,
        memoryMb: context.options.memoryMb,
        minTimeLimitSeconds: context.options.minTimeLimitSeconds,
        timeLimitFactor: context.options.timeLimitFactor,
      },
    );
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: Options },
  ): Record<string, AggregateMetricV1> {
    return aggregateEvalPlus(samples, context.options.k);
  }
}

/** Options of the benchmarks that run one test program per generation (HumanEval, MBPP). */
export const testProgramOptionsShape = {
  /** Wall-clock limit of one test program, seconds (3, as human-eval's executor in Evalchemy and code_eval). */
  timeoutSeconds: z.number().positive().default(3),
};

/** The parsed options of a test-program benchmark. */
export interface TestProgramBenchmarkOptions extends CodeBenchmarkOptions {
  timeoutSeconds: number;
}

/**
 * A code benchmark that runs one test program per generation (the candidate, then the problem's asserts) and
 * reports pass@k as human-eval estimates it. Subclasses say how a reply becomes code and code a program.
 */
export abstract class TestProgramCodeBenchmark<
  Data,
  Options extends TestProgramBenchmarkOptions,
> extends CodeBenchmark<Data, Options> {
  /** The code taken from one reply (recorded as the extracted answer). */
  protected abstract code(problem: Data, reply: string, chat: boolean): string;

  /** The Python program that passes exactly when `code` passes the problem's tests. */
  protected abstract program(problem: Data, code: string, chat: boolean): TestProgram;

  protected scoreReplies(
    problem: Data,
    replies: readonly string[],
    chat: boolean,
    executor: CodeExecutor,
    context: ScoreContextV1<Options>,
  ): Promise<SampleScoreV1> {
    const codes = replies.map((reply) => this.code(problem, reply, chat));
    return scoreTestPrograms(
      executor,
      codes,
      codes.map((code) => this.program(problem, code, chat)),
      {
        timeoutSeconds: context.options.timeoutSeconds,
        memoryMb: context.options.memoryMb,
        signal: context.signal,
      },
    );
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: Options },
  ): Record<string, AggregateMetricV1> {
    return aggregatePassAtK(samples, { ks: context.options.k, countKey: 'correct' });
  }
}
