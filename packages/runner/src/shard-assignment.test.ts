import { ConfigurationError } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { assignGenerations, assignShards, contiguousShards } from './shard-assignment.js';

const totalsOf = (costs: readonly number[], assignment: readonly number[], count: number): number[] => {
  const totals = new Array<number>(count).fill(0);
  assignment.forEach((shard, position) => {
    totals[shard] = (totals[shard] ?? 0) + (costs[position] ?? 0);
  });
  return totals;
};

describe('assignShards', () => {
  it('gives the costliest items to separate shards and fills the lightest shard next', () => {
    // By cost: 9 → 0, 7 → 1, 5 → 2; 4 → 2 (totals 9, 7, 5); 3 → 1 (9, 7, 9); 2 → 0 (9, 10, 9: the tie goes
    // to the lower index); 1 → 2 (11, 10, 9).
    expect(assignShards([5, 9, 1, 7, 3, 4, 2], 3)).toEqual([2, 0, 2, 1, 1, 2, 0]);
  });

  it('breaks cost ties by position and shard ties by the lowest index', () => {
    expect(assignShards([1, 1, 1, 1, 1], 2)).toEqual([0, 1, 0, 1, 0]);
    expect(assignShards([2, 3, 3, 2], 2)).toEqual([0, 0, 1, 1]);
  });

  it('is deterministic and uses every shard when there are at least as many items', () => {
    const costs = Array.from({ length: 200 }, (_, position) => ((position * 7919) % 101) + 1);
    const first = assignShards(costs, 8);
    expect(assignShards(costs, 8)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
  });

  it('keeps the heaviest shard within the largest item of the mean, where contiguous slices straggle', () => {
    // Long items clustered at the end, as when a suite's hard problems come last.
    const costs = Array.from({ length: 120 }, (_, position) => (position >= 100 ? 50 : 1 + (position % 3)));
    const balanced = totalsOf(costs, assignShards(costs, 6), 6);
    const contiguous = totalsOf(costs, contiguousShards(costs.length, 6), 6);
    const mean = costs.reduce((sum, cost) => sum + cost, 0) / 6;
    expect(Math.max(...balanced) - mean).toBeLessThanOrEqual(Math.max(...costs));
    expect(Math.max(...contiguous)).toBeGreaterThan(2 * mean);
  });

  it('treats zero, negative and non-finite costs as free and accepts one shard', () => {
    expect(assignShards([0, -1, Number.NaN, 4], 2)).toEqual([1, 1, 1, 0]);
    expect(assignShards([3, 2], 1)).toEqual([0, 0]);
    expect(assignShards([], 4)).toEqual([]);
  });

  it('refuses a shard count below one', () => {
    expect(() => assignShards([1], 0)).toThrow(ConfigurationError);
    expect(() => assignShards([1], 1.5)).toThrow(/whole number of at least 1/);
  });
});

describe('contiguousShards', () => {
  it('slices in order, the first slices one longer when the items do not divide evenly', () => {
    expect(contiguousShards(7, 3)).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect(contiguousShards(2, 4)).toEqual([0, 1]);
    expect(contiguousShards(0, 2)).toEqual([]);
  });
});

describe('assignGenerations', () => {
  it("spreads a repeated sample's generations over shards, and keeps a one-part sample whole", () => {
    // A 10-generation sample of cost 100 is ten items of 10; the whole sample of cost 35 is one item.
    const shards = assignGenerations(
      [
        { cost: 100, parts: 10 },
        { cost: 35, parts: 1 },
      ],
      4,
    );
    expect(shards[1]).toEqual([0]);
    expect(shards[0]).toHaveLength(10);
    const totals = [35, 0, 0, 0];
    for (const shard of shards[0]!) totals[shard]! += 10;
    // 135 over 4 shards: no shard more than one generation above another's share.
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(35);
    expect(new Set(shards[0])).toEqual(new Set([1, 2, 3]));
    expect(assignGenerations([{ cost: 100, parts: 10 }], 4)).toEqual(
      assignGenerations([{ cost: 100, parts: 10 }], 4),
    );
  });
});
