import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScoredSampleV1 } from '@evalchemy/core';
import { sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import e2e from './__fixtures__/glm-e2e-expected.json' with { type: 'json' };
import synthetic from './__fixtures__/glm-synthetic.json' with { type: 'json' };
import { aggregateAlpacaEval } from './alpaca-eval-aggregate.js';
import { type GlmWeights, parseGamedRows, predictWinRate } from './length-controlled.js';
import {
  defaultCs,
  fitLiblinearL1,
  fitLogisticRegressionCVDetailed,
  groupKFold,
  numpyArgsort,
} from './logistic-regression-cv.js';

const datasets = sharedDatasetsDirectory();

function readCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('#'));
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i]!, value])));
}

const weights = new Map(
  readCsv(readFileSync(new URL('./__fixtures__/glm-weights.csv', import.meta.url), 'utf8')).map((row) => [
    row['']!,
    {
      'np.tanh(std_delta_len)': Number(row['np.tanh(std_delta_len)']),
      instruction_difficulty: Number(row.instruction_difficulty),
      'not_gamed_baseline.astype(float)': Number(row['not_gamed_baseline.astype(float)']),
    } satisfies GlmWeights,
  ]),
);
const leaderboard = new Map(
  readCsv(
    readFileSync(
      join(
        datasets,
        'alpacaeval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv',
      ),
      'utf8',
    ),
  ).map((row) => [row['']!, row]),
);
const difficulty = readCsv(
  readFileSync(join(datasets, 'alpacaeval/derived/instruction_difficulty_recovered.csv'), 'utf8'),
).map((row) => Number(row.instruction_difficulty));

describe('length-controlled win rate, prediction step', () => {
  // alpaca_eval's published per-model GLM weights (fixture rows of its weights CSV) with the difficulties
  // recovered in /work/shared (rounded to 9 decimals, hence 1e-7) give the leaderboard's LC column; row i uses
  // the difficulty of position i among the model's n annotated rows.
  it.each(['claude-2.1', 'gpt35_turbo_instruct', 'vicuna-7b', 'alpaca-7b'])(
    "reproduces %s's length_controlled_winrate",
    (model) => {
      const row = leaderboard.get(model)!;
      const n = Number(row.n_total);
      const predicted = predictWinRate(
        weights.get(model)!,
        weights.get('gpt4_1106_preview')!,
        difficulty.slice(0, n),
      );
      expect(Math.abs(predicted * 100 - Number(row.length_controlled_winrate))).toBeLessThan(1e-7);
    },
  );

  // Models with unparsable verdicts: alpaca_eval's merged annotations keep those rows (NaN preference), so
  // the prediction averages over all 805 rows although n_total is lower.
  it.each(['Snorkel-Mistral-PairRM-DPO', 'Meta-Llama-3.1-8B-Instruct-Turbo', 'Qwen1.5-1.8B-Chat'])(
    "reproduces %s's length_controlled_winrate over every row, unparsable ones included",
    (model) => {
      const row = leaderboard.get(model)!;
      expect(Number(row.n_total)).toBeLessThan(805);
      const baseline = weights.get('gpt4_1106_preview')!;
      const all = predictWinRate(weights.get(model)!, baseline, difficulty) * 100;
      expect(Math.abs(all - Number(row.length_controlled_winrate))).toBeLessThan(1e-7);
      const parsedOnly =
        predictWinRate(weights.get(model)!, baseline, difficulty.slice(0, Number(row.n_total))) * 100;
      expect(Math.abs(parsedOnly - Number(row.length_controlled_winrate))).toBeGreaterThan(1e-3);
    },
  );

  it('gives the baseline 50% against itself', () => {
    const baseline = weights.get('gpt4_1106_preview')!;
    expect(predictWinRate(baseline, baseline, difficulty)).toBe(0.5);
  });
});

describe('the cross-validated L1 logistic regression, against scikit-learn 1.2.1', () => {
  const rows = synthetic.rows;
  const X = rows.map((row) => row.x);
  const m = X.length;

  it('fits liblinear L1 logistic regression as scikit-learn does, for every C of the grid', () => {
    const Xd = [...X, ...X];
    const labels = [...new Array<number>(m).fill(1), ...new Array<number>(m).fill(0)];
    const sampleWeight = [...rows.map((row) => row.p * row.w), ...rows.map((row) => (1 - row.p) * row.w)];
    let identical = 0;
    defaultCs.forEach((C, k) => {
      const coefficients = fitLiblinearL1(Xd, labels, sampleWeight, C);
      const expected = synthetic.expected.single[k]!;
      if (coefficients.every((value, j) => value === expected[j])) identical += 1;
      coefficients.forEach((value, j) => {
        expect(Math.abs(value - expected[j]!)).toBeLessThanOrEqual(1e-14 * Math.abs(value));
      });
    });
    // 8 of the 10 fits are bit-identical; two differ in the last bits (exp/log of V8 versus glibc).
    expect(identical).toBeGreaterThanOrEqual(8);
  });

  it('picks the same C by 5-fold group cross-validation and refits to the same coefficients', () => {
    const result = fitLogisticRegressionCVDetailed(
      X,
      rows.map((row) => row.p),
      rows.map((row) => row.w),
      { folds: 5 },
    );
    expect(result.C).toBe(synthetic.expected.C);
    expect(result.coefficients).toEqual(synthetic.expected.coef);
  });

  it('assigns groups to folds as GroupKFold does when every group has two rows', () => {
    // numpy's introsort argsort of equal values is not the identity; GroupKFold deals the reversed order
    // round-robin. Expected values: `np.argsort(np.full(40, 2))[::-1][:10]` and the fold of group 0 with
    // sklearn 1.2.1 / numpy 1.24.2.
    expect(numpyArgsort(new Array<number>(40).fill(2)).reverse().slice(0, 10)).toEqual(ARGSORT_40);
    const folds = groupKFold([...Array(40).keys(), ...Array(40).keys()], 5);
    expect(folds.slice(0, 10)).toEqual(FOLDS_40);
  });
});

// `python3 -c "import numpy as np; print(list(np.argsort(np.full(40, 2))[::-1][:10]))"` (numpy 1.24.2).
const ARGSORT_40 = [39, 38, 17, 16, 15, 14, 13, 12, 11, 10];
// GroupKFold(5).split over groups [0..39, 0..39]: the fold of each of the first ten rows (sklearn 1.2.1).
const FOLDS_40 = [4, 3, 2, 1, 0, 4, 3, 2, 1, 0];

describe('length_controlled_v1 end to end, against alpaca_eval run with scikit-learn 1.2.1', () => {
  it('featurises the model and gamed rows, fits, and predicts the LC win rate and its standard error', () => {
    const gamed = parseGamedRows(
      readCsv(readFileSync(new URL('./__fixtures__/glm-df-gamed-synthetic.csv', import.meta.url), 'utf8')),
    );
    const { annotations, expected } = e2e;
    const samples: ScoredSampleV1[] = annotations.preference.map((preference, index) => ({
      id: String(index),
      metadata: { index },
      metrics: {
        preference: preference ?? null,
        output_length: annotations.len_2[index]!,
        baseline_length: annotations.len_1[index]!,
      },
    }));
    const metrics = aggregateAlpacaEval(samples, gamed);
    // Same C and features (numpy's tanh reproduced bit for bit); liblinear's iterations use exp/log, where V8
    // and glibc differ in the last bit now and then, so the weights agree to a few units in the last place.
    const close = (actual: unknown, wanted: number) =>
      expect(Math.abs(Number(actual) - wanted)).toBeLessThanOrEqual(1e-13 * Math.max(1e-3, Math.abs(wanted)));
    close(metrics.glm_weight_length, expected.coef[0]!);
    close(metrics.glm_weight_instruction_difficulty, expected.coef[1]!);
    close(metrics.glm_weight_not_gamed_baseline, expected.coef[2]!);
    close((metrics.length_controlled_winrate as { value: number }).value, expected.length_controlled_winrate);
    close(metrics.lc_standard_error, expected.lc_standard_error);
  });
});

describe('df_gamed.csv', () => {
  it('is refused, naming the missing columns, when it is not the expected table', () => {
    expect(() => parseGamedRows([{ model: 'x', index: '0', preference: '0.5' }])).toThrow(
      /lacks the column\(s\) std_delta_len, instruction_difficulty, not_gamed_baseline/,
    );
  });
});
