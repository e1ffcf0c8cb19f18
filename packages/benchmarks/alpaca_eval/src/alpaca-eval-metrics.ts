/**
 * numpy's pairwise summation of float64 (`pairwise_sum_DOUBLE`, block size 128, 8 accumulators), which
 * pandas' `mean`/`sem` use; summing in plain order would change the last digits of the published numbers.
 */
export function pairwiseSum(values: readonly number[], start = 0, count = values.length - start): number {
  if (count < 8) {
    let result = 0;
    for (let i = 0; i < count; i += 1) result += values[start + i]!;
    return result;
  }
  if (count <= 128) {
    const r = values.slice(start, start + 8) as number[];
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let j = 0; j < 8; j += 1) r[j] = r[j]! + values[start + i + j]!;
    }
    let result = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < count; i += 1) result += values[start + i]!;
    return result;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/** `pd.Series(values).mean()`. */
export function pandasMean(values: readonly number[]): number {
  return pairwiseSum(values) / values.length;
}

/** `pd.Series(values).sem()` (ddof 1): NaN with fewer than two values. */
export function pandasSem(values: readonly number[]): number {
  const count = values.length;
  if (count < 2) return Number.NaN;
  const average = pairwiseSum(values) / count;
  const squares = values.map((value) => (average - value) ** 2);
  const variance = pairwiseSum(squares) / (count - 1);
  return Math.sqrt(variance) / Math.sqrt(count);
}

/** alpaca_eval's leaderboard columns computed from the preferences (`metrics/winrate.get_winrate`). */
export interface WinRateMetrics {
  win_rate: number;
  standard_error: number;
  n_wins: number;
  n_wins_base: number;
  n_draws: number;
  n_total: number;
  discrete_win_rate: number;
}

/**
 * `get_winrate`: preferences in [1, 2] (1 the baseline, 2 the model, 1.5 a draw; a legacy 0 counts as 1.5)
 * shifted to [0, 1]; `win_rate` their mean and `standard_error` its standard error, both × 100; `n_wins` /
 * `n_wins_base` count values above / below 0.5, `n_draws` exact 1.5s; `discrete_win_rate` the same mean after
 * rounding every preference to 1, 1.5 or 2 (AbsoluteScoringRule and ZeroOneScoringRule of
 * `metrics/helpers.py`).
 */
export function describeHead2Head(preferences: readonly number[]): WinRateMetrics {
  const normalised = preferences.map((preference) => (preference === 0 ? 1.5 : preference));
  const n_draws = normalised.filter((preference) => preference === 1.5).length;
  const valid = normalised.filter((preference) => preference >= 1 && preference <= 2).map((p) => p - 1);
  // ZeroOneScoringRule: 1.5 → 0 (a draw), the rest rounded to 1 or 2, then a draw back to 1.5.
  const discrete = normalised
    .map((preference) => (preference === 1.5 ? 1.5 : Math.round(preference)))
    .filter((preference) => preference >= 1 && preference <= 2)
    .map((preference) => preference - 1);
  return {
    win_rate: pandasMean(valid) * 100,
    standard_error: pandasSem(valid) * 100,
    n_wins: valid.filter((value) => value > 0.5).length,
    n_wins_base: valid.filter((value) => value < 0.5).length,
    n_draws,
    n_total: valid.length,
    discrete_win_rate: pandasMean(discrete) * 100,
  };
}
