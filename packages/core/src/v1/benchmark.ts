import type { z } from 'zod';
import type { BackendCapabilitiesV1 } from './backend.js';
import type { DatasetResolverV1 } from './dataset.js';
import type {
  ChatMessageV1,
  FinishReasonV1,
  GenerationParametersV1,
  LoglikelihoodResultV1,
  TokenUsageV1,
  WarningV1,
} from './generation.js';
import type { JudgeRoleV1, JudgeV1 } from './judge.js';
import type { LoggerV1 } from './logger.js';
import type { SandboxV1 } from './sandbox.js';

/** Per-sample facts recorded in the samples file and available to aggregation (subject, category, difficulty). */
export type SampleMetadataV1 = Record<string, string | number | boolean | null>;

/** One item of a benchmark's dataset. */
export interface SampleV1<Data = unknown> {
  /** The dataset's own id as a string (`HumanEval/0`, MT-Bench `question_id`, IFEval `key`), else the 0-based row index. */
  id: string;
  /** What the benchmark needs to build the prompt and to score. Recorded in the samples file only via `metadata`. */
  data: Data;
  metadata?: SampleMetadataV1;
}

/** The samples of one run of a benchmark, streamed. */
export interface SampleSourceV1<Data = unknown> {
  /** Number of samples `samples` yields (before the user's `--limit`), for progress. */
  size: number;
  samples: AsyncIterable<SampleV1<Data>> | Iterable<SampleV1<Data>>;
  /**
   * For a task that is a group of subtasks (lm-evaluation-harness's `mmlu` of 57 subjects, `hendrycks_math` of
   * 7): the number of samples of each subtask, in the order `samples` yields them (one subtask after another;
   * they sum to `size`). The user's `--limit` (and `--debug`) then applies to each subtask, as lm-eval applies
   * it to each task of a group: `--limit 10` runs the first 10 samples of every subtask. Optional: without it
   * the limit takes the first samples of the whole task.
   */
  subtaskSizes?: readonly number[];
  /**
   * What `doAggregate` needs from loading besides the scored samples (alpaca_eval's gamed baselines for its
   * length-controlled fit), handed back to it as `context.loaded`. Kept in memory for the whole task.
   */
  loaded?: unknown;
}

/**
 * What to ask the model for one sample. The runner turns a plan into backend requests, applies the user's
 * overrides (`--max_tokens`, `--seed`, `--system_instruction`), sends them through the cache, and hands the
 * responses to `doScore`.
 */
export type SamplePlanV1 =
  | {
      /**
       * A chat conversation. Each entry of `turns` is a user message; the runner sends turn i with the
       * model's own answers to turns 0..i-1 in the conversation (multi-turn, as MT-Bench).
       */
      type: 'chat';
      /** System message. Replaced by the user's `--system_instruction` when given. */
      system?: string;
      /** Fixed messages before the first turn (few-shot exemplars as user/assistant pairs). */
      history?: ChatMessageV1[];
      turns: string[];
      parameters: GenerationParametersV1;
      /** Independent generations of the whole conversation (n samples for pass@k, repeats); default 1. Generation i gets seed `seed + i`. */
      generations?: number;
    }
  | {
      /** A raw text prompt the model continues (base models, completion endpoints). */
      type: 'completion';
      prompt: string;
      parameters: GenerationParametersV1;
      /** As for chat. */
      generations?: number;
    }
  | {
      /** Log-likelihood of each continuation given the context (multiple-choice scoring). */
      type: 'loglikelihood';
      context: string;
      continuations: string[];
    };

/** The model's answer to one turn of one generation. */
export interface TurnResponseV1 {
  text: string;
  finishReason: FinishReasonV1;
  usage?: TokenUsageV1;
  warnings: WarningV1[];
}

/** Everything the model answered for one sample. */
export type SampleResponsesV1 =
  | {
      type: 'generate';
      /** `generations[g][t]`: generation g, turn t. */
      generations: TurnResponseV1[][];
    }
  | {
      type: 'loglikelihood';
      /** One result per continuation, in the plan's order. */
      results: LoglikelihoodResultV1[];
    };

/** A scorer's verdict on one sample. */
export interface SampleScoreV1 {
  /**
   * Per-sample value of each metric (1/0 for accuracy, a 1–10 rating). `null`: the metric does not apply to
   * this sample (an unparsable judgment) and is left out of the mean.
   */
  metrics: Record<string, number | null>;
  /** The answer(s) extracted from the response, for the samples file. */
  extracted?: unknown;
  /** Anything else worth keeping per sample (judge output, test verdicts, reasoning traces). */
  details?: Record<string, unknown>;
  warnings?: WarningV1[];
  /**
   * What the scorer saw of its judges' verdicts for this sample, by role (a key of `requirements.judges`).
   * The runner sums it per task into the results' judge audit (`tasks.<task>.judge_audit.<role>`).
   */
  judgeAudit?: Record<string, JudgeVerdictAuditV1>;
}

/** Verdict counts of one judge role for one sample (see `SampleScoreV1.judgeAudit`). */
export interface JudgeVerdictAuditV1 {
  /** Verdicts the judge gave (parsed or not), after the retries the reference implementation does. */
  verdicts: number;
  /** Of those, verdicts the scorer could not parse (none of the reference's patterns matched). */
  unparsable: number;
  /**
   * Pairwise judging in both orders: pairs judged as (A, B) and again as (B, A) with both verdicts parsed.
   * Omit (or 0) for judging in one order.
   */
  swappedPairs?: number;
  /**
   * Of `swappedPairs`, those whose verdict survives the swap: the same answer preferred (or a tie both
   * times), whatever the strength (`A>>B` and `B<A` agree).
   */
  consistentPairs?: number;
}

/** What aggregation sees of a scored sample: the samples' scores, without data or responses (bounded memory). */
export interface ScoredSampleV1 {
  id: string;
  metadata: SampleMetadataV1;
  metrics: Record<string, number | null>;
  details?: Record<string, unknown>;
}

/** One corpus-level metric: its value and, where defined, the standard error of that value. */
export interface AggregateMetricV1 {
  value: number;
  stderr?: number;
}

/** Context of `doPlan`. */
export interface PlanContextV1<Options> {
  options: Options;
  /** What the selected backend supports; a benchmark picks chat or completion or loglikelihood from it. */
  backend: { id: string; modelId: string; capabilities: BackendCapabilitiesV1 };
}

/** Context of `doLoad`. */
export interface LoadContextV1<Options> {
  options: Options;
  datasets: DatasetResolverV1;
  /** The run's seed (`--seed`, default 0), for benchmarks that shuffle (choice order). */
  seed: number;
  log: LoggerV1;
}

/** Context of `doScore`. */
export interface ScoreContextV1<Options> {
  options: Options;
  /** The plan the responses answer, as sent (after the user's overrides): tells chat from completion. */
  plan: SamplePlanV1;
  /**
   * One judge per role the benchmark declares in `requirements.judges`, bound to this sample (its requests
   * carry the task, sample id and role). Empty when the benchmark declares none.
   */
  judges: Record<string, JudgeV1>;
  /** Present when the benchmark declares `requirements.sandbox`. */
  sandbox?: SandboxV1;
  signal: AbortSignal;
  log: LoggerV1;
}

/**
 * A benchmark. The runner calls, per task: `doLoad` once, then for each sample `doPlan` → model calls →
 * `doScore`, then `doAggregate` once over every scored sample. A failed sample (backend error, scorer
 * exception) is recorded as data and left out of the aggregation; only configuration and infrastructure
 * problems should throw from `doLoad`.
 *
 * The default export of a benchmark plugin's entry module is an instance with default settings.
 */
export interface BenchmarkV1<Data = unknown, Options = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  readonly kind: 'benchmark';
  /** Lowercase id: the task name on the command line. */
  readonly id: string;
  /** Version of the plugin package. */
  readonly version: string;
  /** One line for `evalchemy list`. */
  readonly description: string;
  /** Options under `tasks.<id>` in `--config`; parsed by the runner, unknown keys rejected. */
  readonly optionsSchema: z.ZodType<Options>;
  /** What scoring needs. A judge or sandbox that cannot be set up is an error before any generation. */
  readonly requirements: {
    /**
     * The LLM judges scoring needs, by role: MT-Bench one (`judge`); a benchmark may use two (a parser and a
     * grader). The user chooses each judge's backend and model (`--judge_backend`, `--judge_args`,
     * `--annotator_model`, per task and role in `--config`); the role's `defaultModel` applies otherwise.
     */
    judges?: Record<string, JudgeRoleV1>;
    sandbox?: boolean;
  };
  /**
   * The judge roles for the options given, where they depend on the options (Arena-Hard v2.0's reference judge
   * is `gpt-4.1`, v0.1's `gpt-4-1106-preview`). Optional: by default `requirements.judges`. Read it through
   * core's `judgeRolesOf`.
   */
  judgesFor?(options: Options): Record<string, JudgeRoleV1>;
  /**
   * How many samples `--debug` runs (the first N, as `--limit N`). Optional; default 5. Benchmarks that
   * Evalchemy also defines take Evalchemy's own debug size (its `eval_instruct.py` keeps `examples[:2]`: 2).
   */
  readonly debugLimit?: number;
  /** The metric shown first in the results table (e.g. `exact_match_flexible`). */
  readonly primaryMetric: string;
  /**
   * The metrics a summary (the CLI's results table) shows, in order, each with its standard error; every
   * other metric is kept in the results file only. Optional; default: `[primaryMetric]`.
   */
  readonly headlineMetrics?: readonly string[];
  /**
   * The primary and headline metrics for the options given, where they depend on the options (MT-Bench's
   * pairwise modes lead with a win rate, its single mode with a score). Optional: by default `primaryMetric`
   * and `headlineMetrics`.
   */
  metricsFor?(options: Options): { primaryMetric: string; headlineMetrics?: readonly string[] };
  doLoad(context: LoadContextV1<Options>): Promise<SampleSourceV1<Data>>;
  doPlan(sample: SampleV1<Data>, context: PlanContextV1<Options>): SamplePlanV1;
  /**
   * The expected cost of a sample relative to the task's others (any positive unit, e.g. expected output
   * tokens × generations), which a sharded run (`--shard I/N`) balances across its shards. Called with the
   * sample's plan, after the user's overrides; must be deterministic and cheap. Optional: by default the
   * prompt's characters × generations × turns (loglikelihood: the context and continuations' characters).
   */
  estimateCost?(sample: SampleV1<Data>, plan: SamplePlanV1): number;
  doScore(
    sample: SampleV1<Data>,
    responses: SampleResponsesV1,
    context: ScoreContextV1<Options>,
  ): Promise<SampleScoreV1>;
  /**
   * Corpus-level metrics from every successfully scored sample. Optional: by default each per-sample metric
   * is averaged (nulls left out) with the standard error of the mean.
   */
  doAggregate?(
    samples: readonly ScoredSampleV1[],
    context: { options: Options; loaded?: unknown },
  ): Record<string, AggregateMetricV1 | number>;
}
