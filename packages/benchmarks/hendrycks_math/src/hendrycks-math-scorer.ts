import { type AggregateMetricV1, type ScoredSampleV1, standardErrorOfMean } from '@evalchemy/core';
import { hendrycksIsEquiv, lastBoxedOnlyString, removeBoxed } from '@evalchemy/math-grading';
import { type HendrycksMathSubject, hendrycksMathSubjectTasks } from './hendrycks-math-subjects.js';

/** One MATH problem as the Hub gives it, with the subject task it belongs to. */
export interface HendrycksMathProblem {
  problem: string;
  level: string;
  type: string;
  solution: string;
  /** lm-eval's `answer` field: `remove_boxed(last_boxed_only_string(solution))`. */
  answer: string;
  subject: HendrycksMathSubject;
  /** The few-shot exemplars of this problem (train problems and their answers), in order; none zero-shot. */
  fewshot: HendrycksMathExemplar[];
}

/** A solved train problem shown before the question. */
export interface HendrycksMathExemplar {
  problem: string;
  /** lm-eval's `doc_to_target`: the boxed answer of its solution. */
  answer: string;
}

/**
 * lm-eval's context: each exemplar as `doc_to_text` + " " + `doc_to_target`, joined and followed by "\n\n",
 * then the problem's `doc_to_text` (`Problem: {problem}\nAnswer:`).
 */
export function hendrycksMathPrompt(problem: string, fewshot: readonly HendrycksMathExemplar[] = []): string {
  const examples = fewshot.map((example) => `Problem: ${example.problem}\nAnswer: ${example.answer}\n\n`);
  return `${examples.join('')}Problem: ${problem}\nAnswer:`;
}

/**
 * lm-eval's `process_docs` answer: the content of the solution's last `\boxed{…}`; undefined where lm-eval's
 * `remove_boxed` would fail (no box, unbalanced braces, only `\fbox`).
 */
export function hendrycksMathGoldAnswer(solution: string): string | undefined {
  const boxed = lastBoxedOnlyString(solution);
  return boxed === undefined ? undefined : removeBoxed(boxed);
}

/**
 * The answer lm-eval's `process_results` reads from a generation: the text between the first and the last `$`
 * when there are at least two, else the whole generation. It never looks for `\boxed{}`.
 */
export function hendrycksMathResponseAnswer(response: string): string {
  const first = response.indexOf('$');
  const last = response.lastIndexOf('$');
  return first === last ? response : response.slice(first + 1, last);
}

/** lm-eval's `process_results`: `exact_match` 1 when the answer `is_equiv` the gold answer. */
export function scoreHendrycksMathResponse(
  response: string,
  gold: string,
): { extracted: string; exactMatch: number } {
  const extracted = hendrycksMathResponseAnswer(response);
  return { extracted, exactMatch: hendrycksIsEquiv(extracted, gold) ? 1 : 0 };
}

/** The per-subject metric name: lm-eval's metric and subject task names (`exact_match_hendrycks_math_algebra`). */
export function subjectMetricName(subject: HendrycksMathSubject): string {
  return `exact_match_${subject}`;
}

/** lm-eval's `pooled_sample_stderr`, for a group weighted by size. */
function pooledStandardError(groups: readonly { stderr: number; size: number }[]): number {
  let pooledVariance = 0;
  let total = 0;
  for (const { stderr, size } of groups) {
    // A one-problem subject has no sample variance (lm-eval fails on it); here it adds nothing.
    if (size > 1) pooledVariance += (size - 1) * stderr ** 2 * size;
    total += size;
  }
  return Math.sqrt(pooledVariance / (total - groups.length) / total);
}

/**
 * lm-eval's results for the `hendrycks_math` group: `exact_match_<subject task>` as each subject task's mean with
 * its standard error, and `exact_match` as the group's, the subjects' means weighted by their sizes
 * (`weight_by_size: true`, so every problem counts once) with the pooled standard error.
 */
export function aggregateHendrycksMath(
  samples: readonly ScoredSampleV1[],
): Record<string, AggregateMetricV1> {
  const bySubject = new Map<string, number[]>();
  for (const sample of samples) {
    const value = sample.metrics.exact_match;
    const subject = sample.metadata.subject;
    if (typeof value !== 'number' || typeof subject !== 'string') continue;
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), value]);
  }
  const result: Record<string, AggregateMetricV1> = {};
  const stats: { value: number; stderr: number; size: number }[] = [];
  for (const subject of hendrycksMathSubjectTasks) {
    const values = bySubject.get(subject);
    if (values === undefined) continue;
    const value = values.reduce((sum, x) => sum + x, 0) / values.length;
    const stderr = standardErrorOfMean(values);
    stats.push({ value, stderr, size: values.length });
    result[subjectMetricName(subject)] = Number.isFinite(stderr) ? { value, stderr } : { value };
  }
  const size = stats.reduce((sum, entry) => sum + entry.size, 0);
  if (size > 0) {
    const value = stats.reduce((sum, entry) => sum + entry.value * entry.size, 0) / size;
    const stderr = pooledStandardError(stats);
    result.exact_match = Number.isFinite(stderr) ? { value, stderr } : { value };
  }
  return { ...(result.exact_match ? { exact_match: result.exact_match } : {}), ...result };
}
