// A 128-shard run of Evalchemy's reasoning suite (packages/cli/configs/reasoning.yaml: aime24, amc23, math500,
// gpqa_diamond, humaneval, mbpp), simulated: how long does the slowest shard take next to the mean shard, with
// Evalchemy's contiguous slices and with our cost-balanced assignment?
//
// The samples, their generations, their max tokens and the costs our runner estimates are the real ones: each
// benchmark package is loaded from the offline datasets (EVALCHEMY_DATASETS_DIR, default /work/shared/datasets),
// planned for a chat backend, and costed by the runner's `estimateSampleCost`, exactly as `--shard I/N` does.
// Only the output lengths are drawn, per generation, from a per-task lognormal (below), capped at the task's max
// tokens, with a seeded PRNG.
//
// Serving model: one vLLM per shard (one GPU) with continuous batching. All of a shard's requests are in flight
// at once, so the shard takes max(total output tokens / THROUGHPUT, longest generation / PER_SEQUENCE): the
// batch is either throughput-bound or waiting for its longest sequence. Prompt (prefill) time is left out: it is
// under 1% of these outputs.
//
// Usage (from tools/bench): pnpm exec tsx shard-balance.ts [SHARDS=128] [SEEDS=5] [THROUGHPUT=785] [PER_SEQUENCE=26]
// [LENGTH_SCALE=1] (every median output length times this, to test the conclusions against other medians)
import aime24 from '@evalchemy/benchmark-aime24';
import amc23 from '@evalchemy/benchmark-amc23';
import gpqaDiamond from '@evalchemy/benchmark-gpqa_diamond';
import humaneval from '@evalchemy/benchmark-humaneval';
import math500 from '@evalchemy/benchmark-math500';
import mbpp from '@evalchemy/benchmark-mbpp';
import type { BenchmarkV1, SamplePlanV1 } from '@evalchemy/core';
import {
  assignGenerations,
  assignShards,
  contiguousShards,
  createDatasetResolver,
  estimateSampleCost,
  partsOf,
} from '@evalchemy/runner';
import { seededRandom } from './seeded-random.js';

const [shardCount, seedCount, throughput, perSequence, lengthScale] = [128, 5, 785, 26, 1].map(
  (fallback, index) => Number(process.argv[2 + index] ?? fallback),
) as [number, number, number, number, number];

/**
 * Output tokens of one generation, per task: lognormal with this median; `questionSpread` (log-sd) is shared by
 * every generation of a question (a hard question is long every time), `generationSpread` is each generation's
 * own. Sources and reasoning in BENCHMARKS.md ("Sharded runs: balance of a 128-shard reasoning suite").
 */
const outputLengths: Record<string, { median: number; questionSpread: number; generationSpread: number }> = {
  aime24: { median: 12_000, questionSpread: 0.35, generationSpread: 0.35 },
  amc23: { median: 7_000, questionSpread: 0.35, generationSpread: 0.35 },
  math500: { median: 3_000, questionSpread: 0.5, generationSpread: 0.35 },
  gpqa_diamond: { median: 6_000, questionSpread: 0.35, generationSpread: 0.35 },
  humaneval: { median: 2_500, questionSpread: 0.35, generationSpread: 0.35 },
  mbpp: { median: 2_500, questionSpread: 0.35, generationSpread: 0.35 },
};

interface SimulatedSample {
  task: string;
  /** The question (GPQA's repeats are samples of their own, with one question). */
  question: string;
  generations: number;
  maxTokens: number;
  /** What the runner estimates (`estimateSampleCost`). */
  estimatedCost: number;
  /** Into how many parts the runner splits it (`partsOf`: its generations, for these tasks). */
  parts: number;
}

const log = { info: () => {}, warn: (message: string) => console.warn(message), debug: () => {} };
const datasets = createDatasetResolver({
  offlineDirectory: process.env.EVALCHEMY_DATASETS_DIR ?? '/work/shared/datasets',
});
const chatBackend = {
  id: 'vllm',
  modelId: 'reasoning-model',
  capabilities: { chat: true, completion: true, loglikelihood: false, cacheable: true },
};

async function loadTask(benchmark: BenchmarkV1<unknown, unknown>): Promise<SimulatedSample[]> {
  const options = (benchmark.optionsSchema as { parse(value: unknown): unknown }).parse({});
  const source = await benchmark.doLoad({ options, datasets, seed: 0, log });
  const samples: SimulatedSample[] = [];
  for await (const sample of source.samples) {
    const plan: SamplePlanV1 = benchmark.doPlan(sample, { options, backend: chatBackend });
    if (plan.type === 'loglikelihood') throw new Error(`${benchmark.id} plans loglikelihood requests`);
    samples.push({
      task: benchmark.id,
      question: sample.id.replace(/#\d+$/, ''),
      generations: plan.generations ?? 1,
      maxTokens: plan.parameters.maxTokens ?? 32_768,
      estimatedCost: estimateSampleCost(benchmark, sample, plan),
      parts: partsOf(benchmark, options, plan),
    });
  }
  return samples;
}

const benchmarks = [aime24, amc23, math500, gpqaDiamond, humaneval, mbpp];
const tasks = await Promise.all(
  benchmarks.map((benchmark) => loadTask(benchmark as BenchmarkV1<unknown, unknown>)),
);

/** Standard normal draw (Box-Muller) from a uniform generator. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Each sample's generations' output tokens, for one seed. */
function drawLengths(seed: number): number[][][] {
  const random = seededRandom(seed);
  return tasks.map((samples) => {
    const questionFactor = new Map<string, number>();
    return samples.map((sample) => {
      const shape = outputLengths[sample.task]!;
      let factor = questionFactor.get(sample.question);
      if (factor === undefined) {
        factor = Math.exp(shape.questionSpread * normal(random));
        questionFactor.set(sample.question, factor);
      }
      return Array.from({ length: sample.generations }, () =>
        Math.min(
          sample.maxTokens,
          Math.round(shape.median * lengthScale * factor * Math.exp(shape.generationSpread * normal(random))),
        ),
      );
    });
  });
}

/** The shard of each generation: `[task][sample][generation]`. */
type Placement = number[][][];

/** A placement that keeps every generation of a sample on the sample's shard. */
function bySample(assignments: number[][], lengths: number[][][]): Placement {
  return lengths.map((task, taskIndex) =>
    task.map((generated, sample) => generated.map(() => assignments[taskIndex]![sample]!)),
  );
}

/** Per shard: its output tokens, and its time in seconds under the serving model. */
function shardLoads(placement: Placement, lengths: number[][][]): { tokens: number[]; times: number[] } {
  const tokens = new Array<number>(shardCount).fill(0);
  const longest = new Array<number>(shardCount).fill(0);
  for (const [taskIndex, task] of placement.entries()) {
    for (const [sample, generations] of task.entries()) {
      for (const [generation, shard] of generations.entries()) {
        const length = lengths[taskIndex]![sample]![generation]!;
        tokens[shard]! += length;
        longest[shard] = Math.max(longest[shard]!, length);
      }
    }
  }
  return {
    tokens,
    times: tokens.map((total, shard) => Math.max(total / throughput, longest[shard]! / perSequence)),
  };
}

/** Longest-processing-time-first over every item of the run at once, totals carried across tasks. */
function acrossTasks(costs: number[][]): number[][] {
  const flat = costs.flatMap((taskCosts, task) => taskCosts.map((cost, sample) => ({ cost, task, sample })));
  const assignment = assignShards(
    flat.map((item) => item.cost),
    shardCount,
  );
  const result = costs.map((taskCosts) => new Array<number>(taskCosts.length).fill(0));
  flat.forEach((item, position) => {
    result[item.task]![item.sample] = assignment[position]!;
  });
  return result;
}

const sampleTokens = (lengths: number[][][]) =>
  lengths.map((task) => task.map((generated) => generated.reduce((sum, length) => sum + length, 0)));

/**
 * Evalchemy's distributed evaluation (mlfoundations/evalchemy eval/distributed, 6ed6741): every request instance of
 * the suite (each of AIME's 10 repeats an instance of its own) in one dataset, `ds.shuffle(seed=42)`, then
 * `ds.shard(N, rank)`: contiguous slices of the shuffled order. The shuffle here is a seeded Fisher-Yates, not
 * Hugging Face's permutation: the same kind of random order, not the same one.
 */
function evalchemyPlacement(lengths: number[][][], seed: number): Placement {
  const instances = lengths.flatMap((task, taskIndex) =>
    task.flatMap((generated, sample) =>
      generated.map((_, generation) => ({ taskIndex, sample, generation })),
    ),
  );
  const random = seededRandom(seed * 7919 + 42);
  for (let index = instances.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [instances[index], instances[other]] = [instances[other]!, instances[index]!];
  }
  const slices = contiguousShards(instances.length, shardCount);
  const placement: Placement = lengths.map((task) => task.map((generated) => generated.map(() => 0)));
  instances.forEach((instance, position) => {
    placement[instance.taskIndex]![instance.sample]![instance.generation] = slices[position]!;
  });
  return placement;
}

let currentSeed = 1;

const strategies: { name: string; place: (lengths: number[][][]) => Placement }[] = [
  {
    name: 'Evalchemy: every generation an instance, shuffled, contiguous slices',
    place: (lengths) => evalchemyPlacement(lengths, currentSeed),
  },
  {
    name: 'contiguous slices of each task, no shuffle',
    place: (lengths) =>
      bySample(
        tasks.map((samples) => contiguousShards(samples.length, shardCount)),
        lengths,
      ),
  },
  {
    name: '**ours**: assignGenerations, runner estimate, per task (what --shard does)',
    place: (lengths) =>
      tasks.map((samples, taskIndex) => {
        const shards = assignGenerations(
          samples.map((sample) => ({ cost: sample.estimatedCost, parts: sample.parts })),
          shardCount,
        );
        // A sample kept whole (one part) has all its generations on its one shard.
        return lengths[taskIndex]!.map((generated, sample) =>
          generated.map((_, generation) => shards[sample]![shards[sample]!.length === 1 ? 0 : generation]!),
        );
      }),
  },
  {
    name: 'whole samples: assignShards, runner estimate, per task (ours before)',
    place: (lengths) =>
      bySample(
        tasks.map((samples) =>
          assignShards(
            samples.map((sample) => sample.estimatedCost),
            shardCount,
          ),
        ),
        lengths,
      ),
  },
  {
    name: 'assignShards, generations x max tokens, across tasks',
    place: (lengths) =>
      bySample(
        acrossTasks(tasks.map((samples) => samples.map((sample) => sample.generations * sample.maxTokens))),
        lengths,
      ),
  },
  {
    name: 'assignShards, true lengths, across tasks (oracle)',
    place: (lengths) => bySample(acrossTasks(sampleTokens(lengths)), lengths),
  },
  {
    name: 'each generation its own item, true lengths, across tasks (oracle)',
    place: (lengths) => {
      const generationCosts = lengths.flatMap((task) => task.map((generated) => generated));
      const flat = acrossTasks(generationCosts);
      let position = 0;
      return lengths.map((task) => task.map(() => flat[position++]!));
    },
  },
];

const describeTasks = tasks
  .map((samples) => {
    const first = samples[0]!;
    return `${first.task} ${samples.length}x${first.generations} (max ${first.maxTokens})`;
  })
  .join(', ');
console.log(`shards ${shardCount}; tasks: ${describeTasks}`);
console.log(`serving: ${throughput} output tokens/s per shard, ${perSequence} tokens/s per sequence\n`);

const rows = new Map<
  string,
  { slowest: number[]; ratio: number[]; tokenRatio: number[]; gpuHours: number[] }
>();
const bounds: number[] = [];
const ratioFloors: number[] = [];
const facts: string[] = [];
for (let seed = 1; seed <= seedCount; seed += 1) {
  currentSeed = seed;
  const lengths = drawLengths(seed);
  const allGenerations = lengths.flat(2);
  const total = allGenerations.reduce((sum, length) => sum + length, 0);
  const longestGeneration = Math.max(...allGenerations);
  const largestSample = Math.max(...sampleTokens(lengths).flat());
  facts.push(
    `seed ${seed}: ${(total / 1e6).toFixed(2)}M output tokens, ${Math.round(total / shardCount)} per shard on average; ` +
      `largest sample ${largestSample}, longest generation ${longestGeneration} (${allGenerations.filter((length) => length >= 32_768).length} at the 32768 cap)`,
  );
  // No placement of whole generations does better than this: the mean work, or the longest generation.
  const slowestBound = Math.max(total / throughput / shardCount, longestGeneration / perSequence);
  bounds.push(slowestBound);
  // And none has a mean shard time above this: a shard's time is its work, or its longest generation when
  // that is longer (time ≤ work + longest × (1/PER_SEQUENCE − 1/THROUGHPUT)), and the shards' longest
  // generations are at most the run's `shardCount` longest. So slowest ÷ mean is at least bound ÷ this.
  const longestOnes = [...allGenerations].sort((left, right) => right - left).slice(0, shardCount);
  const meanCeiling =
    (total / throughput +
      longestOnes.reduce((sum, length) => sum + length, 0) * (1 / perSequence - 1 / throughput)) /
    shardCount;
  ratioFloors.push(slowestBound / Math.min(meanCeiling, slowestBound));
  for (const strategy of strategies) {
    const { tokens, times } = shardLoads(strategy.place(lengths), lengths);
    const mean = times.reduce((sum, time) => sum + time, 0) / times.length;
    const slowest = Math.max(...times);
    const row = rows.get(strategy.name) ?? { slowest: [], ratio: [], tokenRatio: [], gpuHours: [] };
    // A shard's GPU is released when the shard ends (a Slurm array task, a Job's pod): the run's GPU time is
    // the sum of the shard times.
    row.gpuHours.push((mean * times.length) / 3600);
    row.slowest.push(slowest);
    row.ratio.push(slowest / mean);
    row.tokenRatio.push(Math.max(...tokens) / (total / shardCount));
    rows.set(strategy.name, row);
  }
}

const format = (values: number[], digits: number) => values.map((value) => value.toFixed(digits)).join(' ');
for (const fact of facts) console.log(fact);
console.log(
  `\n| assignment | slowest shard, s (seeds 1-${seedCount}) | slowest / mean shard time | slowest / mean shard tokens | GPU hours |`,
);
console.log('| --- | --- | --- | --- | --- |');
for (const [name, row] of rows) {
  console.log(
    `| ${name} | ${format(row.slowest, 0)} | ${format(row.ratio, 2)} | ${format(row.tokenRatio, 2)} | ${format(row.gpuHours, 1)} |`,
  );
}
console.log(
  `\nlower bound on the slowest shard (max of mean work and longest generation), s: ${format(bounds, 0)}`,
);
console.log(
  `lower bound on slowest / mean shard time, any placement of whole generations: ${format(ratioFloors, 2)}`,
);
