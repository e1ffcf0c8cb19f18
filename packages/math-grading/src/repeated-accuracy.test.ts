import { describe, expect, it } from 'vitest';
import { aggregateRepeatedAccuracy } from './repeated-accuracy.js';

describe('aggregateRepeatedAccuracy', () => {
  it('reports per-run accuracies, their mean, and np.std / sqrt(runs) as Evalchemy does', () => {
    // Run 0: 2/2 correct, run 1: 1/2, run 2: 0/2.
    const samples = [
      { id: 'a', metadata: {}, metrics: { accuracy_run_0: 1, accuracy_run_1: 1, accuracy_run_2: 0 } },
      { id: 'b', metadata: {}, metrics: { accuracy_run_0: 1, accuracy_run_1: 0, accuracy_run_2: 0 } },
    ];
    const result = aggregateRepeatedAccuracy(samples, 3);
    expect(result.accuracy_run_0).toBe(1);
    expect(result.accuracy_run_1).toBe(0.5);
    expect(result.accuracy_run_2).toBe(0);
    // Population std of [1, 0.5, 0] is sqrt(1/6); divided by sqrt(3).
    expect(result.accuracy_avg).toEqual({ value: 0.5, stderr: Math.sqrt(1 / 6) / Math.sqrt(3) });
    expect(result.accuracy_std_err).toBeCloseTo(Math.sqrt(1 / 6) / Math.sqrt(3), 12);
  });
});
