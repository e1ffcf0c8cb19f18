import {
  type AggregateMetricV1,
  ConfigurationError,
  describeError,
  type SampleResponsesV1,
  type SampleScoreV1,
  type ScoreContextV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import type { MTBenchQuestion, OpponentAnswer } from './mtbench-data.js';
import { buildPairwiseJudgeRequest } from './mtbench-judge-prompt.js';
import type { MTBenchOptions } from './mtbench-options.js';

/** A pairwise verdict as FastChat's `run_judge_pair` reads it: assistant A, assistant B, a tie, or none. */
export type PairwiseVerdict = 'A' | 'B' | 'tie' | 'error';

/**
 * The verdict in a pairwise judgment, as FastChat's `run_judge_pair` for the `[[A]]` output format: `A` when
 * the text contains `[[A]]` anywhere, else `B` for `[[B]]`, else `tie` for `[[C]]`, else `error`. Containment,
 * not the first occurrence: a judgment naming both `[[B]]` and `[[A]]` is an `A`.
 */
export function parsePairwiseVerdict(judgment: string): PairwiseVerdict {
  if (judgment.includes('[[A]]')) return 'A';
  if (judgment.includes('[[B]]')) return 'B';
  if (judgment.includes('[[C]]')) return 'tie';
  return 'error';
}

/** FastChat's winner of one judgment: the evaluated model (`model_1`), the opponent (`model_2`), a tie, none. */
export type PairwiseWinner = 'model_1' | 'model_2' | 'tie' | 'error';

/** One judgment of a game, kept in the sample's details. */
export interface PairwiseJudgment {
  /** FastChat judge prompt name, e.g. `pair-v2-multi-turn`. */
  judge_prompt: string;
  /** The judge's raw answer (empty when the judge call failed). */
  judgment: string;
  /** What the judgment says about assistant A and B. */
  verdict: PairwiseVerdict;
  /** The verdict mapped to the models (FastChat's `g1_winner` / `g2_winner`). */
  winner: PairwiseWinner;
  /** Why the judge call failed after the backend's retries, when it did. */
  error?: string;
}

/**
 * One game: one turn of one question, the evaluated model (`model_1`) against one opponent (`model_2`),
 * judged in both orders as FastChat's `play_a_match_pair`: g1 shows the model as assistant A, g2 as B.
 */
export interface PairwiseGame {
  /** The opponent's name (a pregenerated answer file). */
  model_2: string;
  /** 1 or 2. */
  turn: number;
  g1: PairwiseJudgment;
  g2: PairwiseJudgment;
  /**
   * For the evaluated model, as FastChat's `display_result_pairwise`: `win`/`loss` when both orders name the
   * same winner, `tie` when either order says tie or the orders disagree, null (left out of every count) when
   * either judgment is an `error`.
   */
  outcome: 'win' | 'loss' | 'tie' | null;
}

/** The outcome FastChat's `display_result_pairwise` counts for model_1 given the two orders' winners. */
export function gameOutcome(g1: PairwiseWinner, g2: PairwiseWinner): PairwiseGame['outcome'] {
  if (g1 === 'error' || g2 === 'error') return null;
  if (g1 === 'tie' || g1 !== g2) return 'tie';
  return g1 === 'model_1' ? 'win' : 'loss';
}

const outcomes = ['win', 'loss', 'tie'] as const;

/** FastChat's g1_map and g2_map: g1 shows the model as A, g2 shows it as B. */
const winnerOf = [
  { A: 'model_1', B: 'model_2' },
  { A: 'model_2', B: 'model_1' },
] as const;

/** `(win + 0.5·tie) / (win + loss + tie)`, FastChat's `win_rate_adjusted`; null without a counted game. */
function adjustedWinRate(win: number, loss: number, tie: number): number | null {
  const total = win + loss + tie;
  return total === 0 ? null : (win + 0.5 * tie) / total;
}

/**
 * Judges both turns of one question against each opponent in both orders (FastChat's pairwise modes: four
 * judge calls per opponent). Per-sample metrics: `win`, `loss`, `tie` (this question's counted games),
 * the same per turn (`win_turn_1`, …), `win_rate_adjusted` (null when no game counted), `judge_parse_failures`
 * (judgments without a verdict) and `judge_errors` (judge calls that failed after the backend's retries). A
 * game with an unparsable or failed judgment is left out of the counts, as FastChat drops its `error` rows.
 */
export async function scoreMTBenchPairwiseSample(
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
  const opponents: readonly OpponentAnswer[] = question.opponents ?? [];
  if (opponents.length === 0) {
    throw new Error(
      `mtbench question ${question.questionId} was loaded without the answers to compare with.`,
    );
  }

  const judgeOnce = async (
    opponent: OpponentAnswer,
    turn: 0 | 1,
    order: 0 | 1,
    call: number,
  ): Promise<PairwiseJudgment> => {
    const [answersA, answersB] = order === 0 ? [answers, opponent.turns] : [opponent.turns, answers];
    const request = buildPairwiseJudgeRequest(
      question,
      answersA,
      answersB,
      turn,
      context.options.judge_max_tokens,
    );
    try {
      const answer = await judge.judge(
        { messages: request.messages, parameters: request.parameters, call },
        { signal: context.signal },
      );
      const verdict = parsePairwiseVerdict(answer.text);
      const winner = verdict === 'A' || verdict === 'B' ? winnerOf[order][verdict] : verdict;
      return { judge_prompt: request.judgePrompt, judgment: answer.text, verdict, winner };
    } catch (error) {
      if (context.signal.aborted) throw error;
      return {
        judge_prompt: request.judgePrompt,
        judgment: '',
        verdict: 'error',
        winner: 'error',
        error: describeError(error),
      };
    }
  };

  const games = await Promise.all(
    opponents.flatMap((opponent, index) =>
      ([0, 1] as const).map(async (turn): Promise<PairwiseGame> => {
        const call = index * 4 + turn * 2;
        const [g1, g2] = await Promise.all([
          judgeOnce(opponent, turn, 0, call),
          judgeOnce(opponent, turn, 1, call + 1),
        ]);
        return {
          model_2: opponent.model,
          turn: turn + 1,
          g1,
          g2,
          outcome: gameOutcome(g1.winner, g2.winner),
        };
      }),
    ),
  );

  const metrics: Record<string, number | null> = {};
  for (const outcome of outcomes) {
    metrics[outcome] = games.filter((game) => game.outcome === outcome).length;
  }
  metrics.win_rate_adjusted = adjustedWinRate(metrics.win!, metrics.loss!, metrics.tie!);
  for (const turn of [1, 2]) {
    for (const outcome of outcomes) {
      metrics[`${outcome}_turn_${turn}`] = games.filter(
        (game) => game.turn === turn && game.outcome === outcome,
      ).length;
    }
  }
  const judgments = games.flatMap((game) => [game.g1, game.g2]);
  const failed = judgments.filter((judgment) => judgment.error !== undefined);
  const unparsable = judgments.filter(
    (judgment) => judgment.error === undefined && judgment.verdict === 'error',
  );
  metrics.judge_parse_failures = unparsable.length;
  metrics.judge_errors = failed.length;
  const swapped = games.filter((game) => game.g1.verdict !== 'error' && game.g2.verdict !== 'error');

  const failedGames = games.flatMap((game) =>
    [game.g1, game.g2]
      .filter((judgment) => judgment.error !== undefined)
      .map((judgment) => ({ game, judgment })),
  );
  return {
    metrics,
    extracted: games.map((game) => ({
      model_2: game.model_2,
      turn: game.turn,
      g1: game.g1.winner,
      g2: game.g2.winner,
    })),
    details: { judge_model: judge.modelId, mode: context.options.mode, games },
    judgeAudit: {
      judge: {
        verdicts: judgments.length - failed.length,
        unparsable: unparsable.length,
        swappedPairs: swapped.length,
        consistentPairs: swapped.filter((game) => game.g1.winner === game.g2.winner).length,
      },
    },
    ...(failedGames.length > 0
      ? {
          warnings: failedGames.map(({ game, judgment }) => ({
            type: 'other' as const,
            message: `judge call for turn ${game.turn} against ${game.model_2} (${judgment === game.g1 ? 'model as A' : 'model as B'}) failed, game left uncounted: ${judgment.error}`,
          })),
        }
      : {}),
  };
}

function isGame(value: unknown): value is Pick<PairwiseGame, 'model_2' | 'outcome'> {
  return typeof value === 'object' && value !== null && 'model_2' in value && 'outcome' in value;
}

/**
 * Corpus metrics as FastChat's `display_result_pairwise` for the evaluated model: `win`, `loss`, `tie` summed
 * over every counted game (both turns, every opponent), `win_rate` = win/total, `loss_rate` = loss/total,
 * `win_rate_adjusted` = (win + 0.5·tie)/total. Adds the adjusted win rate per turn, per opponent in
 * pairwise-all (`win_rate_adjusted_vs_<model>`), `judge_parse_failures` and `judge_errors`. Rates are left
 * out when no game counted.
 */
export function aggregateMTBenchPairwise(
  samples: readonly ScoredSampleV1[],
  options: Pick<MTBenchOptions, 'mode'>,
): Record<string, AggregateMetricV1 | number> {
  const sum = (metric: string) =>
    samples.reduce((total, sample) => total + Number(sample.metrics[metric] ?? 0), 0);
  const [win, loss, tie] = [sum('win'), sum('loss'), sum('tie')];
  const total = win + loss + tie;
  const metrics: Record<string, AggregateMetricV1 | number> = {};
  if (total > 0) {
    metrics.win_rate_adjusted = { value: adjustedWinRate(win, loss, tie)! };
    metrics.win_rate = { value: win / total };
    metrics.loss_rate = { value: loss / total };
  }
  Object.assign(metrics, { win, loss, tie });
  for (const turn of [1, 2]) {
    const rate = adjustedWinRate(sum(`win_turn_${turn}`), sum(`loss_turn_${turn}`), sum(`tie_turn_${turn}`));
    if (rate !== null) metrics[`win_rate_adjusted_turn_${turn}`] = { value: rate };
  }
  metrics.judge_parse_failures = sum('judge_parse_failures');
  metrics.judge_errors = sum('judge_errors');
  if (options.mode === 'pairwise-all') {
    const byOpponent = new Map<string, { win: number; loss: number; tie: number }>();
    for (const sample of samples) {
      const games = sample.details?.games;
      if (!Array.isArray(games)) continue;
      for (const game of games) {
        if (!isGame(game)) continue;
        const counts = byOpponent.get(game.model_2) ?? { win: 0, loss: 0, tie: 0 };
        byOpponent.set(game.model_2, counts);
        if (game.outcome !== null) counts[game.outcome] += 1;
      }
    }
    for (const [opponent, counts] of byOpponent) {
      const rate = adjustedWinRate(counts.win, counts.loss, counts.tie);
      if (rate !== null) metrics[`win_rate_adjusted_vs_${opponent}`] = { value: rate };
    }
  }
  return metrics;
}
