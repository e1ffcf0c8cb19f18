import { ConfigurationError } from '@evalchemy/core';

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new ConfigurationError(`The shard count must be a whole number of at least 1; got ${count}.`);
  }
}

/**
 * Assigns items to `count` shards so that each shard's total cost is as even as it can be made cheaply:
 * longest-processing-time-first. Items are taken by cost, highest first (equal costs in their original
 * order), and each goes to the shard with the least total so far (the lowest index on a tie). The result is
 * the shard index of each item, in the items' order; the same costs always give the same assignment.
 */
export function assignShards(costs: readonly number[], count: number): number[] {
  checkCount(count);
  const order = costs.map((_, position) => position);
  const costOf = (position: number): number => {
    const cost = costs[position] ?? 0;
    return Number.isFinite(cost) && cost > 0 ? cost : 0;
  };
  order.sort((left, right) => costOf(right) - costOf(left) || left - right);
  const totals = new Array<number>(count).fill(0);
  const assignment = new Array<number>(costs.length).fill(0);
  for (const position of order) {
    let lightest = 0;
    for (let shard = 1; shard < count; shard += 1) {
      if ((totals[shard] ?? 0) < (totals[lightest] ?? 0)) lightest = shard;
    }
    assignment[position] = lightest;
    totals[lightest] = (totals[lightest] ?? 0) + costOf(position);
  }
  return assignment;
}

/**
 * Assigns samples to `count` shards by generation: a sample of `parts` independent generations is `parts`
 * items of `cost / parts` each (a sample that must stay whole is one part), spread by `assignShards`. So the
 * generations of a costly repeated sample (AIME's 10) land on different shards, as the items of a balanced
 * run should. Returns, per sample, the shard of each of its parts.
 */
export function assignGenerations(
  samples: readonly { cost: number; parts: number }[],
  count: number,
): number[][] {
  const costs: number[] = [];
  for (const { cost, parts } of samples) {
    for (let part = 0; part < parts; part += 1) costs.push(cost / parts);
  }
  const assignment = assignShards(costs, count);
  let position = 0;
  return samples.map(({ parts }) => {
    const shards = assignment.slice(position, position + parts);
    position += parts;
    return shards;
  });
}

/**
 * Evalchemy's sharding for comparison: contiguous slices of the items, the first `size % count` slices one
 * item longer than the rest (Hugging Face `Dataset.shard(num_shards, index)`, contiguous by default, as
 * mlfoundations/evalchemy `eval/distributed/process_shard.py` at 6ed6741 calls it). Note that Evalchemy
 * slices its suite's instances after `ds.shuffle(seed=42)`: to model it, apply this to the shuffled order.
 * Returns the shard index of each of `size` items.
 */
export function contiguousShards(size: number, count: number): number[] {
  checkCount(count);
  const base = Math.floor(size / count);
  const longer = size % count;
  const assignment: number[] = [];
  for (let shard = 0; shard < count; shard += 1) {
    const length = base + (shard < longer ? 1 : 0);
    for (let item = 0; item < length; item += 1) assignment.push(shard);
  }
  return assignment;
}
