import {
  type AggregateMetricV1,
  type BenchmarkV1,
  mean,
  type ScoredSampleV1,
  standardErrorOfMean,
} from '@evalchemy/core';

/**
 * Corpus metrics of a task: the benchmark's own `doAggregate` when it has one, else the mean of each
 * per-sample metric (nulls left out) with the standard error of the mean.
 */
export function aggregateTask(
  benchmark: BenchmarkV1<unknown, unknown>,
  options: unknown,
  samples: readonly ScoredSampleV1[],
  loaded?: unknown,
): Record<string, AggregateMetricV1> {
  if (benchmark.doAggregate) {
    const custom = benchmark.doAggregate(samples, { options, ...(loaded !== undefined ? { loaded } : {}) });
    const normalised: Record<string, AggregateMetricV1> = {};
    for (const [name, metric] of Object.entries(custom)) {
      normalised[name] = typeof metric === 'number' ? { value: metric } : metric;
    }
    return normalised;
  }
  const valuesByMetric = new Map<string, number[]>();
  for (const sample of samples) {
    // for…in rather than Object.entries: this runs once per task, before V8 optimises it, where
    // destructuring each entry through the iterator protocol costs 1 µs per sample.
    for (const name in sample.metrics) {
      const value = sample.metrics[name];
      let values = valuesByMetric.get(name);
      if (values === undefined) {
        values = [];
        valuesByMetric.set(name, values);
      }
      if (value !== null && value !== undefined) values.push(value);
    }
  }
  const metrics: Record<string, AggregateMetricV1> = {};
  for (const [name, values] of valuesByMetric) {
    metrics[name] = { value: mean(values), stderr: standardErrorOfMean(values) };
  }
  return metrics;
}
