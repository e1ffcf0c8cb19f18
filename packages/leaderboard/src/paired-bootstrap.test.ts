import { describe, expect, it } from 'vitest';
import {
  bootstrapMeans,
  mulberry32,
  noPairedSamplesNote,
  pairedBootstrap,
  quantileOfSorted,
} from './paired-bootstrap.js';

describe('pairedBootstrap', () => {
  it('with every difference equal, the interval is that difference and the p-value is the smallest there is', () => {
    const pairs = Array.from({ length: 40 }, (_, i) => ({ a: i % 2, b: (i % 2) + 0.25 }));
    const result = pairedBootstrap(pairs, { resamples: 2000, seed: 7 });
    expect(result.n).toBe(40);
    expect(result.meanA).toBeCloseTo(0.5, 12);
    expect(result.meanB).toBeCloseTo(0.75, 12);
    expect(result.difference).toBeCloseTo(0.25, 12);
    expect(result.interval?.[0]).toBeCloseTo(0.25, 12);
    expect(result.interval?.[1]).toBeCloseTo(0.25, 12);
    expect(result.pValue).toBe(1 / 2001);
  });

  it('with differences symmetric around 0, the p-value is large and the interval contains 0', () => {
    const pairs = [
      ...Array.from({ length: 25 }, () => ({ a: 0, b: 1 })),
      ...Array.from({ length: 25 }, () => ({ a: 1, b: 0 })),
      ...Array.from({ length: 50 }, () => ({ a: 1, b: 1 })),
    ];
    const result = pairedBootstrap(pairs);
    expect(result.difference).toBe(0);
    expect(result.pValue).toBe(1);
    expect(result.interval?.[0]).toBeLessThan(0);
    expect(result.interval?.[1]).toBeGreaterThan(0);
  });

  it('finds a clear improvement significant and a slight one not', () => {
    const clear = Array.from({ length: 200 }, (_, i) => ({ a: i % 2, b: i % 10 === 0 ? 0 : 1 }));
    // 30 samples better in B, 25 worse, 145 alike: B − A = 0.025, well within the noise.
    const slight = [
      ...Array.from({ length: 30 }, () => ({ a: 0, b: 1 })),
      ...Array.from({ length: 25 }, () => ({ a: 1, b: 0 })),
      ...Array.from({ length: 145 }, () => ({ a: 1, b: 1 })),
    ];
    const clearResult = pairedBootstrap(clear);
    const slightResult = pairedBootstrap(slight);
    expect(clearResult.difference).toBeCloseTo(0.4, 12);
    expect(clearResult.pValue).toBeLessThan(0.001);
    expect(clearResult.interval?.[0]).toBeGreaterThan(0);
    expect(slightResult.difference).toBeCloseTo(0.025, 12);
    expect(slightResult.pValue).toBeGreaterThan(0.3);
    expect(slightResult.interval?.[0]).toBeLessThan(0);
  });

  it('computes the percentile interval and the p-value as their definitions say, on a small input', () => {
    const pairs = [
      { a: 0.2, b: 0.9 },
      { a: 0.5, b: 0.4 },
      { a: 0.1, b: 0.6 },
      { a: 0.7, b: 0.7 },
      { a: 0.3, b: 0.1 },
    ];
    const differences = pairs.map((pair) => pair.b - pair.a);
    const observed = differences.reduce((sum, d) => sum + d, 0) / differences.length;
    // Redo the draws by hand with the same PRNG: n indices per resample, in order.
    const random = mulberry32(3);
    const means: number[] = [];
    for (let r = 0; r < 101; r++) {
      let sum = 0;
      for (let i = 0; i < 5; i++) sum += differences[Math.floor(random() * 5)] as number;
      means.push(sum / 5);
    }
    expect(Array.from(bootstrapMeans(differences, 101, 3))).toEqual(means);
    const sorted = [...means].sort((x, y) => x - y);
    // 101 resamples: h = 100·q, so the 2.5th and 97.5th percentiles interpolate halfway between neighbours.
    const low = ((sorted[2] as number) + (sorted[3] as number)) / 2;
    const high = ((sorted[97] as number) + (sorted[98] as number)) / 2;
    const extreme = means.filter((mean) => Math.abs(mean - observed) >= Math.abs(observed) - 1e-12).length;
    const result = pairedBootstrap(pairs, { resamples: 101, seed: 3 });
    expect(result.difference).toBeCloseTo(0.18, 12);
    expect(result.interval?.[0]).toBeCloseTo(low, 12);
    expect(result.interval?.[1]).toBeCloseTo(high, 12);
    expect(result.pValue).toBe((1 + extreme) / 102);
  });

  it('gives the same result for the same seed and another for another seed', () => {
    const pairs = Array.from({ length: 30 }, (_, i) => ({
      a: (i * 7) % 3 === 0 ? 1 : 0,
      b: (i * 5) % 4 === 0 ? 0 : 1,
    }));
    const first = pairedBootstrap(pairs, { seed: 11, resamples: 500 });
    expect(pairedBootstrap(pairs, { seed: 11, resamples: 500 })).toEqual(first);
    const other = pairedBootstrap(pairs, { seed: 12, resamples: 500 });
    expect(other.difference).toBe(first.difference);
    expect(other.interval).not.toEqual(first.interval);
  });

  it('says there are no samples both runs scored instead of returning NaN', () => {
    const result = pairedBootstrap([]);
    expect(result).toMatchObject({
      n: 0,
      difference: null,
      interval: null,
      pValue: null,
      note: noPairedSamplesNote,
    });
    expect(JSON.stringify(result)).not.toContain('NaN');
  });

  it('refuses a resample count that is not a positive integer', () => {
    expect(() => pairedBootstrap([{ a: 0, b: 1 }], { resamples: 0 })).toThrow(
      /resamples must be a positive integer/,
    );
  });
});

describe('quantileOfSorted', () => {
  it('interpolates between order statistics like numpy', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileOfSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileOfSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileOfSorted([10], 0.975)).toBe(10);
  });
});
