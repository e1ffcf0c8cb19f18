import type { AggregateMetricV1, ScoredSampleV1 } from '@evalchemy/core';

/**
 * Per-sample metric name of run i's correctness (1/0) in benchmarks that repeat every question: a sample's
 * score holds `accuracy_run_0` … `accuracy_run_<n−1>`.
 */
export function runMetricName(run: number): string {
  return `accuracy_run_${run}`;
}

/**
 * Evalchemy's statistics over repeated runs (AIME, AMC23, GPQA Diamond `evaluate_responses`): the accuracy of
 * each run over all questions, `accuracy_avg` = their mean, and `accuracy_std_err` = their population standard
 * deviation (numpy's `np.std`, ddof 0) divided by √runs. Reported as `accuracy_avg` (with that stderr),
 * `accuracy_std_err`, and `accuracy_run_<i>` per run. Runs are read from `accuracy_run_<i>` per-sample metrics.
 */
export function aggregateRepeatedAccuracy(
  samples: readonly ScoredSampleV1[],
  runs: number,
): Record<string, AggregateMetricV1 | number> {
  const accuracies: number[] = [];
  for (let run = 0; run < runs; run++) {
    const name = runMetricName(run);
    let correct = 0;
    let counted = 0;
    for (const sample of samples) {
      const value = sample.metrics[name];
      if (value === null || value === undefined) continue;
      counted += 1;
      correct += value;
    }
    accuracies.push(counted === 0 ? Number.NaN : correct / counted);
  }
  const average = accuracies.reduce((sum, value) => sum + value, 0) / accuracies.length;
  const variance = accuracies.reduce((sum, value) => sum + (value - average) ** 2, 0) / accuracies.length;
  const standardError = Math.sqrt(variance) / Math.sqrt(accuracies.length);
  const result: Record<string, AggregateMetricV1 | number> = {
    accuracy_avg: { value: average, stderr: standardError },
    accuracy_std_err: standardError,
  };
  accuracies.forEach((accuracy, run) => {
    result[runMetricName(run)] = accuracy;
  });
  return result;
}
