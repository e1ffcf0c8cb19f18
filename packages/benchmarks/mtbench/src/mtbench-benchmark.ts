import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
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
import { createMTBenchOptionsSchema, type MTBenchOptions } from './mtbench-options.js';
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
  options?: Partial<MTBenchOptions>;
}

/**
 * MT-Bench as FastChat's llm_judge runs it in single-answer grading mode: each of the 80 questions is a
 * two-turn conversation; an LLM judge rates the answer to each turn from 1 to 10.
 */
export class MTBenchBenchmark implements BenchmarkV1<MTBenchQuestion, MTBenchOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'mtbench';
  readonly version = VERSION;
  readonly description =
    'MT-Bench (80 questions x 2 turns), single-answer grading 1-10 by an LLM judge, as FastChat llm_judge.';
  readonly optionsSchema: MTBenchOptionsSchema;
  readonly requirements = {
    judges: {
      judge: {
        defaultModel: DEFAULT_JUDGE_MODEL,
        description: "rates each turn's answer 1-10 (FastChat single-answer grading)",
      },
    },
  };
  readonly primaryMetric = 'score';
  /** FastChat's show_result: the overall score and each turn's; the categories stay in the results file. */
  readonly headlineMetrics = ['score', 'score_turn_1', 'score_turn_2'];

  constructor(settings: MTBenchSettings = {}) {
    this.optionsSchema = createMTBenchOptionsSchema(settings.options);
  }

  async doLoad(context: LoadContextV1<MTBenchOptions>): Promise<SampleSourceV1<MTBenchQuestion>> {
    const wanted = context.options.categories;
    const questions = (await loadQuestions(context.datasets)).filter(
      (question) => wanted === undefined || (wanted as readonly string[]).includes(question.category),
    );
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
    return scoreMTBenchSample(sample.data, responses, context);
  }

  doAggregate(samples: readonly ScoredSampleV1[]): Record<string, AggregateMetricV1 | number> {
    return aggregateMTBench(samples);
  }
}

/** An MT-Bench benchmark with the given default options. */
export function createMTBench(settings: MTBenchSettings = {}): MTBenchBenchmark {
  return new MTBenchBenchmark(settings);
}
