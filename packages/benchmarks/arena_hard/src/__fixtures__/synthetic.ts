import { readFileSync } from 'node:fs';
import type { ScoredSampleV1 } from '@evalchemy/core';
import type { AnswerStyle, BattleRecord } from '../index.js';

/**
 * synthetic-judgments.json: 60 questions with both games' verdict labels (null: no label) and both answers'
 * style, written by reference-check/make_synthetic.py (random.Random(20240731), `make_synthetic.py 60
 * synthetic …`), which also wrote the judgment and answer files the reference's show_result.py read to give
 * the numbers the tests expect (see bradley-terry.test.ts).
 */
export interface SyntheticQuestion {
  uid: string;
  games: [string | null, string | null];
  baseline: { token_len: number; header_count: number; list_count: number; bold_count: number };
  model: { token_len: number; header_count: number; list_count: number; bold_count: number };
}

export const syntheticQuestions = JSON.parse(
  readFileSync(new URL('./synthetic-judgments.json', import.meta.url), 'utf8'),
) as SyntheticQuestion[];

const toStyle = (style: SyntheticQuestion['model']): AnswerStyle => ({
  tokenLength: style.token_len,
  headerCount: style.header_count,
  listCount: style.list_count,
  boldCount: style.bold_count,
});

/** v0.1 get_battles_from_row for one game (1: baseline is A). */
export function battleOf(label: string | null, game: 1 | 2): BattleRecord | null {
  const table: Record<string, [BattleRecord['winner'], number]> = {
    'A=B': ['tie', 1],
    'A>B': [game === 1 ? 'model_a' : 'model_b', 1],
    'A>>B': [game === 1 ? 'model_a' : 'model_b', 3],
    'B>A': [game === 1 ? 'model_b' : 'model_a', 1],
    'B>>A': [game === 1 ? 'model_b' : 'model_a', 3],
  };
  const entry = label === null ? undefined : table[label];
  return entry === undefined ? null : { winner: entry[0], count: entry[1] };
}

/** The synthetic questions as scored samples (details as the scorer writes them), in question order. */
export function syntheticSamples(seed = 42): ScoredSampleV1[] {
  return syntheticQuestions.map((question, index) => ({
    id: question.uid,
    metadata: { category: 'arena-hard-v0.1' },
    metrics: { score: null, token_len: question.model.token_len },
    details: {
      index,
      bootstrap_seed: seed,
      battles: [battleOf(question.games[0], 1), battleOf(question.games[1], 2)].filter(
        (battle) => battle !== null,
      ),
      style: { model: toStyle(question.model), baseline: toStyle(question.baseline) },
    },
  }));
}
