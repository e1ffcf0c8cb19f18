import { type AggregateMetricV1, type ScoredSampleV1, standardErrorOfMean } from '@evalchemy/core';
import { mmluLetters, pythonStrip } from './mmlu-prompt.js';
import { type MmluSubject, mmluCategories, mmluCategoryOf, mmluSubjects } from './mmlu-subjects.js';

/** lm-eval `acc` for multiple choice: the index of the highest log-likelihood (the first one on ties, as np.argmax). */
export function argmaxIndex(values: readonly number[]): number {
  let best = 0;
  for (let index = 1; index < values.length; index++) {
    if ((values[index] ?? Number.NEGATIVE_INFINITY) > (values[best] ?? Number.NEGATIVE_INFINITY))
      best = index;
  }
  return best;
}

const pythonPunctuation = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * lm-eval's mmlu generative filter chain `get_response`: the first line of the response, stripped. Its
 * `exact_match` then ignores case and `string.punctuation`; this returns the text that comparison sees.
 */
export function lmEvalGenerativeAnswer(response: string): string {
  const firstLine = response.split('\n', 1)[0] ?? '';
  return pythonStrip(firstLine).toLowerCase().replace(pythonPunctuation, '');
}

/**
 * The letter a generated answer gives: lm-eval's normalised first line when it is exactly one of a–d
 * (so every answer lm-eval accepts is accepted), else the first standalone capital A–D anywhere in the
 * response ("The answer is (B)", "**C**"). Undefined when there is none.
 */
export function extractMmluLetter(response: string): string | undefined {
  const lmEval = lmEvalGenerativeAnswer(response);
  if (/^[abcd]$/.test(lmEval)) return lmEval.toUpperCase();
  return /(?<![A-Za-z0-9])([ABCD])(?![A-Za-z0-9])/.exec(response)?.[1];
}

/** The letter of option `index`. */
export function mmluLetter(index: number): string {
  return mmluLetters[index] ?? '?';
}

/**
 * lm-eval's `pooled_sample_stderr`: the standard error of a size-weighted mean of subtasks, from each
 * subtask's standard error and size (equal to the stderr of all samples pooled, without the between-subtask
 * variance).
 */
export function pooledStandardError(groups: readonly { stderr: number; size: number }[]): number {
  let pooledVariance = 0;
  let total = 0;
  for (const { stderr, size } of groups) {
    // A one-question subtask has no sample variance; lm-eval would fail on it, here it adds nothing.
    if (size > 1) pooledVariance += (size - 1) * stderr ** 2 * size;
    total += size;
  }
  return Math.sqrt(pooledVariance / (total - groups.length) / total);
}

/**
 * `acc` micro-averaged over every question (lm-eval's `mmlu` group: size-weighted mean of the subjects) with
 * the pooled standard error, `acc_<category>` likewise over that category's subjects, and `acc_<subject>`
 * with the standard error of its mean.
 */
export function aggregateMmlu(samples: readonly ScoredSampleV1[]): Record<string, AggregateMetricV1> {
  const bySubject = new Map<string, number[]>();
  for (const sample of samples) {
    const value = sample.metrics.acc;
    const subject = sample.metadata.subject;
    if (typeof value !== 'number' || typeof subject !== 'string') continue;
    const values = bySubject.get(subject) ?? [];
    values.push(value);
    bySubject.set(subject, values);
  }
  const subjectStats = new Map<string, { value: number; stderr: number; size: number }>();
  for (const subject of mmluSubjects) {
    const values = bySubject.get(subject);
    if (values === undefined) continue;
    const value = values.reduce((sum, x) => sum + x, 0) / values.length;
    subjectStats.set(subject, { value, stderr: standardErrorOfMean(values), size: values.length });
  }
  const group = (subjects: readonly string[]): AggregateMetricV1 | undefined => {
    const stats = subjects.flatMap((subject) => subjectStats.get(subject) ?? []);
    const size = stats.reduce((sum, s) => sum + s.size, 0);
    if (size === 0) return undefined;
    const value = stats.reduce((sum, s) => sum + s.value * s.size, 0) / size;
    return { value, stderr: pooledStandardError(stats) };
  };
  const result: Record<string, AggregateMetricV1> = {};
  const overall = group(mmluSubjects);
  if (overall !== undefined) result.acc = overall;
  for (const category of mmluCategories) {
    const metric = group(
      mmluSubjects.filter((subject) => mmluCategoryOf(subject as MmluSubject) === category),
    );
    if (metric !== undefined) result[`acc_${category}`] = metric;
  }
  for (const [subject, stats] of subjectStats)
    result[`acc_${subject}`] = { value: stats.value, stderr: stats.stderr };
  return result;
}
