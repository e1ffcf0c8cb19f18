import { describe, expect, it } from 'vitest';
import {
  dropMetrics,
  maxWeightAssignment,
  normalizeDropAnswer,
  parsePythonFloat,
  pythonFloatRepr,
  scoreDropPrediction,
} from './index.js';

// Expected values were produced by running lm-evaluation-harness's lm_eval/tasks/drop/utils.py (numpy 2.4,
// scipy 1.17) on the same inputs.

describe('normalizeDropAnswer (lm-eval _normalize)', () => {
  it.each([
    ['2,000', '2000.0'],
    ['2000', '2000.0'],
    ['1,234.5', '12345.0'],
    ['$1.5 million', '15.0 million'],
    ['5%', '5.0'],
    ['1/2', '12.0'],
    ['3.5', '3.5'],
    ['2.50', '2.5'],
    ['100.', '100.0'],
    ['.5', '0.5'],
    ['+3', '3.0'],
    ['-7', '7.0'],
    ['1e5', '100000.0'],
    ['0.1e-10', '01e 10.0'],
    ['1_000', '1000.0'],
    ['1__0', '10.0'],
    ['nan', 'nan'],
    ['Infinity', 'inf'],
    ['INF.', 'inf'],
    ['12345678901234567', '1.2345678901234568e+16'],
    ['0.00001', '1e-05'],
    ['0.0001', '0.0001'],
    ['3rd', '3rd'],
  ])('writes numbers as Python floats: %j → %j', (answer, normalized) => {
    expect(normalizeDropAnswer(answer)).toBe(normalized);
  });

  it.each([
    ['The Lions', 'lions'],
    ['an apple-pie', 'apple pie'],
    ['half-a-dozen', 'half dozen'],
    ['the a an', ''],
    ['Théâtre of the Absurd', 'théâtre of absurd'],
    ['the\tend', 'end'],
    ['a\u2013b', '\u2013b'],
    ["don't", 'dont'],
    ['Jan. 5, 1995', 'jan 5.0 1995.0'],
    ['touchdown-pass', 'touchdown pass'],
    ['14-yard', '14.0 yard'],
  ])('drops articles, ASCII punctuation and hyphens: %j → %j', (answer, normalized) => {
    expect(normalizeDropAnswer(answer)).toBe(normalized);
  });
});

describe('Python float parsing and printing', () => {
  it('accepts what float() accepts and nothing else', () => {
    expect(parsePythonFloat(' 12\n')).toBe(12);
    expect(parsePythonFloat('1_0.5')).toBe(10.5);
    expect(parsePythonFloat('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parsePythonFloat('NaN')).toBeNaN();
    for (const text of ['', '.', '1_', '_1', '1__0', '2,000', '1e', 'e5', '0x10', 'five'])
      expect(parsePythonFloat(text), text).toBeUndefined();
  });

  it('prints like repr(float)', () => {
    expect(pythonFloatRepr(24)).toBe('24.0');
    expect(pythonFloatRepr(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(pythonFloatRepr(1e16)).toBe('1e+16');
    expect(pythonFloatRepr(1234567890123456)).toBe('1234567890123456.0');
    expect(pythonFloatRepr(1.5e-7)).toBe('1.5e-07');
    expect(pythonFloatRepr(1e100)).toBe('1e+100');
    expect(pythonFloatRepr(-0)).toBe('-0.0');
  });
});

describe('dropMetrics (lm-eval get_metrics)', () => {
  it.each([
    [['2000'], ['2,000'], 1, 1],
    [['The Lions'], ['Lions'], 1, 1],
    [['Lions'], ['the Lions'], 1, 1],
    [['Lions won'], ['Lions'], 0, 0.67],
    [['24 yards'], ['24'], 0, 0.67],
    [['25 yards'], ['24'], 0, 0],
    [['3 touchdowns'], ['three'], 0, 0],
    [[''], ['Lions'], 0, 0],
    [[''], ['3'], 0, 0],
  ])('spans and numbers: %j against %j → em %d, f1 %d', (predicted, gold, em, f1) => {
    expect(dropMetrics(predicted, gold)).toEqual({ em, f1 });
  });

  it.each([
    [['May 1995'], ['12 May 1995'], 0, 0.8],
    [['June 1995'], ['12 May 1995'], 0, 0.4],
    [['1995'], ['May 1995'], 0, 0.67],
  ])('dates: %j against %j → em %d, f1 %d', (predicted, gold, em, f1) => {
    expect(dropMetrics(predicted, gold)).toEqual({ em, f1 });
  });

  it.each([
    [['Smith', 'Jones'], ['Jones', 'Smith'], 1, 1],
    [['Smith'], ['Jones', 'Smith'], 0, 0.5],
    [['Smith and Jones'], ['Jones', 'Smith'], 0, 0.25],
    [['Jones', 'Smith', 'Brown'], ['Smith'], 0, 0.33],
    [['red blue', 'red'], ['red', 'red blue green'], 0, 0.9],
    [['Smith'], ['Smith', 'Smith'], 0, 0.5],
    [['Smith', 'Smith'], ['Smith'], 0, 0.5],
    // (0.25 + 0) / 2 = 0.125 rounds half to even, as NumPy does.
    [['one two three four five six x'], ['x', 'y'], 0, 0.12],
  ])('multi-span answers: %j against %j → em %d, f1 %d', (predicted, gold, em, f1) => {
    expect(dropMetrics(predicted, gold)).toEqual({ em, f1 });
  });
});

describe('scoreDropPrediction (lm-eval process_results)', () => {
  it('takes the best em and f1 over the gold answers', () => {
    expect(scoreDropPrediction('2000 yards', [['2,000 yards'], ['2000']])).toEqual({ em: 1, f1: 1 });
    expect(scoreDropPrediction('Jones', [['Smith', 'Jones'], ['Jones']])).toEqual({ em: 1, f1: 1 });
    expect(scoreDropPrediction('Smith', [['Smith', 'Jones'], ['Smith Jones']])).toEqual({
      em: 0,
      f1: 0.67,
    });
  });

  it('leaves out gold answers whose first span is blank', () => {
    expect(scoreDropPrediction('Smith', [[''], ['Smith']])).toEqual({ em: 1, f1: 1 });
    expect(scoreDropPrediction('Smith', [['   ']])).toEqual({ em: 0, f1: 0 });
    expect(scoreDropPrediction('', [['']])).toEqual({ em: 0, f1: 0 });
  });
});

describe('maxWeightAssignment', () => {
  function bestByPermutation(scores: number[][]): number {
    const rows = scores.length;
    const columns = scores[0]?.length ?? 0;
    let best = 0;
    const visit = (row: number, used: Set<number>, total: number): void => {
      if (row === rows || used.size === Math.min(rows, columns)) {
        best = Math.max(best, total);
        return;
      }
      if (rows - row > columns - used.size) visit(row + 1, used, total);
      for (let column = 0; column < columns; column++) {
        if (used.has(column)) continue;
        used.add(column);
        visit(row + 1, used, total + (scores[row]?.[column] ?? 0));
        used.delete(column);
      }
    };
    visit(0, new Set(), 0);
    return best;
  }

  function assignedTotal(scores: number[][]): number {
    const assignment = maxWeightAssignment(scores);
    const columns = assignment.filter((column) => column !== undefined);
    expect(new Set(columns).size).toBe(columns.length);
    expect(columns.length).toBe(Math.min(scores.length, scores[0]?.length ?? 0));
    return assignment.reduce<number>(
      (total, column, row) => total + (column === undefined ? 0 : (scores[row]?.[column] ?? 0)),
      0,
    );
  }

  it('beats the greedy choice', () => {
    expect(
      maxWeightAssignment([
        [0.9, 0.8],
        [0.8, 0.1],
      ]),
    ).toEqual([1, 0]);
  });

  it('finds the best total on square and rectangular matrices', () => {
    let state = 7;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return Math.round((state / 2147483648) * 100) / 100;
    };
    for (const [rows, columns] of [
      [3, 3],
      [2, 5],
      [5, 2],
      [4, 4],
      [1, 4],
      [4, 1],
      [5, 5],
    ] as const) {
      const scores = Array.from({ length: rows }, () => Array.from({ length: columns }, random));
      expect(assignedTotal(scores)).toBeCloseTo(bestByPermutation(scores), 10);
    }
  });
});
