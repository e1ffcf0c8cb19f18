import { describe, expect, it } from 'vitest';
import { aggregatePassAtK } from './pass-at-k.js';

const sample = (n: number, correct: number) => ({
  id: 'x',
  metadata: {},
  metrics: {},
  details: { n, correct },
});

describe('aggregatePassAtK', () => {
  it('averages the unbiased estimator over problems and skips k above the smallest n', () => {
    const metrics = aggregatePassAtK([sample(6, 3), sample(6, 0)], { ks: [1, 2, 10], countKey: 'correct' });
    expect(metrics['pass@1']?.value).toBeCloseTo(0.25, 12);
    // 1 - C(3,2)/C(6,2) = 1 - 3/15 = 0.8 for the first problem, 0 for the second.
    expect(metrics['pass@2']?.value).toBeCloseTo(0.4, 12);
    expect(metrics['pass@10']).toBeUndefined();
  });
});
