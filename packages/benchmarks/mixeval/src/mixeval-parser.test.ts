import { describe, expect, it } from 'vitest';
import parseCases from './__fixtures__/mixeval-parse-cases.json' with { type: 'json' };
import { extractBaseModelResponse, parseJudgeOption, parseJudgeScore, pythonRound } from './index.js';

// Expected values: MixEval's own functions on each case (__fixtures__/run-mixeval-parse-cases.py).
describe('parseJudgeScore', () => {
  it("reads every recorded judgment as MixEval's get_score_from_judge", () => {
    expect(parseCases.score.length).toBeGreaterThan(15);
    for (const [judgment, score] of parseCases.score as [string, number][]) {
      expect({ judgment, score: parseJudgeScore(judgment) }).toEqual({ judgment, score });
    }
  });

  it('takes the first [[x]] even after a one-bracket number, and [x] only when there is no [[x]]', () => {
    expect(parseJudgeScore('as in [2], the score is [[0.3]] or [[0.9]]')).toBe(0.3);
    expect(parseJudgeScore('The correctness score: [0.7].')).toBe(0.7);
  });

  it('gives -1 (unparsable) for an integer with a leading zero, on which MixEval raises', () => {
    expect(parseJudgeScore('[[05]]')).toBe(-1);
    expect(parseJudgeScore('[[00]]')).toBe(0);
  });
});

describe('parseJudgeOption', () => {
  it("reads every recorded judgment as MixEval's get_option_from_judge and is_option", () => {
    for (const [judgment, option] of parseCases.option as [string, string | null][]) {
      expect({ judgment, option: parseJudgeOption(judgment) ?? null }).toEqual({ judgment, option });
    }
  });
});

describe('extractBaseModelResponse', () => {
  it('cuts multiple-choice answers at the first blank line and free-form ones at the next question', () => {
    for (const [response, multipleChoice, freeForm] of parseCases.extract as [string, string, string][]) {
      expect(extractBaseModelResponse(response, 'multiple-choice')).toBe(multipleChoice);
      expect(extractBaseModelResponse(response, 'free-form')).toBe(freeForm);
    }
  });
});

describe('pythonRound', () => {
  it("rounds as Python's round(): exact midpoints to even, all else to nearest", () => {
    // python3 -c "print(round(0.0625,3), round(0.1875,3), round(2.675,2), round(0.0005,3), round(2.5), round(0.35,1))"
    // -> 0.062 0.188 2.67 0.001 2 0.3
    expect(pythonRound(0.0625, 3)).toBe(0.062);
    expect(pythonRound(0.1875, 3)).toBe(0.188);
    expect(pythonRound(2.675, 2)).toBe(2.67);
    expect(pythonRound(0.0005, 3)).toBe(0.001);
    expect(pythonRound(2.5, 0)).toBe(2);
    expect(pythonRound(0.35, 1)).toBe(0.3);
    expect(pythonRound(1 / 3, 3)).toBe(0.333);
  });
});
