import {
  type AggregateMetricV1,
  ConfigurationError,
  describeError,
  mean,
  type SampleResponsesV1,
  type SampleScoreV1,
  type ScoreContextV1,
  type ScoredSampleV1,
  standardErrorOfMean,
} from '@evalchemy/core';
import type { MTBenchQuestion } from './mtbench-data.js';
import { buildJudgeRequest } from './mtbench-judge-prompt.js';
import { type MTBenchOptions, mtBenchCategories } from './mtbench-options.js';

const doubleBracketRating = /\[\[(\d+\.?\d*)\]\]/;
const singleBracketRating = /\[(\d+\.?\d*)\]/;

/**
 * The rating in a judgment, as FastChat's `run_judge_single`: the first `[[n]]`, else the first `[n]`;
 * -1 when there is none.
 */
export function parseRating(judgment: string): number {
  const match = doubleBracketRating.exec(judgment) ?? singleBracketRating.exec(judgment);
  return match === null ? -1 : Number(match[1]);
}

/** One judged turn, kept in the sample's details. */
export interface TurnJudgment {
  /** 1 or 2. */
  turn: number;
  /** FastChat judge prompt name. */
  judge_prompt: string;
  /** The judge's raw answer (empty when the judge call failed). */
  judgment: string;
  /** Parsed rating; -1 when the judgment holds none or the call failed (left out of every mean). */
  rating: number;
  /** Why the judge call failed after the backend's retries, when it did. */
  error?: string;
}

/**
 * Judges both turns of one question (FastChat's single-answer grading: one judge call per turn). Per-sample
 * metrics: `score_turn_1`, `score_turn_2` (null when the turn has no rating), `score` (mean of this
 * question's valid ratings), `judge_parse_failures` (judgments without a rating, 0–2) and `judge_errors`
 * (judge calls that failed after the backend's retries, 0–2). A failed call costs only its turn, as in
 * FastChat, whose judge gives up with the answer `$ERROR$` and so the rating -1.
 */
export async function scoreMTBenchSample(
  question: MTBenchQuestion,
  responses: SampleResponsesV1,
  context: ScoreContextV1<MTBenchOptions>,
): Promise<SampleScoreV1> {
  const judge = context.judges.judge;
  if (judge === undefined) {
    throw new ConfigurationError('mtbench needs an LLM judge, but none was configured for this run.');
  }
  const answers =
    responses.type === 'generate' ? responses.generations[0]?.map((turn) => turn.text) : undefined;
  if (answers === undefined || answers.length < 2) {
    throw new Error(`mtbench question ${question.questionId}: expected the model's answers to both turns.`);
  }
  const judgments = await Promise.all(
    ([0, 1] as const).map(async (turn): Promise<TurnJudgment> => {
      const request = buildJudgeRequest(question, answers, turn, context.options.judge_max_tokens);
      const judged = { turn: turn + 1, judge_prompt: request.judgePrompt };
      try {
        const answer = await judge.judge(
          { messages: request.messages, parameters: request.parameters, call: turn },
          { signal: context.signal },
        );
        return { ...judged, judgment: answer.text, rating: parseRating(answer.text) };
      } catch (error) {
        if (context.signal.aborted) throw error;
        return { ...judged, judgment: '', rating: -1, error: describeError(error) };
      }
    }),
  );
  const ratings = judgments.map((judgment) => (judgment.rating === -1 ? null : judgment.rating));
  const valid = ratings.filter((rating): rating is number => rating !== null);
  const failedCalls = judgments.filter((judgment) => judgment.error !== undefined);
  return {
    metrics: {
      score_turn_1: ratings[0] ?? null,
      score_turn_2: ratings[1] ?? null,
      score: valid.length > 0 ? mean(valid) : null,
      judge_parse_failures: ratings.length - valid.length - failedCalls.length,
      judge_errors: failedCalls.length,
    },
    extracted: judgments.map((judgment) => judgment.rating),
    details: { judge_model: judge.modelId, judgments },
    judgeAudit: {
      judge: {
        verdicts: judgments.length - failedCalls.length,
        unparsable: ratings.length - valid.length - failedCalls.length,
      },
    },
    ...(failedCalls.length > 0
      ? {
          warnings: failedCalls.map((judgment) => ({
            type: 'other' as const,
            message: `judge call for turn ${judgment.turn} failed, turn left unrated: ${judgment.error}`,
          })),
        }
      : {}),
  };
}

function meanWithStderr(values: readonly number[]): AggregateMetricV1 {
  const stderr = standardErrorOfMean(values);
  return Number.isFinite(stderr) ? { value: mean(values), stderr } : { value: mean(values) };
}

/**
 * Corpus metrics as FastChat's show_result: ratings of -1 are dropped, `score_turn_1`/`score_turn_2` are the
 * means of each turn's ratings and `score` the mean over every valid turn rating pooled (not the mean of the
 * two turn means). Adds the standard error of each mean, `judge_parse_failures` (judgments without a
 * rating), `judge_errors` (failed judge calls) and `score_<category>` (pooled over both turns of the
 * category's questions).
 */
export function aggregateMTBench(
  samples: readonly ScoredSampleV1[],
): Record<string, AggregateMetricV1 | number> {
  const turn1: number[] = [];
  const turn2: number[] = [];
  const byCategory = new Map<string, number[]>();
  let parseFailures = 0;
  let judgeErrors = 0;
  for (const sample of samples) {
    parseFailures += Number(sample.metrics.judge_parse_failures ?? 0);
    judgeErrors += Number(sample.metrics.judge_errors ?? 0);
    const category = String(sample.metadata.category);
    const pooled = byCategory.get(category) ?? [];
    byCategory.set(category, pooled);
    for (const [key, list] of [
      ['score_turn_1', turn1],
      ['score_turn_2', turn2],
    ] as const) {
      const rating = sample.metrics[key];
      if (typeof rating === 'number') {
        list.push(rating);
        pooled.push(rating);
      }
    }
  }
  const metrics: Record<string, AggregateMetricV1 | number> = {
    score: meanWithStderr([...turn1, ...turn2]),
    score_turn_1: meanWithStderr(turn1),
    score_turn_2: meanWithStderr(turn2),
    judge_parse_failures: parseFailures,
    judge_errors: judgeErrors,
  };
  // Known categories in question.jsonl order, then any others alphabetically.
  const order = (category: string) => {
    const index = (mtBenchCategories as readonly string[]).indexOf(category);
    return index === -1 ? mtBenchCategories.length : index;
  };
  const categories = [...byCategory.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  for (const category of categories) {
    metrics[`score_${category}`] = meanWithStderr(byCategory.get(category)!);
  }
  return metrics;
}
