import {
  type AggregateMetricV1,
  type ChatMessageV1,
  ConfigurationError,
  describeError,
  type JudgeV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type ScoreContextV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import { z } from 'zod';
import { answerStyle } from './answer-style.js';
import type { ArenaHardQuestion } from './arena-hard-data.js';
import { CONTINUE_JUDGMENT_PROMPT, judgeMessages } from './arena-hard-judge-prompt.js';
import type { ArenaHardOptions } from './arena-hard-options.js';
import { type GameVerdict, parseV01Verdict, parseV20Verdict } from './arena-hard-verdict.js';
import {
  type Battle,
  type BattleWinner,
  constructStyleMatrix,
  meanScoreWinRate,
  plainWinRate,
  styleControlledWinRate,
} from './bradley-terry.js';

/** Judge answer limits of the reference configs: v0.1 `judge_config.yaml`, v2.0 `arena-hard-v2.0.yaml`. */
export const DEFAULT_JUDGE_MAX_TOKENS = { 'v0.1': 4096, 'v2.0': 16000 } as const;

/** One judged game, kept in the sample's details. */
export interface GameRecord {
  /** 1: the baseline is assistant A; 2: the order swapped (the model is A). */
  game: 1 | 2;
  /** The parsed label (`A>>B`), null when there was none, or several different ones (v0.1). */
  label: string | null;
  /** The judge's answer; in v0.1 the attempts joined as the reference does ("\n" before each). */
  judgment: string;
  /** Judge calls made for this game (v0.1 asks once more when the first answer holds no label). */
  attempts: number;
  /** Why the judge call failed after the backend's retries, when it did. */
  error?: string;
}

/** One battle of the sample: the winner and how many battles it counts for (`weight` for `>>`). */
export interface BattleRecord {
  winner: BattleWinner;
  count: number;
}

interface JudgedGame {
  record: GameRecord;
  verdict: GameVerdict | null;
}

async function judgeGame(
  judge: JudgeV1,
  game: 1 | 2,
  question: ArenaHardQuestion,
  answer: string,
  context: ScoreContextV1<ArenaHardOptions>,
): Promise<JudgedGame> {
  const { version } = context.options;
  const [answerA, answerB] =
    game === 1 ? [question.baselineAnswer, answer] : [answer, question.baselineAnswer];
  const parameters = {
    temperature: 0,
    maxTokens: context.options.judge_max_tokens ?? DEFAULT_JUDGE_MAX_TOKENS[version],
  };
  const messages: ChatMessageV1[] = judgeMessages(question.prompt, answerA, answerB);
  // v0.1 asks at most twice (number_of_judgment_attempts: 2), v2.0 once.
  const attempts = version === 'v0.1' ? 2 : 1;
  let judgment = '';
  let verdict: GameVerdict | null = null;
  for (let attempt = 0; attempt < attempts; attempt++) {
    let text: string;
    try {
      // Calls 0 and 1 are the two games' first attempts, 2 and 3 their second.
      const reply = await judge.judge(
        { messages: [...messages], parameters, call: game - 1 + 2 * attempt },
        { signal: context.signal },
      );
      text = reply.text;
    } catch (error) {
      if (context.signal.aborted) throw error;
      return {
        record: { game, label: null, judgment, attempts: attempt + 1, error: describeError(error) },
        verdict: null,
      };
    }
    if (version === 'v2.0') {
      judgment = text;
      verdict = parseV20Verdict(text);
      return { record: { game, label: verdict?.label ?? null, judgment, attempts: 1 }, verdict };
    }
    judgment += `\n${text}`;
    const score = parseV01Verdict(judgment);
    verdict = score.verdict;
    if (!score.tryAgain)
      return { record: { game, label: verdict?.label ?? null, judgment, attempts: attempt + 1 }, verdict };
    messages.push({ role: 'assistant', content: text }, { role: 'user', content: CONTINUE_JUDGMENT_PROMPT });
  }
  return { record: { game, label: null, judgment, attempts }, verdict: null };
}

/** The answer the game's verdict prefers: `model`, `baseline` or `tie`; null without a usable verdict. */
function preferredAnswer(game: 1 | 2, verdict: GameVerdict | null): 'model' | 'baseline' | 'tie' | null {
  if (verdict === null || verdict.preferred === null) return null;
  if (verdict.preferred === 'tie') return 'tie';
  const modelIsA = game === 2;
  return (verdict.preferred === 'A') === modelIsA ? 'model' : 'baseline';
}

const winnerOf = { model: 'model_b', baseline: 'model_a', tie: 'tie' } as const;

/**
 * v2.0's `label_to_score` from the model's side: 1 per battle it wins, 0.5 for a tie, `weight` entries
 * for a significant verdict.
 */
function v20Scores(preferred: 'model' | 'baseline' | 'tie', strength: 1 | 2, weight: number): number[] {
  const value = preferred === 'model' ? 1 : preferred === 'tie' ? 0.5 : 0;
  return new Array<number>(strength === 2 ? weight : 1).fill(value);
}

/**
 * Judges one question in both orders (game 1: the baseline is assistant A; game 2: swapped), as
 * arena-hard-auto's gen_judgment. Per-sample metrics: `score` (the model's share of this question's
 * battles, ties half, 0–100; null without a usable verdict), `judge_parse_failures` (games answered
 * without a usable verdict), `judge_errors` (judge calls that failed after the backend's retries) and
 * `token_len` (the model's answer in cl100k_base tokens).
 */
export async function scoreArenaHardSample(
  question: ArenaHardQuestion,
  responses: SampleResponsesV1,
  context: ScoreContextV1<ArenaHardOptions>,
): Promise<SampleScoreV1> {
  const judge = context.judges.judge;
  if (judge === undefined) {
    throw new ConfigurationError('arena_hard needs an LLM judge, but none was configured for this run.');
  }
  const answer = responses.type === 'generate' ? responses.generations[0]?.[0]?.text : undefined;
  if (answer === undefined) {
    throw new Error(`arena_hard question ${question.uid}: expected the model's answer.`);
  }
  const { version, weight } = context.options;
  const games = await Promise.all(
    ([1, 2] as const).map((game) => judgeGame(judge, game, question, answer, context)),
  );
  const preferences = games.map(({ record, verdict }) => preferredAnswer(record.game, verdict));

  const battles: BattleRecord[] = [];
  let scores: number[] = [];
  if (version === 'v0.1') {
    games.forEach(({ verdict }, index) => {
      const preferred = preferences[index];
      if (preferred === null || preferred === undefined || verdict === null) return;
      battles.push({ winner: winnerOf[preferred], count: verdict.strength === 2 ? weight : 1 });
    });
  } else if (preferences[0] != null && preferences[1] != null) {
    // v2.0 keeps a question only when both games have a verdict, game 2's scores first.
    scores = [
      ...v20Scores(preferences[1], games[1]!.verdict!.strength, weight),
      ...v20Scores(preferences[0], games[0]!.verdict!.strength, weight),
    ];
    for (const value of scores) {
      const winner: BattleWinner = value === 1 ? 'model_b' : value === 0 ? 'model_a' : 'tie';
      const last = battles.at(-1);
      if (last?.winner === winner) last.count += 1;
      else battles.push({ winner, count: 1 });
    }
  }
  const points = battles.flatMap((battle) =>
    new Array<number>(battle.count).fill(battle.winner === 'model_b' ? 1 : battle.winner === 'tie' ? 0.5 : 0),
  );

  const modelStyle = answerStyle(answer);
  const answered = games.filter(({ record }) => record.error === undefined);
  const failed = games.filter(({ record }) => record.error !== undefined);
  const unparsable = games.filter(
    ({ record }, index) => record.error === undefined && preferences[index] === null,
  );
  const bothParsed = preferences.every((preference) => preference !== null);
  const consistent = bothParsed && preferences[0] === preferences[1];

  return {
    metrics: {
      score: points.length > 0 ? (100 * points.reduce((sum, point) => sum + point, 0)) / points.length : null,
      judge_parse_failures: unparsable.length,
      judge_errors: failed.length,
      token_len: modelStyle.tokenLength,
    },
    extracted: games.map(({ record }) => record.label),
    details: {
      version,
      judge_model: judge.modelId,
      baseline_model: question.baselineModel,
      index: question.index,
      bootstrap_seed: question.bootstrapSeed,
      games: games.map(({ record }) => record),
      battles,
      ...(version === 'v2.0' ? { scores } : {}),
      style: {
        model: modelStyle,
        ...(context.options.style_control ? { baseline: answerStyle(question.baselineAnswer) } : {}),
      },
    },
    judgeAudit: {
      judge: {
        verdicts: answered.length,
        unparsable: unparsable.length,
        swappedPairs: bothParsed ? 1 : 0,
        consistentPairs: consistent ? 1 : 0,
      },
    },
    ...(failed.length > 0
      ? {
          warnings: failed.map(({ record }) => ({
            type: 'other' as const,
            message: `judge call for game ${record.game} failed, game left without a verdict: ${record.error}`,
          })),
        }
      : {}),
  };
}

const styleSchema = z.object({
  tokenLength: z.number(),
  headerCount: z.number(),
  listCount: z.number(),
  boldCount: z.number(),
});

/** What aggregation reads of a sample's details; samples without them (other writers) add no battles. */
const detailsSchema = z.object({
  index: z.number(),
  bootstrap_seed: z.number().int().min(0).max(0xffffffff),
  battles: z.array(
    z.object({ winner: z.enum(['model_a', 'model_b', 'tie']), count: z.number().int().min(0) }),
  ),
  scores: z.array(z.number()).optional(),
  style: z.object({ model: styleSchema, baseline: styleSchema.optional() }).optional(),
});

type SampleDetails = z.output<typeof detailsSchema>;

const noDetails: SampleDetails = { index: Number.POSITIVE_INFINITY, bootstrap_seed: 0, battles: [] };

/**
 * Corpus metrics as arena-hard-auto's show_result on this model's battles: `score` (win rate against the
 * baseline in percent from the Bradley-Terry fit in v0.1, the mean battle score in v2.0), `ci_lower`,
 * `ci_upper` (bootstrap: 2.5th/97.5th percentiles in v0.1, 5th/95th in v2.0), `avg_tokens` (mean cl100k
 * tokens of the model's answers, truncated as the reference's `int`), and with `style_control`
 * `score_style_controlled`, `ci_lower_style_controlled`, `ci_upper_style_controlled`. Battles are taken in
 * question.jsonl order.
 */
export function aggregateArenaHard(
  samples: readonly ScoredSampleV1[],
  options: ArenaHardOptions,
): Record<string, AggregateMetricV1 | number> {
  const parsed = samples.map((sample, position) => {
    const result = detailsSchema.safeParse(sample.details);
    return { sample, position, details: result.success ? result.data : noDetails };
  });
  // question.jsonl order; samples without details keep their place after the others.
  parsed.sort((a, b) => a.details.index - b.details.index || a.position - b.position);
  const ordered = parsed.map(({ sample }) => sample);
  const detailsBySample = new Map(parsed.map((entry) => [entry.sample, entry.details]));
  const detailsOf = (sample: ScoredSampleV1) => detailsBySample.get(sample) ?? noDetails;
  const seed =
    options.bootstrap_seed ??
    parsed.find((entry) => entry.details !== noDetails)?.details.bootstrap_seed ??
    0;
  const tokenLengths = ordered.map((sample) => Number(sample.metrics.token_len ?? 0));
  const metrics: Record<string, AggregateMetricV1 | number> = {
    judge_parse_failures: ordered.reduce(
      (sum, sample) => sum + Number(sample.metrics.judge_parse_failures ?? 0),
      0,
    ),
    judge_errors: ordered.reduce((sum, sample) => sum + Number(sample.metrics.judge_errors ?? 0), 0),
  };
  if (tokenLengths.length > 0) {
    metrics.avg_tokens = Math.trunc(
      tokenLengths.reduce((sum, value) => sum + value, 0) / tokenLengths.length,
    );
  }
  const battles: Battle[] = [];
  for (const sample of ordered) {
    const details = detailsOf(sample);
    const style =
      details.style?.baseline === undefined
        ? undefined
        : { baseline: details.style.baseline, model: details.style.model };
    for (const battle of details.battles) {
      for (let copy = 0; copy < battle.count; copy++)
        battles.push({ winner: battle.winner, ...(style ? { style } : {}) });
    }
  }
  metrics.battles = battles.length;
  if (battles.length === 0) return metrics;
  if (options.version === 'v2.0') {
    const scores = ordered.flatMap((sample) => detailsOf(sample).scores ?? []);
    const estimate = meanScoreWinRate(scores, options.bootstrap_rounds, seed);
    return { ...metrics, score: estimate.score, ci_lower: estimate.lower, ci_upper: estimate.upper };
  }
  const estimate = plainWinRate(battles, options.bootstrap_rounds, seed);
  Object.assign(metrics, { score: estimate.score, ci_lower: estimate.lower, ci_upper: estimate.upper });
  if (options.style_control) {
    if (battles.every((battle) => battle.style !== undefined)) {
      const matrix = constructStyleMatrix(battles);
      const controlled = styleControlledWinRate(matrix, options.bootstrap_rounds, seed);
      Object.assign(metrics, {
        score_style_controlled: controlled.score,
        ci_lower_style_controlled: controlled.lower,
        ci_upper_style_controlled: controlled.upper,
      });
      const names = ['token_len', 'header_count', 'list_count', 'bold_count'];
      controlled.styleCoefficients.forEach((coefficient, index) => {
        metrics[`style_coefficient_${names[index]}`] = coefficient;
      });
      if (matrix.constantFeatures.length > 0)
        metrics.style_constant_features = matrix.constantFeatures.length;
    }
  }
  return metrics;
}
