import type { AggregateMetricV1, ScoredSampleV1 } from '@evalchemy/core';
import { describeHead2Head } from './alpaca-eval-metrics.js';
import { type GamedRow, type LengthControlRow, lengthControlledWinRate } from './length-controlled.js';

/**
 * alpaca_eval's leaderboard row: `win_rate`, `standard_error`, `n_wins`, `n_wins_base`, `n_draws`,
 * `n_total`, `discrete_win_rate`, `avg_length` and, given the gamed baselines' annotations,
 * `length_controlled_winrate` and `lc_standard_error`. Rows are taken in eval-set order; unparsable verdicts
 * are left out of the win-rate columns and of the GLM's fit, but (as in alpaca_eval, whose merged annotations
 * keep them with a NaN preference) not of the length scale, the row positions or the LC prediction.
 */
export function aggregateAlpacaEval(
  samples: readonly ScoredSampleV1[],
  gamed: readonly GamedRow[] | undefined,
): Record<string, AggregateMetricV1 | number> {
  const ordered = [...samples].sort((a, b) => Number(a.metadata.index) - Number(b.metadata.index));
  const rows: LengthControlRow[] = [];
  let totalLength = 0;
  const preferences: number[] = [];
  for (const sample of ordered) {
    const outputLength = Number(sample.metrics.output_length ?? 0);
    totalLength += outputLength;
    const value = sample.metrics.preference;
    const preference = typeof value === 'number' && !Number.isNaN(value) ? value : null;
    if (preference !== null) preferences.push(preference);
    // The GLM sees every row, as alpaca_eval's merged annotations keep the unparsable ones (NaN).
    rows.push({ preference, outputLength, baselineLength: Number(sample.metrics.baseline_length ?? 0) });
  }
  const head2head = describeHead2Head(preferences);
  const metrics: Record<string, AggregateMetricV1 | number> = {
    win_rate: Number.isFinite(head2head.standard_error)
      ? { value: head2head.win_rate, stderr: head2head.standard_error }
      : { value: head2head.win_rate },
    standard_error: head2head.standard_error,
    n_wins: head2head.n_wins,
    n_wins_base: head2head.n_wins_base,
    n_draws: head2head.n_draws,
    n_total: head2head.n_total,
    discrete_win_rate: head2head.discrete_win_rate,
    // main.py: int(model_outputs["output"].str.len().mean()), over every output.
    avg_length: ordered.length > 0 ? Math.trunc(totalLength / ordered.length) : 0,
  };
  if (gamed !== undefined && preferences.length > 1) {
    const lc = lengthControlledWinRate(rows, gamed);
    metrics.length_controlled_winrate = Number.isFinite(lc.lc_standard_error)
      ? { value: lc.length_controlled_winrate, stderr: lc.lc_standard_error }
      : { value: lc.length_controlled_winrate };
    metrics.lc_standard_error = lc.lc_standard_error;
    metrics.glm_weight_length = lc.weights['np.tanh(std_delta_len)'];
    metrics.glm_weight_instruction_difficulty = lc.weights.instruction_difficulty;
    metrics.glm_weight_not_gamed_baseline = lc.weights['not_gamed_baseline.astype(float)'];
  }
  return metrics;
}
