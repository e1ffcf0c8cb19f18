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
import { type DropOptions, dropOptionsSchema } from './drop-options.js';
import { type DropQuestion, dropPrompt, scoreDropPrediction } from './drop-scorer.js';
import { VERSION } from './version.js';

/**
 * The DROP validation split on the Hub (`ucinlp/drop`'s parquet conversion). There is no offline copy in
 * shared/datasets and no published sha256: the Hub hash is recorded on first download; an offline copy must be
 * this same parquet file.
 */
export const dropValidationFile: DatasetFileV1 = {
  hub: {
    repository: 'ucinlp/drop',
    revision: '95cda593fae71b60b5b19f82de3fcf3298c1239c',
    path: 'data/validation-00000-of-00001.parquet',
  },
  offlinePath: 'drop/data/validation-00000-of-00001.parquet',
  sha256: { offline: '' },
};

/** lm-eval's `generation_kwargs`: greedy, stop at the first full stop; `max_gen_toks` is lm-eval's default. */
const generationParameters = { temperature: 0, maxTokens: 256, stop: ['.'] };

/** Settings of `createDrop`. */
export interface DropSettings {
  /** The data file to load; default `dropValidationFile`. */
  dataset?: DatasetFileV1;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** lm-eval's `parse_answer`: a number, else the spans, else "day month year" (stripped). */
function parseAnswer(answer: Record<string, unknown>): string[] | undefined {
  const number = answer.number;
  if (typeof number === 'string' && number !== '') return [number];
  if (typeof number === 'number') return [String(number)];
  if (isStringArray(answer.spans) && answer.spans.length > 0) return answer.spans;
  const date = record(answer.date);
  if (date === undefined && answer.spans === undefined && number === undefined) return undefined;
  return [[text(date?.day), text(date?.month), text(date?.year)].join(' ').trim()];
}

/** `validated_answers` as a list of answers, from a column of lists (the Hub's layout) or a list of objects. */
function validatedAnswers(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const answer = record(item);
      return answer === undefined ? [] : [answer];
    });
  }
  const columns = record(value);
  if (columns === undefined) return [];
  const numbers = Array.isArray(columns.number) ? columns.number : [];
  const spans = Array.isArray(columns.spans) ? columns.spans : [];
  const dates = columns.date;
  const dateColumns = record(dates);
  return numbers.map((number, index) => ({
    number,
    spans: spans[index],
    date: Array.isArray(dates)
      ? dates[index]
      : {
          day: (dateColumns?.day as unknown[] | undefined)?.[index],
          month: (dateColumns?.month as unknown[] | undefined)?.[index],
          year: (dateColumns?.year as unknown[] | undefined)?.[index],
        },
  }));
}

/**
 * The gold answers of one row, as lm-eval's `get_answers`: the original answer, then each validated answer,
 * without duplicates. `ucinlp/drop` rows carry only the original answer, as `answers_spans.spans`.
 */
function goldAnswers(row: Record<string, unknown>): string[][] | undefined {
  const candidates: string[][] = [];
  const spans = record(row.answers_spans)?.spans;
  if (isStringArray(spans)) {
    // An answer without spans counts as blank, which lm-eval leaves out of the maximum.
    candidates.push(spans.length > 0 ? spans : ['']);
  } else {
    const original = record(row.answer);
    const parsed = original === undefined ? undefined : parseAnswer(original);
    if (parsed === undefined) return undefined;
    candidates.push(parsed);
  }
  for (const answer of validatedAnswers(row.validated_answers)) {
    const parsed = parseAnswer(answer);
    if (parsed !== undefined) candidates.push(parsed);
  }
  const seen = new Set<string>();
  return candidates.filter((answer) => {
    const key = JSON.stringify(answer);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** DROP as lm-evaluation-harness's `drop`: zero-shot generation, `em` and `f1` maxed over the gold answers. */
export class DropBenchmark implements BenchmarkV1<DropQuestion, DropOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'drop';
  readonly version = VERSION;
  readonly description = 'DROP validation (9535 questions), em and f1 as lm-eval drop.';
  readonly optionsSchema = dropOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'f1';
  readonly #dataset: DatasetFileV1;

  constructor(settings: DropSettings = {}) {
    this.#dataset = settings.dataset ?? dropValidationFile;
  }

  async doLoad(context: LoadContextV1<DropOptions>): Promise<SampleSourceV1<DropQuestion>> {
    const rows = await context.datasets.rows(this.#dataset);
    const samples = rows.map((row, index): SampleV1<DropQuestion> => {
      const { query_id, section_id, passage, question } = row;
      const answers = goldAnswers(row);
      if (
        typeof query_id !== 'string' ||
        typeof passage !== 'string' ||
        typeof question !== 'string' ||
        answers === undefined
      ) {
        throw new DatasetError(
          `${this.#dataset.hub.path}: row ${index} is not a DROP question (query_id, passage, question and answers_spans or answer).`,
        );
      }
      const sectionId = text(section_id);
      return {
        id: query_id,
        data: { queryId: query_id, sectionId, passage, question, answers },
        metadata: { section_id: sectionId },
      };
    });
    return { size: samples.length, samples };
  }

  doPlan(sample: SampleV1<DropQuestion>, context: PlanContextV1<DropOptions>): SamplePlanV1 {
    const { capabilities } = context.backend;
    const prompt = dropPrompt(sample.data);
    if (capabilities.completion) return { type: 'completion', prompt, parameters: generationParameters };
    if (capabilities.chat) return { type: 'chat', turns: [prompt], parameters: generationParameters };
    throw new ConfigurationError(
      `drop: backend "${context.backend.id}" can neither complete nor chat; DROP needs generated answers.`,
    );
  }

  async doScore(sample: SampleV1<DropQuestion>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    const generated = responses.type === 'generate' ? (responses.generations[0]?.[0]?.text ?? '') : '';
    // lm-eval cuts the generation at the first stop string itself, so a backend that ignores `stop` scores alike.
    const prediction = generated.split('.')[0] ?? '';
    const { em, f1 } = scoreDropPrediction(prediction, sample.data.answers);
    return { metrics: { em, f1 }, extracted: prediction, details: { answers: sample.data.answers } };
  }

  /** The mean and standard error of `em` and `f1`, also under lm-eval's keys (`em,none`, `em_stderr,none`, …). */
  doAggregate(samples: readonly ScoredSampleV1[]): Record<string, AggregateMetricV1> {
    const metrics: Record<string, AggregateMetricV1> = {};
    for (const name of ['em', 'f1'] as const) {
      const values = samples
        .map((sample) => sample.metrics[name])
        .filter((value): value is number => typeof value === 'number');
      const value = mean(values);
      const stderr = standardErrorOfMean(values);
      metrics[name] = { value, stderr };
      metrics[`${name},none`] = { value };
      metrics[`${name}_stderr,none`] = { value: stderr };
    }
    return metrics;
  }
}

/** A drop benchmark; `settings.dataset` replaces the pinned data file (tests, mirrors). */
export function createDrop(settings: DropSettings = {}): DropBenchmark {
  return new DropBenchmark(settings);
}
