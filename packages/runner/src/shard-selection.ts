import type { BenchmarkV1, SamplePlanV1, SampleV1 } from '@evalchemy/core';
import { assignShards } from './shard-assignment.js';
import type { ShardOfRun } from './shard-files.js';

/**
 * The expected cost of a sample: the benchmark's own `estimateCost` when it has one, else the characters of
 * the prompt (system, history and turns; the completion prompt; the loglikelihood context and continuations)
 * times the generations and the turns.
 */
export function estimateSampleCost(
  benchmark: BenchmarkV1<unknown, unknown>,
  sample: SampleV1,
  plan: SamplePlanV1,
): number {
  if (benchmark.estimateCost !== undefined) return benchmark.estimateCost(sample, plan);
  return promptCost(plan);
}

function promptCost(plan: SamplePlanV1): number {
  if (plan.type === 'loglikelihood') {
    return (
      plan.context.length + plan.continuations.reduce((sum, continuation) => sum + continuation.length, 0)
    );
  }
  const generations = plan.generations ?? 1;
  if (plan.type === 'completion') return plan.prompt.length * generations;
  const characters =
    (plan.system?.length ?? 0) +
    (plan.history ?? []).reduce((sum, message) => sum + message.content.length, 0) +
    plan.turns.reduce((sum, turn) => sum + turn.length, 0);
  return characters * generations * Math.max(1, plan.turns.length);
}

/**
 * This shard's share of a task's samples (those its limit keeps, with their positions in the task): every
 * sample is costed, `assignShards` spreads them, and the ones given to `shard.index` are kept in order.
 */
export async function selectShard(
  samples: AsyncIterable<{ sample: SampleV1; index: number }>,
  shard: ShardOfRun,
  costOf: (sample: SampleV1) => number,
): Promise<{ sample: SampleV1; index: number }[]> {
  const all: { sample: SampleV1; index: number }[] = [];
  for await (const item of samples) all.push(item);
  const assignment = assignShards(
    all.map(({ sample }) => costOf(sample)),
    shard.count,
  );
  return all.filter((_, position) => assignment[position] === shard.index);
}
