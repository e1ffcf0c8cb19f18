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
  ScoreContextV1,
  ScoredSampleV1,
} from '@evalchemy/core';
import { loadMixEvalSplit, type MixEvalBenchmarkName, mixEvalFile, mixEvalSplits } from './mixeval-data.js';
import {
  createMixEvalOptionsSchema,
  type MixEvalOptionDefaults,
  type MixEvalOptions,
} from './mixeval-options.js';
import { buildBaseModelPrompt } from './mixeval-prompts.js';
import {
  aggregateMixEval,
  judgeRoles,
  type MixEvalSampleData,
  scoreMixEvalSample,
} from './mixeval-scorer.js';
import { VERSION } from './version.js';

type MixEvalOptionsSchema = ReturnType<typeof createMixEvalOptionsSchema>;

/**
 * Parser judge used when the user names none: MixEval's `--freeform_judge` / `--multichoice_judge` default,
 * and what Evalchemy's MixEval maps `--annotator_model auto` to.
 */
export const DEFAULT_JUDGE_MODEL = 'gpt-3.5-turbo-0125';

/** New tokens per answer of MixEval's local chat models (`closeended_max_new_tokens`). */
export const CHAT_MAX_NEW_TOKENS = 512;

/** New tokens per answer of MixEval's local base models (`closeended_max_new_tokens_basemodel`). */
export const BASE_MODEL_MAX_NEW_TOKENS = 399;

/** Settings of `createMixEval`. */
export interface MixEvalSettings {
  /** `mixeval` (default) or `mixeval_hard`: which item set, and the benchmark's id. */
  benchmark?: MixEvalBenchmarkName;
  /** Defaults for the options the user's `tasks.<id>` leaves out. */
  options?: MixEvalOptionDefaults;
  /** Version of the plugin package that serves this benchmark (a wrapper such as mixeval_hard); default this package's. */
  packageVersion?: string;
}

/**
 * MixEval (or MixEval-Hard) as Psycoy/MixEval and Evalchemy run it: each item's `formated_input` is asked as
 * one user message (a base model gets MixEval's five-shot prefix), and an LLM parser judge reads the answer:
 * a 0-1 correctness score for free-form items, the chosen option for multiple-choice items.
 */
export class MixEvalBenchmark implements BenchmarkV1<MixEvalSampleData, MixEvalOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id: MixEvalBenchmarkName;
  readonly version: string;
  readonly description: string;
  readonly optionsSchema: MixEvalOptionsSchema;
  readonly requirements = {
    judges: {
      [judgeRoles['free-form']]: {
        defaultModel: DEFAULT_JUDGE_MODEL,
        description:
          "scores free-form answers 0-1 against the golden answers (MixEval's free-form model parser)",
      },
      [judgeRoles['multiple-choice']]: {
        defaultModel: DEFAULT_JUDGE_MODEL,
        description:
          "extracts the chosen option of multiple-choice answers (MixEval's multiple-choice model parser)",
      },
    },
  };
  /** Evalchemy's `--debug` size (`raw_inputs[:2]`), for MixEval and MixEval-Hard. */
  readonly debugLimit = 2;
  readonly primaryMetric = 'score';
  readonly headlineMetrics = ['score', 'score_free_form', 'score_multiple_choice'];

  constructor(settings: MixEvalSettings = {}) {
    this.id = settings.benchmark ?? 'mixeval';
    this.version = settings.packageVersion ?? VERSION;
    this.description =
      this.id === 'mixeval'
        ? 'MixEval (2000 free-form + 2000 multiple-choice questions), answers parsed by an LLM judge as Psycoy/MixEval.'
        : 'MixEval-Hard (500 free-form + 500 multiple-choice questions), answers parsed by an LLM judge as Psycoy/MixEval.';
    this.optionsSchema = createMixEvalOptionsSchema(settings.options);
  }

  async doLoad(context: LoadContextV1<MixEvalOptions>): Promise<SampleSourceV1<MixEvalSampleData>> {
    const splits = await Promise.all(
      mixEvalSplits.map((split) =>
        loadMixEvalSplit(context.datasets, mixEvalFile(context.options.version, this.id, split), split),
      ),
    );
    const samples = splits.flat().map(
      (item): SampleV1<MixEvalSampleData> => ({
        id: `${item.split}/${item.id}`,
        data: { ...item, seed: context.seed },
        metadata: { split: item.split, benchmark_name: item.benchmark_name, index: item.index },
      }),
    );
    return { size: samples.length, samples };
  }

  doPlan(sample: SampleV1<MixEvalSampleData>, context: PlanContextV1<MixEvalOptions>): SamplePlanV1 {
    const { temperature, max_tokens } = context.options;
    if (context.backend.capabilities.chat) {
      return {
        type: 'chat',
        turns: [sample.data.formattedInput],
        parameters: { temperature, maxTokens: max_tokens ?? CHAT_MAX_NEW_TOKENS },
      };
    }
    return {
      type: 'completion',
      prompt: buildBaseModelPrompt(sample.data.split, sample.data.formattedInput),
      parameters: { temperature, maxTokens: max_tokens ?? BASE_MODEL_MAX_NEW_TOKENS },
    };
  }

  doScore(
    sample: SampleV1<MixEvalSampleData>,
    responses: SampleResponsesV1,
    context: ScoreContextV1<MixEvalOptions>,
  ): Promise<SampleScoreV1> {
    return scoreMixEvalSample(sample.data, responses, context);
  }

  doAggregate(samples: readonly ScoredSampleV1[]): Record<string, AggregateMetricV1 | number> {
    return aggregateMixEval(samples);
  }
}

/** A MixEval benchmark (`benchmark: 'mixeval_hard'` for MixEval-Hard) with the given default options. */
export function createMixEval(settings: MixEvalSettings = {}): MixEvalBenchmark {
  return new MixEvalBenchmark(settings);
}
