import {
  type AggregateMetricV1,
  ConfigurationError,
  describeError,
  type JudgeV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type ScoreContextV1,
  type ScoredSampleV1,
  standardErrorOfMean,
} from '@evalchemy/core';
import { taskCategorySlugs, taskCategoryWeights, type WildBenchTask } from './wildbench-data.js';
import {
  buildPairwisePrompt,
  buildScorePrompt,
  clearOutput,
  emptyResponseText,
  type PairwiseOrder,
  pythonLength,
  pythonStrip,
  shorten,
  truncatedSuffix,
} from './wildbench-judge-prompt.js';
import type { WildBenchOptions } from './wildbench-options.js';
import { type PairwiseChoice, parseChoice, parseScore } from './wildbench-verdict.js';

/** Separator of the task categories in a sample's `task_categories` metadata. */
export const categorySeparator = '|';

/** A WildBench task with what scoring needs beyond the dataset row. */
export interface WildBenchSampleData extends WildBenchTask {
  /** Reward mode: WildBench's `random.random()` draw for this row (A is the model's answer when < 0.5). */
  draw?: number;
}

interface JudgeCall {
  judgment: string;
  error?: string;
}

async function askJudge(
  judge: JudgeV1,
  prompt: string,
  options: WildBenchOptions,
  signal: AbortSignal,
): Promise<JudgeCall> {
  try {
    const answer = await judge.judge(
      {
        messages: [{ role: 'user', content: prompt }],
        // WildBench and Evalchemy: temperature 0, JSON mode; Evalchemy raises max_tokens to 4096.
        parameters: { temperature: 0, maxTokens: options.judge_max_tokens, responseFormat: 'json' },
      },
      { signal },
    );
    return { judgment: answer.text };
  } catch (error) {
    if (signal.aborted) throw error;
    return { judgment: '', error: describeError(error) };
  }
}

function judgeOf(context: ScoreContextV1<WildBenchOptions>): JudgeV1 {
  const judge = context.judges.judge;
  if (judge === undefined) {
    throw new ConfigurationError('wildbench needs an LLM judge, but none was configured for this run.');
  }
  return judge;
}

function answerOf(task: WildBenchTask, responses: SampleResponsesV1): string {
  const text = responses.type === 'generate' ? responses.generations[0]?.[0]?.text : undefined;
  if (text === undefined) throw new Error(`wildbench task ${task.sessionId}: expected the model's answer.`);
  return clearOutput(text);
}

function judged(call: JudgeCall, parsed: boolean): Pick<SampleScoreV1, 'judgeAudit' | 'warnings'> {
  return {
    judgeAudit: {
      judge: {
        verdicts: call.error === undefined ? 1 : 0,
        unparsable: call.error === undefined && !parsed ? 1 : 0,
      },
    },
    ...(call.error === undefined
      ? {}
      : {
          warnings: [
            { type: 'other' as const, message: `judge call failed, task left unscored: ${call.error}` },
          ],
        }),
  };
}

/**
 * Score mode: one judge call with `eval_template.score.v2.md`. Per sample: `score` (the judge's 1-10, null when
 * unparsable), `WB_Score` (the same rescaled as WildBench, (score - 5) * 2 * 10), `output_length` (characters of
 * the answer as the judge saw it; null when cut or empty, which WildBench leaves out of the average length),
 * `judge_unparsable` and `judge_errors`.
 */
export async function scoreWithRating(
  task: WildBenchSampleData,
  responses: SampleResponsesV1,
  context: ScoreContextV1<WildBenchOptions>,
): Promise<SampleScoreV1> {
  const judge = judgeOf(context);
  const answer = answerOf(task, responses);
  const prompt = buildScorePrompt(task, answer, context.options.max_words);
  const call = await askJudge(judge, prompt, context.options, context.signal);
  const score = call.error === undefined ? parseScore(call.judgment) : undefined;
  const shown = pythonStrip(shorten(answer, context.options.max_words));
  const length = shown.endsWith(truncatedSuffix) || shown === '' ? null : pythonLength(shown);
  return {
    metrics: {
      WB_Score: score === undefined ? null : (score - 5) * 2 * 10,
      score: score ?? null,
      output_length: length,
      judge_unparsable: call.error === undefined && score === undefined ? 1 : 0,
      judge_errors: call.error === undefined ? 0 : 1,
    },
    extracted: score ?? null,
    details: {
      judge_model: judge.modelId,
      judgment: call.judgment,
      ...(call.error === undefined ? {} : { error: call.error }),
    },
    ...judged(call, score !== undefined),
  };
}

type Outcome = 'win_much' | 'win' | 'tie' | 'lose' | 'lose_much';
const outcomes: readonly Outcome[] = ['win_much', 'win', 'tie', 'lose', 'lose_much'];

/**
 * WildBench's leaderboard label of one parsed pairwise verdict for the tested model (`_create_tables.py`): a
 * slight win of an answer more than `lengthPenalty` characters longer than the other's counts as a tie (K; -1
 * disables); much better is never penalised.
 */
export function outcomeOf(
  choice: PairwiseChoice,
  order: PairwiseOrder,
  modelLength: number,
  referenceLength: number,
  lengthPenalty: number,
): Outcome {
  if (choice.winner === 'tie') return 'tie';
  const modelWon = (choice.winner === 'A') === (order === 'model-first');
  if (modelWon) {
    if (choice.extent === 2) return 'win_much';
    return lengthPenalty >= 0 && modelLength > referenceLength + lengthPenalty ? 'tie' : 'win';
  }
  if (choice.extent === 2) return 'lose_much';
  return lengthPenalty >= 0 && referenceLength > modelLength + lengthPenalty ? 'tie' : 'lose';
}

const rewardOf: Readonly<Record<Outcome, number>> = {
  win_much: 1,
  win: 0.5,
  tie: 0,
  lose: -0.5,
  lose_much: -1,
};

/**
 * Reward mode: one judge call with `eval_template.pairwise.v2.md`, the model's answer against the reference
 * model's, in WildBench's seeded A/B order. Per sample: `WB_Reward` (100 for much better, 50, 0, -50, -100 for
 * much worse; null when unparsable; 0 when either answer was cut or empty, which WildBench's leaderboard leaves out
 * of the win/tie/loss counts but not out of the total), one 0/1 indicator per outcome, `excluded` (1 for a cut or
 * empty answer), `output_length`, `judge_unparsable`, `judge_errors`.
 */
export async function scoreWithReward(
  task: WildBenchSampleData,
  responses: SampleResponsesV1,
  context: ScoreContextV1<WildBenchOptions>,
): Promise<SampleScoreV1> {
  const judge = judgeOf(context);
  if (task.referenceOutput === undefined || task.draw === undefined) {
    throw new Error(
      `wildbench task ${task.sessionId}: reward mode needs the reference answer, loaded in reward mode.`,
    );
  }
  const answer = answerOf(task, responses);
  const pairwise = buildPairwisePrompt(
    task,
    answer,
    task.referenceOutput,
    task.draw,
    context.options.max_words,
  );
  const call = await askJudge(judge, pairwise.prompt, context.options, context.signal);
  const choice = call.error === undefined ? parseChoice(call.judgment) : undefined;
  const modelShown = pairwise.shownModelOutput;
  const referenceShown = pairwise.shownReferenceOutput;
  const excluded = [modelShown, referenceShown].some(
    (shown) => shown.endsWith(truncatedSuffix) || shown === emptyResponseText,
  );
  const modelLength = pythonLength(modelShown);
  const outcome =
    choice === undefined || excluded
      ? undefined
      : outcomeOf(
          choice,
          pairwise.order,
          modelLength,
          pythonLength(referenceShown),
          context.options.length_penalty,
        );
  const indicators = Object.fromEntries(
    outcomes.map((name) => [name, choice === undefined ? null : outcome === name ? 1 : 0]),
  );
  return {
    metrics: {
      WB_Reward: choice === undefined ? null : outcome === undefined ? 0 : rewardOf[outcome] * 100,
      ...indicators,
      excluded: choice === undefined ? null : excluded ? 1 : 0,
      output_length: choice === undefined || excluded ? null : modelLength,
      judge_unparsable: call.error === undefined && choice === undefined ? 1 : 0,
      judge_errors: call.error === undefined ? 0 : 1,
    },
    extracted: choice?.choice ?? null,
    details: {
      judge_model: judge.modelId,
      reference_model: context.options.reference_model,
      order: pairwise.order,
      judgment: call.judgment,
      ...(outcome === undefined ? {} : { outcome }),
      ...(call.error === undefined ? {} : { error: call.error }),
    },
    ...judged(call, choice !== undefined),
  };
}

function categoriesOf(sample: ScoredSampleV1): string[] {
  const value = sample.metadata.task_categories;
  return typeof value === 'string' && value !== '' ? value.split(categorySeparator) : [];
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function countOf(samples: readonly ScoredSampleV1[], metric: string): number {
  return sum(samples.map((sample) => Number(sample.metrics[metric] ?? 0)));
}

const totalWeight = sum(Object.values(taskCategoryWeights));

/**
 * The weighted task macro average of WildBench's leaderboard and Evalchemy: the categories present, each times
 * its weight, over the sum of all five weights (so a run missing a category scores lower, as in Evalchemy).
 */
function weightedMacro(byCategory: ReadonlyMap<string, number>): number {
  return (
    sum([...byCategory].map(([category, value]) => value * taskCategoryWeights[category]!)) / totalWeight
  );
}

function withStderr(value: number, values: readonly number[], scale: number): AggregateMetricV1 {
  const stderr = standardErrorOfMean(values) * scale;
  return Number.isFinite(stderr) ? { value, stderr } : { value };
}

/**
 * Score-mode corpus metrics as Evalchemy's `process_evaluator_output` and WildBench's leaderboard (× 10): over
 * the samples with a parsed rating, `WB_Score` (primary) = the weighted macro average of the categories'
 * (mean - 5) * 2 * 10; `WB_Score_overall` = (mean - 5) * 2 * 10; `score` = the mean 1-10 rating;
 * `WB_Score_<category>`; `avg_length`; `scored`, `judge_unparsable`, `judge_errors`.
 */
export function aggregateScores(
  samples: readonly ScoredSampleV1[],
): Record<string, AggregateMetricV1 | number> {
  const rated = samples.filter((sample) => typeof sample.metrics.score === 'number');
  const metrics: Record<string, AggregateMetricV1 | number> = {
    scored: rated.length,
    judge_unparsable: countOf(samples, 'judge_unparsable'),
    judge_errors: countOf(samples, 'judge_errors'),
  };
  const lengths = samples.flatMap((sample) =>
    typeof sample.metrics.score === 'number' && typeof sample.metrics.output_length === 'number'
      ? [sample.metrics.output_length]
      : [],
  );
  metrics.avg_length = lengths.length > 0 ? sum(lengths) / lengths.length : 0;
  if (rated.length === 0) return metrics;
  const scores = rated.map((sample) => sample.metrics.score as number);
  const byCategoryScores = new Map<string, number[]>();
  for (const sample of rated) {
    for (const category of categoriesOf(sample)) {
      const list = byCategoryScores.get(category) ?? [];
      byCategoryScores.set(category, list);
      list.push(sample.metrics.score as number);
    }
  }
  const byCategory = new Map(
    [...byCategoryScores].map(([category, values]) => [category, (sum(values) / values.length - 5) * 2]),
  );
  const average = sum(scores) / scores.length;
  metrics.WB_Score = weightedMacro(byCategory) * 10;
  metrics.WB_Score_overall = withStderr((average - 5) * 2 * 10, scores, 20);
  metrics.score = withStderr(average, scores, 1);
  // The same quantities under the keys of Evalchemy's process_evaluator_output, on its scale (no × 10).
  metrics.adjusted_score = withStderr((average - 5) * 2, scores, 2);
  metrics.task_macro_score = weightedMacro(byCategory);
  metrics.adjusted_task_macro_score = weightedMacro(byCategory);
  metrics.avg_output_length = metrics.avg_length;
  for (const category of Object.keys(taskCategoryWeights)) {
    const values = byCategoryScores.get(category);
    if (values === undefined) continue;
    metrics[`WB_Score_${taskCategorySlugs[category]}`] = withStderr(
      byCategory.get(category)! * 10,
      values,
      20,
    );
  }
  return metrics;
}

function rewardFromCounts(counts: Readonly<Record<Outcome, number>>, total: number): number {
  // WildBench's expression, in its order of operations.
  return (
    (counts.win * 0.5 + counts.win_much * 1 + counts.tie * 0 - counts.lose * 0.5 - counts.lose_much * 1) /
    total
  );
}

/**
 * Reward-mode corpus metrics as WildBench's leaderboard (`_create_tables.py`, × 100): over the samples with a
 * parsed choice, `WB_Reward` (primary) = (win_much + win / 2 - lose / 2 - lose_much) / total * 100;
 * `WB_Reward_task_macro` = the weighted macro average of the categories' rewards; `WB_Reward_<category>`; the
 * share of each outcome (`win_much_rate` … `lose_much_rate`, of the total); `excluded`; `avg_length`; `scored`,
 * `judge_unparsable`, `judge_errors`.
 */
export function aggregateRewards(
  samples: readonly ScoredSampleV1[],
): Record<string, AggregateMetricV1 | number> {
  const parsed = samples.filter((sample) => typeof sample.metrics.WB_Reward === 'number');
  const metrics: Record<string, AggregateMetricV1 | number> = {
    scored: parsed.length,
    excluded: countOf(parsed, 'excluded'),
    judge_unparsable: countOf(samples, 'judge_unparsable'),
    judge_errors: countOf(samples, 'judge_errors'),
  };
  const lengths = parsed.flatMap((sample) =>
    typeof sample.metrics.output_length === 'number' ? [sample.metrics.output_length] : [],
  );
  metrics.avg_length = lengths.length > 0 ? sum(lengths) / lengths.length : 0;
  if (parsed.length === 0) return metrics;
  const counts = Object.fromEntries(outcomes.map((name) => [name, countOf(parsed, name)])) as Record<
    Outcome,
    number
  >;
  const byCategoryCounts = new Map<string, Record<Outcome, number>>();
  for (const sample of parsed) {
    const outcome = outcomes.find((name) => sample.metrics[name] === 1);
    if (outcome === undefined) continue;
    for (const category of categoriesOf(sample)) {
      const tally = byCategoryCounts.get(category) ?? { win_much: 0, win: 0, tie: 0, lose: 0, lose_much: 0 };
      byCategoryCounts.set(category, tally);
      tally[outcome] += 1;
    }
  }
  const byCategory = new Map(
    [...byCategoryCounts].map(([category, tally]) => [
      category,
      rewardFromCounts(tally, sum(Object.values(tally))),
    ]),
  );
  const rewards = parsed.map((sample) => sample.metrics.WB_Reward as number);
  metrics.WB_Reward = withStderr(rewardFromCounts(counts, parsed.length) * 100, rewards, 1);
  metrics.WB_Reward_task_macro = weightedMacro(byCategory) * 100;
  for (const category of Object.keys(taskCategoryWeights)) {
    const reward = byCategory.get(category);
    if (reward !== undefined) metrics[`WB_Reward_${taskCategorySlugs[category]}`] = reward * 100;
  }
  for (const name of outcomes) metrics[`${name}_rate`] = counts[name] / parsed.length;
  return metrics;
}
