import type { BenchmarkV1, ScoredSampleV1 } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { aggregateTask } from './aggregate.js';

const sample = (id: string, metrics: Record<string, number | null>): ScoredSampleV1 => ({
  id,
  metadata: {},
  metrics,
});
const withoutAggregator = {} as BenchmarkV1<unknown, unknown>;

describe('aggregateTask', () => {
  it('averages each metric over the samples that have a value, with the standard error of the mean', () => {
    const metrics = aggregateTask(withoutAggregator, {}, [
      sample('0', { exact: 1, judged: null }),
      sample('1', { exact: 0, judged: 7 }),
      sample('2', { exact: 1, judged: 9 }),
      sample('3', { exact: 1, judged: null }),
    ]);
    expect(metrics.exact?.value).toBe(0.75);
    // Sample standard deviation 0.5 over √4.
    expect(metrics.exact?.stderr).toBeCloseTo(0.25, 12);
    expect(metrics.judged?.value).toBe(8);
    // Sample standard deviation √2 over √2.
    expect(metrics.judged?.stderr).toBeCloseTo(1, 12);
  });

  it('reports a metric every sample left null as NaN rather than dropping it', () => {
    const metrics = aggregateTask(withoutAggregator, {}, [sample('0', { judged: null })]);
    expect(Object.keys(metrics)).toEqual(['judged']);
    expect(metrics.judged?.value).toBeNaN();
  });

  it("uses the benchmark's own aggregation when it has one, numbers becoming values without stderr", () => {
    const benchmark = {
      doAggregate: (samples: readonly ScoredSampleV1[]) => ({
        count: samples.length,
        best: { value: 1, stderr: 0 },
      }),
    } as unknown as BenchmarkV1<unknown, unknown>;
    expect(aggregateTask(benchmark, {}, [sample('0', { exact: 0 })])).toEqual({
      count: { value: 1 },
      best: { value: 1, stderr: 0 },
    });
  });
});
