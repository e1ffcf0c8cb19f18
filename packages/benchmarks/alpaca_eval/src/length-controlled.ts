import { DatasetError, type DatasetRowV1 } from '@evalchemy/core';
import { pairwiseSum, pandasMean, pandasSem } from './alpaca-eval-metrics.js';
import { fitLogisticRegressionCV } from './logistic-regression-cv.js';
import { numpyTanh } from './numpy-tanh.js';

/** One annotated instruction as the GLM sees it. */
export interface LengthControlRow {
  /**
   * Preference 1 … 2 (1.5 a draw); null for an unparsable verdict. alpaca_eval merges such rows back into
   * the annotations (NaN): they count for the length scale, the row positions and the prediction, not the fit.
   */
  preference: number | null;
  /** Characters of the baseline's output (`output_1`). */
  baselineLength: number;
  /** Characters of the model's output (`output_2`). */
  outputLength: number;
}

/** A row of alpaca_eval's `df_gamed.csv`, the annotations of the two length-gamed baselines. */
export interface GamedRow {
  preference: number;
  index: number;
  stdDeltaLength: number;
  instructionDifficulty: number;
  notGamedBaseline: boolean;
}

function numberColumn(row: DatasetRowV1, column: string, line: number): number {
  const value = row[column];
  if (value === '' || value === null || value === undefined) return Number.NaN;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new DatasetError(`df_gamed.csv row ${line}: column ${column} is not a number.`);
  }
  return parsed;
}

/** Parses `df_gamed.csv` (columns `preference`, `index`, `std_delta_len`, `instruction_difficulty`, `not_gamed_baseline`). */
export function parseGamedRows(rows: readonly DatasetRowV1[]): GamedRow[] {
  const required = ['preference', 'index', 'std_delta_len', 'instruction_difficulty', 'not_gamed_baseline'];
  const missing = required.filter((column) => rows.length > 0 && !(column in rows[0]!));
  if (rows.length === 0 || missing.length > 0) {
    throw new DatasetError(
      `df_gamed.csv ${rows.length === 0 ? 'has no rows' : `lacks the column(s) ${missing.join(', ')}`}; expected ${required.join(', ')}.`,
    );
  }
  return rows.map((row, position) => {
    const line = position + 2;
    const flag = String(row.not_gamed_baseline);
    if (flag !== 'True' && flag !== 'False' && flag !== 'true' && flag !== 'false') {
      throw new DatasetError(
        `df_gamed.csv row ${line}: not_gamed_baseline is "${flag}", expected True or False.`,
      );
    }
    return {
      preference: numberColumn(row, 'preference', line),
      index: numberColumn(row, 'index', line),
      stdDeltaLength: numberColumn(row, 'std_delta_len', line),
      instructionDifficulty: numberColumn(row, 'instruction_difficulty', line),
      notGamedBaseline: flag === 'True' || flag === 'true',
    };
  });
}

/** alpaca_eval's `_logistic`: exp(−logaddexp(0, −x)). */
export function logistic(x: number): number {
  const y = -x;
  // numpy's logaddexp(0, y): max + log1p(exp(−|y|)).
  const logAddExp = y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y));
  return Math.exp(-logAddExp);
}

/** Weights of the `length_controlled_v1` GLM, alpaca_eval's column names. */
export interface GlmWeights {
  'np.tanh(std_delta_len)': number;
  instruction_difficulty: number;
  'not_gamed_baseline.astype(float)': number;
}

/**
 * alpaca_eval's `predict_winrate`: the length-controlled win rate (0–1) of `model` against `baseline` from
 * their GLM weights, the mean over instructions of logistic(Δw_not_gamed + Δw_difficulty · difficulty).
 */
export function predictWinRate(
  model: GlmWeights,
  baseline: GlmWeights,
  difficulty: readonly number[],
): number {
  const notGamed = model['not_gamed_baseline.astype(float)'] - baseline['not_gamed_baseline.astype(float)'];
  const slope = model.instruction_difficulty - baseline.instruction_difficulty;
  return pandasMean(difficulty.map((d) => logistic(notGamed + slope * d)));
}

/** What the length-controlled GLM gives: alpaca_eval's columns on the 0–100 scale and the fitted weights. */
export interface LengthControlledResult {
  length_controlled_winrate: number;
  lc_standard_error: number;
  weights: GlmWeights;
}

function sampleStd(values: readonly number[]): number {
  const count = values.length;
  const average = pairwiseSum(values) / count;
  return Math.sqrt(pairwiseSum(values.map((value) => (average - value) ** 2)) / (count - 1));
}

/**
 * alpaca_eval's `get_length_controlled_winrate` with `length_controlled_v1`: the model's rows (features
 * tanh of the standardised length difference, the instruction's difficulty, 1 for "not a gamed baseline")
 * and the gamed baselines' rows (sample weight 0.2 / 2) fit by 5-fold group cross-validated L1 logistic
 * regression on the soft preference; the win rate predicted with no length difference, averaged over every
 * row (unparsable ones included, as alpaca_eval's merged annotations keep them). Row i's difficulty is looked
 * up by its position among the rows, as alpaca_eval does.
 */
export function lengthControlledWinRate(
  rows: readonly LengthControlRow[],
  gamed: readonly GamedRow[],
): LengthControlledResult {
  // instruction_difficulty of df_gamed's first row per `index`, keyed by that row's position in the file.
  const difficultyByRow = new Map<number, number>();
  const seen = new Set<number>();
  gamed.forEach((row, position) => {
    if (!seen.has(row.index)) {
      seen.add(row.index);
      difficultyByRow.set(position, row.instructionDifficulty);
    }
  });
  const deltas = rows.map((row) => row.baselineLength - row.outputLength);
  const std = sampleStd(deltas);
  const features: number[][] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  for (const row of gamed) {
    if (Number.isNaN(row.preference)) continue;
    features.push([numpyTanh(row.stdDeltaLength), row.instructionDifficulty, row.notGamedBaseline ? 1 : 0]);
    targets.push(row.preference);
    weights.push((row.notGamedBaseline ? 1 : 0) + (row.notGamedBaseline ? 0 : 0.2) / 2);
  }
  const test: number[][] = [];
  rows.forEach((row, position) => {
    const difficulty = difficultyByRow.get(position);
    if (difficulty === undefined) {
      throw new DatasetError(`df_gamed.csv has no instruction difficulty for row ${position}.`);
    }
    test.push([0, difficulty, 1]);
    if (row.preference === null || Number.isNaN(row.preference)) return;
    features.push([numpyTanh(deltas[position]! / std), difficulty, 1]);
    targets.push((row.preference === 0 ? 1.5 : row.preference) - 1);
    weights.push(1);
  });
  const coefficients = fitLogisticRegressionCV(features, targets, weights, { folds: 5 });
  const predictions = test.map((x) => {
    const decision = x[0]! * coefficients[0]! + x[1]! * coefficients[1]! + x[2]! * coefficients[2]!;
    return 1 / (1 + Math.exp(-decision));
  });
  return {
    length_controlled_winrate: pandasMean(predictions) * 100,
    lc_standard_error: pandasSem(predictions) * 100,
    weights: {
      'np.tanh(std_delta_len)': coefficients[0]!,
      instruction_difficulty: coefficients[1]!,
      'not_gamed_baseline.astype(float)': coefficients[2]!,
    },
  };
}
