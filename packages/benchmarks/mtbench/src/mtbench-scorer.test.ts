import type { ScoredSampleV1 } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import fastChatRequests from './__fixtures__/fastchat-judge-requests.json' with { type: 'json' };
import { aggregateMTBench, parseRating } from './mtbench-scorer.js';

describe('parseRating', () => {
  it('agrees with FastChat on every recorded judgment shape', () => {
    expect(fastChatRequests.ratings.length).toBeGreaterThan(10);
    for (const { judgment, rating } of fastChatRequests.ratings) {
      expect({ judgment, rating: parseRating(judgment) }).toEqual({ judgment, rating });
    }
  });

  it('reads "Rating: [[7]]", "[[8.5]]" and the one-bracket fallback "[7]"', () => {
    expect(parseRating('Explanation.\n\nRating: [[7]]')).toBe(7);
    expect(parseRating('[[8.5]]')).toBe(8.5);
    expect(parseRating('I give it [7].')).toBe(7);
  });

  it('takes the first double-bracket rating even after a single-bracket one', () => {
    expect(parseRating('As noted in [2], the answer is wrong. [[3]] ... [[9]]')).toBe(3);
  });

  it('returns -1 when the judgment holds no rating', () => {
    expect(parseRating('The response is good. 8/10')).toBe(-1);
    expect(parseRating('')).toBe(-1);
  });
});

function scored(id: number, category: string, turn1: number | null, turn2: number | null): ScoredSampleV1 {
  return {
    id: String(id),
    metadata: { category },
    metrics: {
      score_turn_1: turn1,
      score_turn_2: turn2,
      judge_parse_failures: [turn1, turn2].filter((rating) => rating === null).length,
      judge_errors: 0,
    },
  };
}

describe('aggregateMTBench', () => {
  const samples = [
    scored(81, 'writing', 8, 6),
    scored(82, 'writing', 9, null),
    scored(111, 'math', 2, 4),
    scored(112, 'math', null, null),
  ];
  const metrics = aggregateMTBench(samples);

  it('averages each turn over its valid ratings only', () => {
    expect(metrics.score_turn_1).toMatchObject({ value: (8 + 9 + 2) / 3 });
    expect(metrics.score_turn_2).toMatchObject({ value: (6 + 4) / 2 });
  });

  it('pools every valid turn rating for the overall score, as show_result', () => {
    // (19/3 + 5) / 2 would be the mean of the turn means; show_result pools the five ratings.
    expect(metrics.score).toMatchObject({ value: (8 + 6 + 9 + 2 + 4) / 5 });
  });

  it('counts the turns whose judgment had no rating', () => {
    expect(metrics.judge_parse_failures).toBe(3);
  });

  it('scores each category over both turns', () => {
    expect(metrics.score_writing).toMatchObject({ value: (8 + 6 + 9) / 3 });
    expect(metrics.score_math).toMatchObject({ value: (2 + 4) / 2 });
  });

  it('gives the standard error of each mean', () => {
    const pooled = [8, 6, 9, 2, 4];
    const average = pooled.reduce((a, b) => a + b) / pooled.length;
    const variance = pooled.reduce((sum, x) => sum + (x - average) ** 2, 0) / (pooled.length - 1);
    expect((metrics.score as { stderr: number }).stderr).toBeCloseTo(Math.sqrt(variance / pooled.length), 12);
  });
});
