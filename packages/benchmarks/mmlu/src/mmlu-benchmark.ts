import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
  DatasetError,
  type DatasetFileV1,
  type DatasetRowV1,
  type LoadContextV1,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import { type MmluOptions, mmluOptionsSchema } from './mmlu-options.js';
import {
  type MmluQuestion,
  mmluChatHistory,
  mmluChatInstruction,
  mmluContext,
  mmluDescription,
  mmluLetters,
  mmluQuestionText,
} from './mmlu-prompt.js';
import { aggregateMmlu, argmaxIndex, extractMmluLetter, mmluLetter } from './mmlu-scorer.js';
import { type MmluSubject, mmluCategoryOf, mmluSubjects, mmluSubjectTable } from './mmlu-subjects.js';
import { VERSION } from './version.js';

/** What one MMLU sample carries: its subject, the question and the subject's few-shot examples. */
export interface MmluSample {
  subject: MmluSubject;
  question: MmluQuestion;
  /** The first `num_fewshot` rows of the subject's `dev` split (lm-eval sampler `first_n`). */
  shots: readonly MmluQuestion[];
}

/**
 * Pinned Hub revision of `cais/mmlu`: the commit public evaluation code pins (lighteval-style task configs,
 * `cais/mmlu/resolve/c30699e8…/anatomy/test-00000-of-00001.parquet` links); not checked against the Hub from here.
 */
export const mmluHubRevision = 'c30699e8356da336a370243923dbaf21066bb9fe';

/**
 * The data file of one subject and split: the Hub's parquet (`<subject>/<split>-00000-of-00001.parquet`) or,
 * offline, the original headerless CSV (`mmlu/<split>/<subject>_<split>.csv`).
 */
export function mmluDataFile(subject: MmluSubject, split: 'dev' | 'test'): DatasetFileV1 {
  const entry = mmluSubjectTable[subject];
  return {
    hub: {
      repository: 'cais/mmlu',
      revision: mmluHubRevision,
      path: `${subject}/${split}-00000-of-00001.parquet`,
    },
    offlinePath: `mmlu/${split}/${subject}_${split}.csv`,
    sha256: { offline: split === 'dev' ? entry.devSha256 : entry.testSha256 },
    format: { offline: 'csv', hub: 'parquet' },
    csvColumns: ['question', 'A', 'B', 'C', 'D', 'answer'],
  };
}

/** Settings of `createMmlu`. */
export interface MmluSettings {
  /** Where each subject's data comes from; default `mmluDataFile`. */
  dataFile?: (subject: MmluSubject, split: 'dev' | 'test') => DatasetFileV1;
}

/** Reads a row of either encoding: CSV `question,A,B,C,D,answer-letter` or Hub `question, choices[4], answer index`. */
export function parseMmluRow(row: DatasetRowV1, where: string): MmluQuestion {
  const { question } = row;
  const choices = Array.isArray(row.choices) ? row.choices : [row.A, row.B, row.C, row.D];
  const answer =
    typeof row.answer === 'string' ? mmluLetters.indexOf(row.answer.trim() as 'A') : Number(row.answer);
  if (
    typeof question !== 'string' ||
    choices.length !== 4 ||
    !choices.every((choice) => typeof choice === 'string') ||
    !(answer >= 0 && answer <= 3)
  ) {
    throw new DatasetError(`${where}: not an MMLU row (question, four string choices, answer A–D or 0–3).`);
  }
  return { question, choices: choices as MmluQuestion['choices'], answer };
}

/** MMLU as lm-evaluation-harness's `mmlu`: 5-shot per subject, log-likelihood of " A"–" D", or a generated letter. */
export class MmluBenchmark implements BenchmarkV1<MmluSample, MmluOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'mmlu';
  readonly version = VERSION;
  readonly description =
    'MMLU (57 subjects, 14042 questions), zero-shot by default, accuracy as lm-eval mmlu.';
  readonly optionsSchema = mmluOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'acc';
  readonly #dataFile: (subject: MmluSubject, split: 'dev' | 'test') => DatasetFileV1;

  constructor(settings: MmluSettings = {}) {
    this.#dataFile = settings.dataFile ?? mmluDataFile;
  }

  async doLoad(context: LoadContextV1<MmluOptions>): Promise<SampleSourceV1<MmluSample>> {
    const chosen = new Set(context.options.subjects ?? mmluSubjects);
    const samples: SampleV1<MmluSample>[] = [];
    const subtaskSizes: number[] = [];
    for (const subject of mmluSubjects.filter((name) => chosen.has(name))) {
      const shots = context.options.num_fewshot > 0 ? await this.#rows(context, subject, 'dev') : [];
      if (shots.length < context.options.num_fewshot) {
        throw new DatasetError(
          `mmlu ${subject}: only ${shots.length} dev examples for ${context.options.num_fewshot} shots.`,
        );
      }
      const fewshot = shots.slice(0, context.options.num_fewshot);
      const questions = await this.#rows(context, subject, 'test');
      subtaskSizes.push(questions.length);
      questions.forEach((question, index) => {
        samples.push({
          id: `${subject}/${index}`,
          data: { subject, question, shots: fewshot },
          metadata: { subject, category: mmluCategoryOf(subject) },
        });
      });
    }
    // Each subject is a task of lm-eval's group: --limit N runs the first N problems of every subject.
    return { size: samples.length, samples, subtaskSizes };
  }

  async #rows(
    context: LoadContextV1<MmluOptions>,
    subject: MmluSubject,
    split: 'dev' | 'test',
  ): Promise<MmluQuestion[]> {
    const file = this.#dataFile(subject, split);
    const rows = await context.datasets.rows(file);
    return rows.map((row, index) => parseMmluRow(row, `${file.offlinePath} row ${index}`));
  }

  doPlan(sample: SampleV1<MmluSample>, context: PlanContextV1<MmluOptions>): SamplePlanV1 {
    const { subject, question, shots } = sample.data;
    const { capabilities } = context.backend;
    if (capabilities.loglikelihood) {
      return {
        type: 'loglikelihood',
        context: mmluContext(subject, shots, question),
        continuations: mmluLetters.map((letter) => ` ${letter}`),
      };
    }
    // lm-eval's mmlu generative variant: greedy, default 256 tokens, until "</s>" and "\n".
    const parameters = { temperature: 0, maxTokens: 256, stop: ['</s>', '\n'] };
    if (capabilities.chat) {
      return {
        type: 'chat',
        system: `${mmluDescription(subject)}${mmluChatInstruction}`,
        history: mmluChatHistory(shots),
        turns: [mmluQuestionText(question)],
        parameters,
      };
    }
    if (capabilities.completion) {
      return { type: 'completion', prompt: mmluContext(subject, shots, question), parameters };
    }
    throw new ConfigurationError(
      `mmlu: backend "${context.backend.id}" supports neither loglikelihood, chat nor completion.`,
    );
  }

  async doScore(sample: SampleV1<MmluSample>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    const gold = mmluLetter(sample.data.question.answer);
    if (responses.type === 'loglikelihood') {
      const logprobs = responses.results.map((result) => result.logprob);
      const chosen = mmluLetter(argmaxIndex(logprobs));
      return { metrics: { acc: chosen === gold ? 1 : 0 }, extracted: chosen, details: { gold, logprobs } };
    }
    const text = responses.generations[0]?.[0]?.text ?? '';
    const chosen = extractMmluLetter(text);
    return { metrics: { acc: chosen === gold ? 1 : 0 }, extracted: chosen ?? null, details: { gold } };
  }

  /**
   * `aggregateMmlu`, plus the group's accuracy under lm-eval's names (`acc,none`, `acc_stderr,none`, the keys of
   * `results.mmlu` in lm-eval's results JSON, which Evalchemy reports as they are).
   */
  doAggregate(samples: readonly ScoredSampleV1[]): Record<string, AggregateMetricV1> {
    const metrics = aggregateMmlu(samples);
    const { acc } = metrics;
    if (acc !== undefined) {
      metrics['acc,none'] = { value: acc.value };
      if (acc.stderr !== undefined) metrics['acc_stderr,none'] = { value: acc.stderr };
    }
    return metrics;
  }
}

/** An mmlu benchmark; `settings.dataFile` replaces the pinned data files (tests, mirrors). */
export function createMmlu(settings: MmluSettings = {}): MmluBenchmark {
  return new MmluBenchmark(settings);
}
