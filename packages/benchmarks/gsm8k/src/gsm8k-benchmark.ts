import {
  type BenchmarkV1,
  ConfigurationError,
  DatasetError,
  type DatasetFileV1,
  type LoadContextV1,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
} from '@evalchemy/core';
import { type Gsm8kOptions, gsm8kOptionsSchema } from './gsm8k-options.js';
import {
  gsm8kChatHistory,
  gsm8kCompletionPrompt,
  gsm8kMaxTokens,
  gsm8kQuestionText,
  gsm8kStopStrings,
} from './gsm8k-prompt.js';
import { gsm8kGoldAnswer, scoreGsm8kResponse } from './gsm8k-scorer.js';
import { VERSION } from './version.js';

/** One GSM8K problem as the dataset gives it. */
export interface Gsm8kProblem {
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

/** Settings of `createGsm8k`. */
export interface Gsm8kSettings {
  /** The data file to load; default `gsm8kTestFile`. */
  dataset?: DatasetFileV1;
}

/** GSM8K as lm-evaluation-harness's `gsm8k_cot`: fixed 8-shot chain of thought, strict and flexible exact match. */
export class Gsm8kBenchmark implements BenchmarkV1<Gsm8kProblem, Gsm8kOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'gsm8k';
  readonly version = VERSION;
  readonly description =
    'GSM8K test (1319 problems), 8-shot chain of thought, exact match as lm-eval gsm8k_cot.';
  readonly optionsSchema = gsm8kOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'exact_match_flexible';
  readonly #dataset: DatasetFileV1;

  constructor(settings: Gsm8kSettings = {}) {
    this.#dataset = settings.dataset ?? gsm8kTestFile;
  }

  async doLoad(context: LoadContextV1<Gsm8kOptions>): Promise<SampleSourceV1<Gsm8kProblem>> {
    const rows = await context.datasets.rows(this.#dataset);
    const samples = rows.map((row, index): SampleV1<Gsm8kProblem> => {
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

  doPlan(sample: SampleV1<Gsm8kProblem>, context: PlanContextV1<Gsm8kOptions>): SamplePlanV1 {
    const numFewshot = context.options.num_fewshot;
    const parameters = { temperature: 0, maxTokens: gsm8kMaxTokens, stop: [...gsm8kStopStrings] };
    const { capabilities } = context.backend;
    if (capabilities.chat) {
      return {
        type: 'chat',
        history: gsm8kChatHistory(numFewshot),
        turns: [gsm8kQuestionText(sample.data.question)],
        parameters,
      };
    }
    if (capabilities.completion) {
      return {
        type: 'completion',
        prompt: gsm8kCompletionPrompt(sample.data.question, numFewshot),
        parameters,
      };
    }
    throw new ConfigurationError(
      `gsm8k generates answers, but backend "${context.backend.id}" supports neither chat nor completion requests.`,
    );
  }

  async doScore(sample: SampleV1<Gsm8kProblem>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    if (responses.type !== 'generate') {
      throw new Error(`gsm8k expects generated text, got ${responses.type} results.`);
    }
    const text = responses.generations[0]?.[0]?.text ?? '';
    const gold = gsm8kGoldAnswer(sample.data.answer);
    const verdict = scoreGsm8kResponse(text, gold);
    return {
      metrics: {
        exact_match_strict: verdict.exactMatchStrict,
        exact_match_flexible: verdict.exactMatchFlexible,
      },
      extracted: { strict: verdict.strict, flexible: verdict.flexible },
      details: { gold },
    };
  }
}

/** A gsm8k benchmark; `settings.dataset` replaces the pinned data file (tests, mirrors). */
export function createGsm8k(settings: Gsm8kSettings = {}): Gsm8kBenchmark {
  return new Gsm8kBenchmark(settings);
}
