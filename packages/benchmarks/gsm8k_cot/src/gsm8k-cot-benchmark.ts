import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
  DatasetError,
  type DatasetFileV1,
  type LoadContextV1,
  mean,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
  type ScoredSampleV1,
  standardErrorOfMean,
} from '@evalchemy/core';
import { type Gsm8kCotOptions, gsm8kCotOptionsSchema } from './gsm8k-cot-options.js';
import {
  gsm8kCotChatHistory,
  gsm8kCotCompletionPrompt,
  gsm8kCotMaxTokens,
  gsm8kCotQuestionText,
  gsm8kCotStopStrings,
} from './gsm8k-cot-prompt.js';
import { gsm8kGoldAnswer, scoreGsm8kCotResponse } from './gsm8k-cot-scorer.js';
import { VERSION } from './version.js';

/** One GSM8K problem as the dataset gives it. */
export interface Gsm8kCotProblem {
  question: string;
  /** Worked solution ending in `#### <number>`. */
  answer: string;
}

/** The GSM8K test split: the Hub's `openai/gsm8k` (config main) parquet, or the original JSONL offline. */
export const gsm8kTestFile: DatasetFileV1 = {
  hub: {
    repository: 'openai/gsm8k',
    revision: '740312add88f781978c0658806c59bc2815b9866',
    path: 'main/test-00000-of-00001.parquet',
  },
  offlinePath: 'gsm8k/test.jsonl',
  sha256: { offline: '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14' },
};

/** Settings of `createGsm8kCot`. */
export interface Gsm8kCotSettings {
  /** The data file to load; default `gsm8kTestFile`. */
  dataset?: DatasetFileV1;
}

/** GSM8K as lm-evaluation-harness's `gsm8k_cot`: fixed 8-shot chain of thought, strict and flexible exact match. */
export class Gsm8kCotBenchmark implements BenchmarkV1<Gsm8kCotProblem, Gsm8kCotOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'gsm8k_cot';
  readonly version = VERSION;
  readonly description =
    'GSM8K test (1319 problems), 8-shot chain of thought, exact match as lm-eval gsm8k_cot.';
  readonly optionsSchema = gsm8kCotOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'exact_match_flexible';
  readonly #dataset: DatasetFileV1;

  constructor(settings: Gsm8kCotSettings = {}) {
    this.#dataset = settings.dataset ?? gsm8kTestFile;
  }

  async doLoad(context: LoadContextV1<Gsm8kCotOptions>): Promise<SampleSourceV1<Gsm8kCotProblem>> {
    const rows = await context.datasets.rows(this.#dataset);
    const samples = rows.map((row, index): SampleV1<Gsm8kCotProblem> => {
      const { question, answer } = row;
      if (typeof question !== 'string' || typeof answer !== 'string') {
        throw new DatasetError(
          `${this.#dataset.offlinePath}: row ${index} lacks the string fields "question" and "answer".`,
        );
      }
      return { id: String(index), data: { question, answer } };
    });
    return { size: samples.length, samples };
  }

  doPlan(sample: SampleV1<Gsm8kCotProblem>, context: PlanContextV1<Gsm8kCotOptions>): SamplePlanV1 {
    const numFewshot = context.options.num_fewshot;
    const parameters = { temperature: 0, maxTokens: gsm8kCotMaxTokens, stop: [...gsm8kCotStopStrings] };
    const { capabilities } = context.backend;
    if (capabilities.chat) {
      return {
        type: 'chat',
        history: gsm8kCotChatHistory(numFewshot),
        turns: [gsm8kCotQuestionText(sample.data.question)],
        parameters,
      };
    }
    if (capabilities.completion) {
      return {
        type: 'completion',
        prompt: gsm8kCotCompletionPrompt(sample.data.question, numFewshot),
        parameters,
      };
    }
    throw new ConfigurationError(
      `gsm8k_cot generates answers, but backend "${context.backend.id}" supports neither chat nor completion requests.`,
    );
  }

  async doScore(sample: SampleV1<Gsm8kCotProblem>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    if (responses.type !== 'generate') {
      throw new Error(`gsm8k_cot expects generated text, got ${responses.type} results.`);
    }
    const text = responses.generations[0]?.[0]?.text ?? '';
    const gold = gsm8kGoldAnswer(sample.data.answer);
    const verdict = scoreGsm8kCotResponse(text, gold);
    return {
      metrics: {
        exact_match_strict: verdict.exactMatchStrict,
        exact_match_flexible: verdict.exactMatchFlexible,
      },
      extracted: { strict: verdict.strict, flexible: verdict.flexible },
      details: { gold },
    };
  }

  /**
   * Each metric's mean and standard error, also under lm-eval's names (`exact_match,strict-match` and
   * `exact_match_stderr,strict-match`, likewise flexible-extract), as lm-eval's results JSON has them.
   */
  doAggregate(samples: readonly ScoredSampleV1[]): Record<string, AggregateMetricV1> {
    const metrics: Record<string, AggregateMetricV1> = {};
    for (const [name, filter] of lmEvalFilterNames) {
      const values = samples
        .map((sample) => sample.metrics[name])
        .filter((value): value is number => typeof value === 'number');
      const value = mean(values);
      const stderr = standardErrorOfMean(values);
      metrics[name] = { value, stderr };
      metrics[`exact_match,${filter}`] = { value };
      metrics[`exact_match_stderr,${filter}`] = { value: stderr };
    }
    return metrics;
  }
}

/** Our metric names and the lm-eval filter each one is. */
const lmEvalFilterNames = [
  ['exact_match_strict', 'strict-match'],
  ['exact_match_flexible', 'flexible-extract'],
] as const;

/** A gsm8k_cot benchmark; `settings.dataset` replaces the pinned data file (tests, mirrors). */
export function createGsm8kCot(settings: Gsm8kCotSettings = {}): Gsm8kCotBenchmark {
  return new Gsm8kCotBenchmark(settings);
}
