import { type BenchmarkV1, judgeRolesOf, type SamplePlanV1, type SampleV1 } from '@evalchemy/core';
import { assignGenerations } from './shard-assignment.js';
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
 * Into how many parts a sharded run splits a sample: its generations, when it has several and they are scored
 * without a judge or a sandbox (the merge scores a split sample, and has neither); else 1, whole.
 */
export function partsOf(
  benchmark: BenchmarkV1<unknown, unknown>,
  options: unknown,
  plan: SamplePlanV1,
): number {
  if (plan.type === 'loglikelihood') return 1;
  const scoredAlone =
    !benchmark.requirements.sandbox && Object.keys(judgeRolesOf(benchmark, options)).length === 0;
  return scoredAlone ? Math.max(1, plan.generations ?? 1) : 1;
}

/** A sample of this shard's share: whole, or (`generations`) only those of its generations. */
export interface ShardItem {
  sample: SampleV1;
  index: number;
  /** The sample's generations this shard runs, when the others are in other shards; absent: all of them. */
  generations?: number[];
}

/**
 * This shard's share of a task's samples (those its limit keeps, with their positions in the task): every
 * sample is costed and split into its independent generations where it may be (`parts`), `assignGenerations`
 * spreads them, and this shard keeps, in order, the samples it got every part of and, with the generations
 * it got, those it got some of.
 */
export async function selectShard(
  samples: AsyncIterable<{ sample: SampleV1; index: number }>,
  shard: ShardOfRun,
  describe: (sample: SampleV1) => { cost: number; parts: number },
): Promise<ShardItem[]> {
  const all: { sample: SampleV1; index: number }[] = [];
  for await (const item of samples) all.push(item);
  const assignment = assignGenerations(
    all.map(({ sample }) => describe(sample)),
    shard.count,
  );
  return all.flatMap((item, position): ShardItem[] => {
    const parts = assignment[position]!;
    const mine = parts.flatMap((owner, part) => (owner === shard.index ? [part] : []));
    if (mine.length === 0) return [];
    return mine.length === parts.length ? [item] : [{ ...item, generations: mine }];
  });
}
