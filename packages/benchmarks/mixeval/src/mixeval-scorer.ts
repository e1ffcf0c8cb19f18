import {
  type AggregateMetricV1,
  ConfigurationError,
  type GenerationParametersV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type ScoreContextV1,
  type ScoredSampleV1,
  standardErrorOfMean,
} from '@evalchemy/core';
import type { MixEvalItem } from './mixeval-data.js';
import type { MixEvalOptions } from './mixeval-options.js';
import {
  extractBaseModelResponse,
  isValidJudgeScore,
  parseJudgeOption,
  parseJudgeScore,
  pythonRound,
} from './mixeval-parser.js';
import {
  buildFreeFormJudgeMessages,
  buildMultipleChoiceJudgeMessages,
  type MixEvalSplit,
} from './mixeval-prompts.js';

/** What a MixEval sample carries: the item and the run's seed (for the fallback of unparsed verdicts). */
export interface MixEvalSampleData extends MixEvalItem {
  seed: number;
}

/** Judge role of each split: MixEval's `--freeform_judge` and `--multichoice_judge`. */
export const judgeRoles: Readonly<Record<MixEvalSplit, string>> = {
  'free-form': 'freeform_judge',
  'multiple-choice': 'multichoice_judge',
};

/** A 32-bit FNV-1a hash, seeding the fallback draw of one item. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

/** One uniform draw in [0, 1) from a seed (mulberry32's first output). */
function uniform(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * The score or option MixEval assigns at random to an item whose verdict never parsed: `round(random(), 1)`
 * (free-form) or one of the item's option letters. Drawn from the run's seed and the item, so a re-run
 * scores the same.
 */
export function fallbackVerdict(item: MixEvalSampleData): number | string {
  const draw = uniform(hash(`${item.seed}|${item.split}|${item.id}`));
  if (item.split === 'free-form') return pythonRound(draw, 1);
  const letters = (item.options ?? []).map((_, index) => String.fromCharCode(65 + index));
  return letters[Math.floor(draw * letters.length)]!;
}

/**
 * Scores one item as MixEval's model parser: the judge of the item's split is asked (same messages each
 * round; rounds after the first carry `seed: round` so that they are new requests, not cached repeats) until
 * its verdict parses, at most `parse_rounds` times. Free-form: the `[[score]]` in [0, 1] is the item's score.
 * Multiple-choice: the `[[X]]` letter scores 1 when it is the target's letter. A failed judge call fails the
 * sample.
 */
export async function scoreMixEvalSample(
  item: MixEvalSampleData,
  responses: SampleResponsesV1,
  context: ScoreContextV1<MixEvalOptions>,
): Promise<SampleScoreV1> {
  const role = judgeRoles[item.split];
  const judge = context.judges[role];
  if (judge === undefined) {
    throw new ConfigurationError(
      `MixEval's ${item.split} split needs an LLM parser judge (role "${role}"), but none was configured.`,
    );
  }
  const answer = responses.type === 'generate' ? responses.generations[0]?.[0]?.text : undefined;
  if (answer === undefined) {
    throw new Error(`MixEval ${item.split} item ${item.id}: expected the model's answer.`);
  }
  const extracted =
    context.plan.type === 'completion' && context.options.extract_base_model_response
      ? extractBaseModelResponse(answer, item.split)
      : answer;
  const messages =
    item.split === 'free-form'
      ? buildFreeFormJudgeMessages(item.prompt, item.target.map(String), extracted)
      : buildMultipleChoiceJudgeMessages(item.prompt, item.options ?? [], extracted);
  // No temperature: MixEval sends none (the API's default).
  const parameters: GenerationParametersV1 = { maxTokens: context.options.judge_max_tokens };
  const judgments: string[] = [];
  let verdict: number | string | undefined;
  for (let round = 0; round < context.options.parse_rounds && verdict === undefined; round++) {
    const reply = await judge.judge(
      { messages, parameters: round === 0 ? parameters : { ...parameters, seed: round }, call: round },
      { signal: context.signal },
    );
    judgments.push(reply.text);
    if (item.split === 'free-form') {
      const score = parseJudgeScore(reply.text);
      if (isValidJudgeScore(score)) verdict = score;
    } else {
      verdict = parseJudgeOption(reply.text);
    }
  }
  const unparsed = verdict === undefined;
  const final = verdict ?? fallbackVerdict(item);
  const targetLetter =
    item.split === 'multiple-choice' ? String.fromCharCode(65 + Number(item.target[0])) : undefined;
  const score = item.split === 'free-form' ? Number(final) : final === targetLetter ? 1 : 0;
  return {
    metrics: { score, parser_fallback: unparsed ? 1 : 0, judge_calls: judgments.length },
    extracted: final,
    details: {
      judge_model: judge.modelId,
      judgments,
      ...(targetLetter === undefined ? {} : { target_option: targetLetter }),
      ...(extracted === answer ? {} : { judged_response: extracted }),
      ...(unparsed ? { fallback: final } : {}),
    },
    judgeAudit: { [role]: { verdicts: 1, unparsable: unparsed ? 1 : 0 } },
    ...(unparsed
      ? {
          warnings: [
            {
              type: 'other' as const,
              message: `the parser judge gave no valid verdict in ${judgments.length} rounds; ${
                item.split === 'free-form' ? 'score' : 'option'
              } ${final} assigned at random, as MixEval does`,
            },
          ],
        }
      : {}),
  };
}

/** MixEval's per-split score: the mean of the listed scores rounded to 3 decimals, and how many there are. */
interface SplitScores {
  values: Map<string, number>;
  counts: Map<string, number>;
}

function splitScores(samples: readonly ScoredSampleV1[]): SplitScores {
  const lists = new Map<string, number[]>();
  for (const sample of samples) {
    const score = Number(sample.metrics.score);
    for (const key of ['overall', String(sample.metadata.benchmark_name)]) {
      const list = lists.get(key) ?? [];
      lists.set(key, list);
      list.push(score);
    }
  }
  const values = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const [key, list] of lists) {
    // Python's sum(): left to right.
    let sum = 0;
    for (const value of list) sum += value;
    values.set(key, pythonRound(sum / list.length, 3));
    counts.set(key, list.length);
  }
  return { values, counts };
}

/**
 * The order MixEval lists judged items in before it sums their scores: those parsed in round 1 in data order,
 * then those parsed in round 2, …, then those given a random verdict. Sums of free-form scores depend on it
 * in the last bits.
 */
function inJudgedOrder(samples: readonly ScoredSampleV1[]): ScoredSampleV1[] {
  const round = (sample: ScoredSampleV1) =>
    Number(sample.metrics.judge_calls ?? 1) - 1 + Number(sample.metrics.parser_fallback ?? 0);
  return [...samples].sort(
    (a, b) => round(a) - round(b) || Number(a.metadata.index) - Number(b.metadata.index),
  );
}

function meanWithStderr(value: number, scores: readonly number[]): AggregateMetricV1 {
  const stderr = standardErrorOfMean(scores);
  return Number.isFinite(stderr) ? { value, stderr } : { value };
}

/**
 * MixEval's `compute_metric`: per split, the mean score overall and per source benchmark, each rounded to 3
 * decimals; then per key the splits' values weighted by their item counts (not rounded again).
 * `score` is MixEval's `overall`, its reported score (0-1; the leaderboard shows it x100), `score_<benchmark>`
 * each source benchmark's; `score_free_form` / `score_multiple_choice` are the splits' (rounded) scores.
 * `parser_fallbacks_*` count the items scored at random because no verdict parsed; `judge_calls` the
 * parser requests.
 */
export function aggregateMixEval(
  samples: readonly ScoredSampleV1[],
): Record<string, AggregateMetricV1 | number> {
  const freeForm = inJudgedOrder(samples.filter((sample) => sample.metadata.split === 'free-form'));
  const multipleChoice = inJudgedOrder(
    samples.filter((sample) => sample.metadata.split === 'multiple-choice'),
  );
  const ff = splitScores(freeForm);
  const mp = splitScores(multipleChoice);
  const combined = new Map<string, number>();
  for (const key of new Set([...mp.values.keys(), ...ff.values.keys()])) {
    const ffCount = ff.counts.get(key) ?? 0;
    const mpCount = mp.counts.get(key) ?? 0;
    combined.set(
      key,
      (ff.values.get(key) ?? 0) * (ffCount / (ffCount + mpCount)) +
        (mp.values.get(key) ?? 0) * (mpCount / (ffCount + mpCount)),
    );
  }
  const scores = (list: readonly ScoredSampleV1[]) => list.map((sample) => Number(sample.metrics.score));
  const metrics: Record<string, AggregateMetricV1 | number> = {};
  if (combined.has('overall')) {
    // The weighted split means equal the pooled mean (before rounding): its standard error is the pooled one.
    metrics.score = meanWithStderr(combined.get('overall')!, scores([...freeForm, ...multipleChoice]));
  }
  if (ff.values.has('overall'))
    metrics.score_free_form = meanWithStderr(ff.values.get('overall')!, scores(freeForm));
  if (mp.values.has('overall')) {
    metrics.score_multiple_choice = meanWithStderr(mp.values.get('overall')!, scores(multipleChoice));
  }
  const benchmarks = [...combined.keys()]
    .filter((key) => key !== 'overall')
    .sort((a, b) => a.localeCompare(b));
  for (const benchmark of benchmarks) metrics[`score_${benchmark}`] = combined.get(benchmark)!;
  const fallbacks = (list: readonly ScoredSampleV1[]) =>
    list.reduce((sum, sample) => sum + Number(sample.metrics.parser_fallback ?? 0), 0);
  metrics.parser_fallbacks_free_form = fallbacks(freeForm);
  metrics.parser_fallbacks_multiple_choice = fallbacks(multipleChoice);
  metrics.judge_calls = samples.reduce((sum, sample) => sum + Number(sample.metrics.judge_calls ?? 0), 0);
  return metrics;
}
