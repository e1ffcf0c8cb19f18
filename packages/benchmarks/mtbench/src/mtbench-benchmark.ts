import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
  DatasetError,
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
import { loadQuestions, type MTBenchQuestion } from './mtbench-data.js';
import {
  DEFAULT_BASELINE_MODEL,
  loadModelAnswers,
  modelAnswerFile,
  type PregeneratedModel,
  pregeneratedModels,
} from './mtbench-model-answers.js';
import {
  createMTBenchOptionsSchema,
  type MTBenchOptionDefaults,
  type MTBenchOptions,
} from './mtbench-options.js';
import { aggregateMTBenchPairwise, scoreMTBenchPairwiseSample } from './mtbench-pairwise-scorer.js';
import { aggregateMTBench, scoreMTBenchSample } from './mtbench-scorer.js';
import { VERSION } from './version.js';

type MTBenchOptionsSchema = ReturnType<typeof createMTBenchOptionsSchema>;

/**
 * Judge model used when the user names none: Evalchemy's MTBench default. Evalchemy's `--annotator_model`
 * defaults to `auto`, which its MTBench maps to `gpt-4` (also FastChat's `gen_judgment.py` default); Evalchemy
 * offers `gpt-4o-mini-2024-07-18` as the cheaper alternative judge.
 */
export const DEFAULT_JUDGE_MODEL = 'gpt-4';

/** Sampling temperature per category, FastChat's `temperature_config`; other categories get 0.7. */
export const temperatureConfig: Readonly<Record<string, number>> = {
  writing: 0.7,
  roleplay: 0.7,
  extraction: 0.0,
  math: 0.0,
  coding: 0.0,
  reasoning: 0.0,
  stem: 0.1,
  humanities: 0.1,
  'arena-hard-200': 0.0,
};

/** Temperature FastChat's gen_model_answer uses for a question of `category`. */
export function temperatureForCategory(category: string): number {
  return Object.hasOwn(temperatureConfig, category) ? temperatureConfig[category]! : 0.7;
}

/** New tokens per turn: FastChat's `--max-new-token` and Evalchemy's `max_tokens` default. */
export const MAX_NEW_TOKENS = 1024;

/** Settings of `createMTBench`. */
export interface MTBenchSettings {
  /** Defaults for the options the user's `tasks.mtbench` leaves out. */
  options?: MTBenchOptionDefaults;
}

/**
 * The pregenerated models a run in `mode` compares the model with: none in single mode, `baseline_model`
 * (default gpt-3.5-turbo) in pairwise-baseline, `opponents` (default all 31, FastChat's default when no
 * `--model-list` is given) in pairwise-all.
 */
export function opponentsOf(
  options: Pick<MTBenchOptions, 'mode' | 'baseline_model' | 'opponents'>,
): PregeneratedModel[] {
  switch (options.mode ?? 'single') {
    case 'single':
      return [];
    case 'pairwise-baseline':
      return [options.baseline_model ?? DEFAULT_BASELINE_MODEL];
    case 'pairwise-all':
      return [...(options.opponents ?? pregeneratedModels)];
  }
}

const singleHeadline = ['score', 'score_turn_1', 'score_turn_2'] as const;
const pairwiseHeadline = ['win_rate_adjusted', 'win_rate', 'loss_rate'] as const;

/**
 * MT-Bench as FastChat's llm_judge runs it: each of the 80 questions is a two-turn conversation; an LLM judge
 * rates the answer to each turn from 1 to 10 (mode `single`, the default), or compares it with pregenerated
 * answers in both orders (`pairwise-baseline`, `pairwise-all`).
 */
export class MTBenchBenchmark implements BenchmarkV1<MTBenchQuestion, MTBenchOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'mtbench';
  readonly version = VERSION;
  readonly description =
    'MT-Bench (80 questions x 2 turns), single-answer grading 1-10 or pairwise comparison by an LLM judge, as FastChat llm_judge.';
  readonly optionsSchema: MTBenchOptionsSchema;
  readonly requirements = {
    judges: {
      judge: {
        defaultModel: DEFAULT_JUDGE_MODEL,
        description:
          "rates each turn's answer 1-10 (FastChat single-answer grading), or in the pairwise modes picks the better of two answers",
      },
    },
  };
  /** Those of the default mode; `metricsFor` gives those of the mode a task runs in. */
  /** Evalchemy's `--debug` size (`questions[:2]`). */
  readonly debugLimit = 2;
  readonly primaryMetric: string;
  readonly headlineMetrics: readonly string[];

  constructor(settings: MTBenchSettings = {}) {
    this.optionsSchema = createMTBenchOptionsSchema(settings.options);
    ({ primaryMetric: this.primaryMetric, headlineMetrics: this.headlineMetrics } = this.metricsFor(
      settings.options ?? {},
    ));
  }

  /**
   * FastChat's show_result: the overall score and each turn's (single), or the win rates, led by
   * `win_rate_adjusted` as FastChat sorts its table (pairwise); categories, counts and per-turn figures stay
   * in the results file.
   */
  metricsFor(options: Pick<MTBenchOptions, 'mode'>): {
    primaryMetric: string;
    headlineMetrics: readonly string[];
  } {
    return (options.mode ?? 'single') === 'single'
      ? { primaryMetric: 'score', headlineMetrics: singleHeadline }
      : { primaryMetric: 'win_rate_adjusted', headlineMetrics: pairwiseHeadline };
  }

  async doLoad(context: LoadContextV1<MTBenchOptions>): Promise<SampleSourceV1<MTBenchQuestion>> {
    const { options, datasets, log } = context;
    const mode = options.mode ?? 'single';
    if (options.baseline_model !== undefined && mode !== 'pairwise-baseline') {
      log.warn(`mtbench: baseline_model is used only in mode pairwise-baseline; this run's mode is ${mode}.`);
    }
    if (options.opponents !== undefined && mode !== 'pairwise-all') {
      log.warn(`mtbench: opponents is used only in mode pairwise-all; this run's mode is ${mode}.`);
    }
    const opponents = opponentsOf(options);
    const [allQuestions, opponentAnswers] = await Promise.all([
      loadQuestions(datasets, { pairwise: mode !== 'single' }),
      Promise.all(opponents.map((model) => loadModelAnswers(datasets, model))),
    ]);
    const wanted = options.categories;
    const questions = allQuestions.filter(
      (question) => wanted === undefined || (wanted as readonly string[]).includes(question.category),
    );
    if (opponents.length > 0) {
      for (const question of questions) {
        question.opponents = opponents.map((model, index) => {
          const turns = opponentAnswers[index]!.get(question.questionId);
          // FastChat's check_data: every compared model must answer every question (both turns).
          if (turns === undefined || turns.length < 2) {
            throw new DatasetError(
              `${modelAnswerFile(model).offlinePath} has no two-turn answer to question ${question.questionId}.`,
            );
          }
          return { model, turns };
        });
      }
    }
    return {
      size: questions.length,
      samples: questions.map((question) => ({
        id: String(question.questionId),
        data: question,
        metadata: { category: question.category },
      })),
    };
  }

  doPlan(sample: SampleV1<MTBenchQuestion>, context: PlanContextV1<MTBenchOptions>): SamplePlanV1 {
    if (!context.backend.capabilities.chat) {
      throw new ConfigurationError(
        `mtbench asks two-turn chat questions, but backend "${context.backend.id}" (${context.backend.modelId}) ` +
          'has no chat endpoint. Use a chat backend (or a server that applies the chat template).',
      );
    }
    return {
      type: 'chat',
      turns: sample.data.turns,
      parameters: { temperature: temperatureForCategory(sample.data.category), maxTokens: MAX_NEW_TOKENS },
    };
  }

  doScore(
    sample: SampleV1<MTBenchQuestion>,
    responses: SampleResponsesV1,
    context: ScoreContextV1<MTBenchOptions>,
  ): Promise<SampleScoreV1> {
    return (context.options.mode ?? 'single') === 'single'
      ? scoreMTBenchSample(sample.data, responses, context)
      : scoreMTBenchPairwiseSample(sample.data, responses, context);
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: MTBenchOptions },
  ): Record<string, AggregateMetricV1 | number> {
    const mode = context.options.mode ?? 'single';
    if (mode !== 'single') return aggregateMTBenchPairwise(samples, { mode });
    const metrics = aggregateMTBench(samples);
    // Evalchemy's MTBench `evaluate_responses` returns {"Turn 1", "Turn 2", "Average"}: the same means.
    for (const [alias, name] of evalchemyMetricNames) {
      const metric = metrics[name];
      if (metric !== undefined) metrics[alias] = typeof metric === 'number' ? metric : { ...metric };
    }
    return metrics;
  }
}

/** Evalchemy's single-mode keys and the metrics they are. */
const evalchemyMetricNames = [
  ['Turn 1', 'score_turn_1'],
  ['Turn 2', 'score_turn_2'],
  ['Average', 'score'],
] as const;

/** An MT-Bench benchmark with the given default options. */
export function createMTBench(settings: MTBenchSettings = {}): MTBenchBenchmark {
  return new MTBenchBenchmark(settings);
}
