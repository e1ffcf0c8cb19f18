import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
  type JudgeRoleV1,
  type LoadContextV1,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
  type ScoreContextV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import {
  type ArenaHardQuestion,
  type ArenaHardVersion,
  type ArenaHardVersionFiles,
  arenaHardVersions,
  loadQuestions,
} from './arena-hard-data.js';
import {
  type ArenaHardOptionDefaults,
  type ArenaHardOptions,
  createArenaHardOptionsSchema,
} from './arena-hard-options.js';
import { aggregateArenaHard, scoreArenaHardSample } from './arena-hard-scorer.js';
import { VERSION } from './version.js';

type ArenaHardOptionsSchema = ReturnType<typeof createArenaHardOptionsSchema>;

/**
 * Judge model when the user names none: arena-hard-auto v0.1's `judge_model` (gpt-4-1106-preview, GPT-4
 * Turbo, which made its leaderboard). Evalchemy's copy of arena-hard-auto set gpt-4o-mini-2024-07-18;
 * v2.0's reference judge is gpt-4.1 (`createArenaHard({ options: { version: 'v2.0' } })` takes it).
 */
export const DEFAULT_JUDGE_MODEL = 'gpt-4-1106-preview';

/** v2.0's judge (`config/arena-hard-v2.0.yaml`). */
export const DEFAULT_JUDGE_MODEL_V2 = 'gpt-4.1';

/** Generation settings of arena-hard-auto's `gen_answer_config.yaml` (v0.1): greedy, up to 4096 tokens. */
export const GENERATION_PARAMETERS = { temperature: 0, maxTokens: 4096 } as const;

/** Settings of `createArenaHard`. */
export interface ArenaHardSettings {
  /** Defaults for the options the user's `tasks.arena_hard` leaves out. */
  options?: ArenaHardOptionDefaults;
  /**
   * Data files per version in place of the built-in ones, e.g. with `hub.revision` set to a commit of
   * lmarena-ai/arena-hard-auto you trust that holds the same bytes.
   */
  files?: Partial<Record<ArenaHardVersion, ArenaHardVersionFiles>>;
}

/**
 * Arena-Hard-Auto as lmarena/arena-hard-auto runs it: each question's answer is judged against the
 * baseline's in both orders, the verdicts become battles (a significant win counts three times) and the
 * score is the model's win rate against the baseline from a Bradley-Terry fit, with a bootstrap interval.
 */
export class ArenaHardBenchmark implements BenchmarkV1<ArenaHardQuestion, ArenaHardOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'arena_hard';
  readonly version = VERSION;
  readonly description =
    'Arena-Hard-Auto v0.1 (500 prompts), pairwise judging in both orders against gpt-4-0314, Bradley-Terry win rate.';
  readonly optionsSchema: ArenaHardOptionsSchema;
  readonly requirements: { judges: Record<string, JudgeRoleV1> };
  private readonly files: Record<ArenaHardVersion, ArenaHardVersionFiles>;
  readonly primaryMetric = 'score';
  /** show_result's columns: the score and its interval; the average answer length stays in the results file. */
  readonly headlineMetrics = ['score', 'ci_lower', 'ci_upper'];

  constructor(settings: ArenaHardSettings = {}) {
    this.optionsSchema = createArenaHardOptionsSchema(settings.options);
    this.files = { ...arenaHardVersions, ...settings.files };
    this.requirements = { judges: this.judgesFor(this.optionsSchema.parse({})) };
  }

  /** One role, `judge`: by default v0.1's judge (gpt-4-1106-preview), or v2.0's (gpt-4.1) for `version: v2.0`. */
  judgesFor(options: Pick<ArenaHardOptions, 'version'>): Record<string, JudgeRoleV1> {
    return {
      judge: {
        defaultModel: options.version === 'v2.0' ? DEFAULT_JUDGE_MODEL_V2 : DEFAULT_JUDGE_MODEL,
        description: "compares the model's answer with the baseline's, in both orders ([[A>>B]] … [[B>>A]])",
      },
    };
  }

  async doLoad(context: LoadContextV1<ArenaHardOptions>): Promise<SampleSourceV1<ArenaHardQuestion>> {
    const seed = context.options.bootstrap_seed ?? context.seed;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ConfigurationError(
        `arena_hard seeds its bootstrap with numpy's generator, which takes 0 to 4294967295; the run's seed is ${seed}. Set tasks.arena_hard.bootstrap_seed.`,
      );
    }
    const questions = await loadQuestions(context.datasets, this.files[context.options.version], seed);
    return {
      size: questions.length,
      samples: questions.map((question) => ({
        id: question.uid,
        data: question,
        metadata: {
          category: question.category,
          ...(question.subcategory ? { subcategory: question.subcategory } : {}),
        },
      })),
    };
  }

  doPlan(sample: SampleV1<ArenaHardQuestion>, context: PlanContextV1<ArenaHardOptions>): SamplePlanV1 {
    if (!context.backend.capabilities.chat) {
      throw new ConfigurationError(
        `arena_hard asks chat questions, but backend "${context.backend.id}" (${context.backend.modelId}) ` +
          'has no chat endpoint. Use a chat backend (or a server that applies the chat template).',
      );
    }
    return { type: 'chat', turns: [sample.data.prompt], parameters: { ...GENERATION_PARAMETERS } };
  }

  doScore(
    sample: SampleV1<ArenaHardQuestion>,
    responses: SampleResponsesV1,
    context: ScoreContextV1<ArenaHardOptions>,
  ): Promise<SampleScoreV1> {
    return scoreArenaHardSample(sample.data, responses, context);
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: ArenaHardOptions },
  ): Record<string, AggregateMetricV1 | number> {
    return aggregateArenaHard(samples, context.options);
  }
}

/** An Arena-Hard benchmark with the given default options. */
export function createArenaHard(settings: ArenaHardSettings = {}): ArenaHardBenchmark {
  return new ArenaHardBenchmark(settings);
}
