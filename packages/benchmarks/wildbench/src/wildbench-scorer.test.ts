import { createHash } from 'node:crypto';
import type { ScoredSampleV1 } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import gemma from './__fixtures__/gemma-2b-it.scores.json' with { type: 'json' };
import { clearOutput, pythonLength, pythonStrip, shorten } from './wildbench-judge-prompt.js';
import { aggregateRewards, aggregateScores, outcomeOf } from './wildbench-scorer.js';
import { pairwiseTemplateV2, scoreTemplateV2 } from './wildbench-templates.js';
import { parseChoice, parseScore, pythonFloat } from './wildbench-verdict.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('judge templates', () => {
  it('are the bytes of WildBench’s evaluation/eval_template.*.v2.md', () => {
    // sha256 of `git show d6b8dcaf:evaluation/eval_template.score.v2.md` (and .pairwise.v2.md) in allenai/WildBench.
    expect(sha256(scoreTemplateV2)).toBe('c5984ae77b009f8dad0e8e37093348345f4e8d3099ce812bd7799ef7b73f005f');
    expect(sha256(pairwiseTemplateV2)).toBe(
      'ccd57bd8c4c73f4f83cf8963ef3c2697c1c7b9e907ead91e0d0512cca4ae7a11',
    );
  });
});

describe('text helpers', () => {
  it('clears leaked special tokens and strips, as clear_output', () => {
    expect(clearOutput('  Hi<|endoftext|>there</s><pad><end_of_turn>\n')).toBe('Hi there');
  });

  it('strips what Python calls whitespace, not a byte-order mark', () => {
    expect(pythonStrip('\u001f\u0085 x \u3000')).toBe('x');
    expect(pythonStrip('\ufeffx')).toBe('\ufeffx');
  });

  it('cuts after max words split on single spaces, as shorten', () => {
    expect(shorten('a b c', 3)).toBe('a b c');
    expect(shorten('a b  c d', 3)).toBe('a b ... (truncated)');
  });

  it('counts code points, as Python len', () => {
    expect(pythonLength('a😀')).toBe(2);
  });
});

describe('verdict parsing (json.loads, as the batch formatter and Evalchemy)', () => {
  it('reads the score as float() does', () => {
    expect(parseScore('{"strengths": "s", "weaknesses": "w", "score": "7"}')).toBe(7);
    expect(parseScore(' {"score": 8.5}\n')).toBe(8.5);
    expect(parseScore('{"score": " 6 "}')).toBe(6);
    expect(pythonFloat('1_0')).toBe(10);
    expect(pythonFloat(true)).toBe(1);
  });

  it('finds no score where json.loads or float() fail', () => {
    expect(parseScore('```json\n{"score": "7"}\n```')).toBeUndefined();
    expect(parseScore('{"score": "[1~10]"}')).toBeUndefined();
    expect(parseScore('{"rating": "7"}')).toBeUndefined();
    expect(parseScore('["score"]')).toBeUndefined();
    expect(parseScore('')).toBeUndefined();
  });

  it('maps the five choices to a winner and an extent, and nothing else', () => {
    expect(parseChoice('{"choice": "A++"}')).toEqual({ choice: 'A++', winner: 'A', extent: 2 });
    expect(parseChoice('{"choice": "B+"}')).toEqual({ choice: 'B+', winner: 'B', extent: 1 });
    expect(parseChoice('{"choice": "A=B"}')).toEqual({ choice: 'A=B', winner: 'tie', extent: 0 });
    expect(parseChoice('{"choice": "A>B"}')).toBeUndefined();
    expect(parseChoice('{"choice": "a+"}')).toBeUndefined();
  });
});

describe('outcomeOf (K length penalty)', () => {
  const slightA = { choice: 'A+', winner: 'A', extent: 1 } as const;
  const muchA = { choice: 'A++', winner: 'A', extent: 2 } as const;
  it('turns a slight win of an answer more than K characters longer into a tie', () => {
    expect(outcomeOf(slightA, 'model-first', 1001, 500, 500)).toBe('tie');
    expect(outcomeOf(slightA, 'model-first', 1000, 500, 500)).toBe('win');
    expect(outcomeOf(slightA, 'reference-first', 100, 601, 500)).toBe('tie');
    expect(outcomeOf(slightA, 'reference-first', 100, 600, 500)).toBe('lose');
  });
  it('never penalises a much better answer, nor any with K = -1', () => {
    expect(outcomeOf(muchA, 'model-first', 5000, 10, 500)).toBe('win_much');
    expect(outcomeOf(slightA, 'model-first', 5000, 10, -1)).toBe('win');
  });
});

describe('aggregateScores on a published WildBench run', () => {
  it("gives leaderboard/data_dir/score.json's gemma-2b-it score, adjusted score and length", () => {
    const samples: ScoredSampleV1[] = gemma.rows.map(([id, score, length]) => {
      const value = pythonFloat(score)!;
      return {
        id: String(id),
        metadata: {},
        metrics: { score: value, WB_Score: (value - 5) * 2 * 10, output_length: length as number | null },
      };
    });
    const metrics = aggregateScores(samples);
    // allenai/WildBench@d6b8dcaf leaderboard/data_dir/score.json, "gemma-2b-it": score 4.737512242899118,
    // adjusted_score -0.5249755142017634, total 1021, avg_len 1590.0833333333333.
    expect(metrics.score).toMatchObject({ value: 4.737512242899118 });
    expect(metrics.WB_Score_overall).toMatchObject({ value: -0.5249755142017634 * 10 });
    expect(metrics.scored).toBe(1021);
    expect(metrics.avg_length).toBe(1590.0833333333333);
  });

  it('divides the macro average by all five weights, as Evalchemy, when categories are missing', () => {
    const metrics = aggregateScores([
      {
        id: '1',
        metadata: { task_categories: 'Coding & Debugging' },
        metrics: { score: 9, output_length: 10 },
      },
    ]);
    // (9 - 5) * 2 * 1.25 / 4.75 * 10
    expect(metrics.WB_Score).toBeCloseTo(((4 * 2 * 1.25) / 4.75) * 10, 12);
    expect(metrics.WB_Score_coding_debugging).toMatchObject({ value: 80 });
  });

  it('reports counts only when nothing was scored', () => {
    expect(
      aggregateScores([{ id: '1', metadata: {}, metrics: { score: null, judge_unparsable: 1 } }]),
    ).toEqual({
      scored: 0,
      judge_unparsable: 1,
      judge_errors: 0,
      avg_length: 0,
    });
    expect(aggregateRewards([])).toMatchObject({ scored: 0 });
  });
});
