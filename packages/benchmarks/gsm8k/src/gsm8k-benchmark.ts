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
import { gsm8kFewshotIndices } from './gsm8k-fewshot.js';
import { type Gsm8kOptions, gsm8kOptionsSchema } from './gsm8k-options.js';
import {
  type Gsm8kProblem,
  gsm8kChatHistory,
  gsm8kCompletionPrompt,
  gsm8kMaxTokens,
  gsm8kQuestionText,
  gsm8kStopStrings,
} from './gsm8k-prompt.js';
import { gsm8kGoldAnswer, scoreGsm8kResponse } from './gsm8k-scorer.js';
import { VERSION } from './version.js';

/** One test problem with the train problems shown before it. */
export interface Gsm8kSample extends Gsm8kProblem {
  /** The few-shot exemplars, in the order lm-eval draws them. */
  fewshot: Gsm8kProblem[];
}

const gsm8kRevision = '740312add88f781978c0658806c59bc2815b9866';

/** The GSM8K test split: the Hub's `openai/gsm8k` (config main) parquet, or the original JSONL offline. */
export const gsm8kTestFile: DatasetFileV1 = {
  hub: { repository: 'openai/gsm8k', revision: gsm8kRevision, path: 'main/test-00000-of-00001.parquet' },
  offlinePath: 'gsm8k/test.jsonl',
  sha256: { offline: '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14' },
};

/** The GSM8K train split (7473 problems), lm-eval gsm8k's `fewshot_split`. */
export const gsm8kTrainFile: DatasetFileV1 = {
  hub: { repository: 'openai/gsm8k', revision: gsm8kRevision, path: 'main/train-00000-of-00001.parquet' },
  offlinePath: 'gsm8k/train.jsonl',
  sha256: { offline: '17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465' },
};

/** Settings of `createGsm8k`. */
export interface Gsm8kSettings {
  /** The test file to load; default `gsm8kTestFile`. */
  dataset?: DatasetFileV1;
  /** The train file the exemplars are drawn from; default `gsm8kTrainFile`. */
  trainDataset?: DatasetFileV1;
}

/** Our metric names and the lm-eval filter each one is. */
const lmEvalFilterNames = [
  ['exact_match_strict', 'strict-match'],
  ['exact_match_flexible', 'flexible-extract'],
] as const;

/** GSM8K as lm-evaluation-harness's `gsm8k`: 5 exemplars drawn from the train split, strict and flexible exact match. */
export class Gsm8kBenchmark implements BenchmarkV1<Gsm8kSample, Gsm8kOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'gsm8k';
  readonly version = VERSION;
  readonly description =
    'GSM8K test (1319 problems), 5-shot from the train split, exact match as lm-eval gsm8k.';
  readonly optionsSchema = gsm8kOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'exact_match_flexible';
  readonly #dataset: DatasetFileV1;
  readonly #trainDataset: DatasetFileV1;

  constructor(settings: Gsm8kSettings = {}) {
    this.#dataset = settings.dataset ?? gsm8kTestFile;
    this.#trainDataset = settings.trainDataset ?? gsm8kTrainFile;
  }

  async doLoad(context: LoadContextV1<Gsm8kOptions>): Promise<SampleSourceV1<Gsm8kSample>> {
    const test = await this.#problems(context, this.#dataset);
    const { num_fewshot: numFewshot, fewshot_seed: seed } = context.options;
    const train = numFewshot > 0 ? await this.#problems(context, this.#trainDataset) : [];
    if (numFewshot > train.length && numFewshot > 0) {
      throw new ConfigurationError(
        `gsm8k: num_fewshot ${numFewshot} exceeds the ${train.length} train problems of ${this.#trainDataset.offlinePath}; choose at most ${train.length}.`,
      );
    }
    // Drawn for the whole test split in order, as lm-eval does, so that `--limit` keeps the same exemplars.
    const indices = gsm8kFewshotIndices(train.length, test.length, numFewshot, seed);
    const samples = test.map(
      (problem, index): SampleV1<Gsm8kSample> => ({
        id: String(index),
        data: { ...problem, fewshot: (indices[index] ?? []).map((row) => train[row]!) },
      }),
    );
    return { size: samples.length, samples };
  }

  async #problems(context: LoadContextV1<Gsm8kOptions>, file: DatasetFileV1): Promise<Gsm8kProblem[]> {
    const rows = await context.datasets.rows(file);
    return rows.map((row, index) => {
      const { question, answer } = row;
      if (typeof question !== 'string' || typeof answer !== 'string') {
        throw new DatasetError(
          `${file.offlinePath}: row ${index} lacks the string fields "question" and "answer".`,
        );
      }
      return { question, answer };
    });
  }

  doPlan(sample: SampleV1<Gsm8kSample>, context: PlanContextV1<Gsm8kOptions>): SamplePlanV1 {
    const parameters = { temperature: 0, maxTokens: gsm8kMaxTokens, stop: [...gsm8kStopStrings] };
    const { capabilities } = context.backend;
    if (capabilities.chat) {
      return {
        type: 'chat',
        history: gsm8kChatHistory(sample.data.fewshot),
        turns: [gsm8kQuestionText(sample.data.question)],
        parameters,
      };
    }
    if (capabilities.completion) {
      return {
        type: 'completion',
        prompt: gsm8kCompletionPrompt(sample.data.question, sample.data.fewshot),
        parameters,
      };
    }
    throw new ConfigurationError(
      `gsm8k generates answers, but backend "${context.backend.id}" supports neither chat nor completion requests.`,
    );
  }

  async doScore(sample: SampleV1<Gsm8kSample>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    if (responses.type !== 'generate') {
      throw new Error(`gsm8k expects generated text, got ${responses.type} results.`);
    }
    const text = responses.generations[0]?.[0]?.text ?? '';
    // lm-eval compares with doc_to_target, the whole answer; its "(?s).*#### " normalisation keeps the number.
    const verdict = scoreGsm8kResponse(text, sample.data.answer);
    return {
      metrics: {
        exact_match_strict: verdict.exactMatchStrict,
        exact_match_flexible: verdict.exactMatchFlexible,
      },
      extracted: { strict: verdict.strict, flexible: verdict.flexible },
      details: { gold: gsm8kGoldAnswer(sample.data.answer) },
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

/** A gsm8k benchmark; `settings.dataset`/`trainDataset` replace the pinned data files (tests, mirrors). */
export function createGsm8k(settings: Gsm8kSettings = {}): Gsm8kBenchmark {
  return new Gsm8kBenchmark(settings);
}
