// A sharded run splits a repeated sample's generations across shards; the merge reunites and scores them.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BenchmarkV1,
  type GenerateRequestV1,
  resultsFileSchema,
  type SampleRecordV1,
} from '@evalchemy/core';
import { createMockBackend, createRecordingLogger } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from './__fixtures__/arithmetic-benchmark.js';
import { settingsFor } from './__fixtures__/run-settings.js';
import { createDatasetResolver } from './dataset-resolver.js';
import { checkShardedRun, findShardResults, groupShardRuns, mergeShardedRun } from './merge-shards.js';
import { runEvaluation } from './run-evaluation.js';
import { runIdFromName } from './shard-files.js';
import { partsOf } from './shard-selection.js';

const generations = 4;

/** "a+b" asked 4 times; scored over every generation: the share right, and whether the first and the last agree. */
function repeatedArithmetic(size: number): BenchmarkV1<{ a: number; b: number }, { offset: number }> {
  const base = createArithmeticBenchmark({ size, generations });
  return {
    ...base,
    async doScore(sample, responses) {
      if (responses.type !== 'generate') throw new Error('expected generations');
      const answers = responses.generations.map((turns) => turns[0]!.text.trim());
      if (answers.length !== generations) throw new Error(`scored ${answers.length} generations`);
      const expected = String(sample.data.a + sample.data.b);
      const right = answers.filter((answer) => answer === expected).length;
      const warned = responses.generations.flat().some((turn) => turn.warnings.length > 0);
      return {
        metrics: { accuracy: right / generations, agree: answers[0] === answers.at(-1) ? 1 : 0 },
        extracted: answers,
        ...(warned ? { warnings: [{ type: 'other' as const, message: 'a generation was warned' }] } : {}),
      };
    },
  };
}

/** Right unless the generation's seed is divisible by 3; generation 2 of a = 1 carries a backend warning. */
function reply(request: GenerateRequestV1) {
  const last = request.type === 'chat' ? (request.messages.at(-1)?.content ?? '') : '';
  const [, a, b] = /What is (\d+)\+(\d+)\?/.exec(last) ?? [];
  const seed = request.parameters.seed ?? 0;
  const text = (seed + Number(a)) % 3 === 0 ? 'no idea' : String(Number(a) + Number(b));
  return a === '1' && seed === 2
    ? {
        text,
        warnings: [{ type: 'unsupported-setting' as const, setting: 'topP' as const, message: 'ignored' }],
      }
    : text;
}

async function recordsOf(directory: string, pattern: RegExp): Promise<SampleRecordV1[]> {
  const names = (await readdir(directory)).filter((name) => pattern.test(name));
  expect(names, `one file matching ${pattern}`).toHaveLength(1);
  return (await readFile(join(directory, names[0]!), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SampleRecordV1);
}

async function shardedAndSingle(size: number, count: number, generate = reply) {
  const backend = () => createMockBackend({ modelId: 'scripted-model', generate });
  const tasks = () => [{ benchmark: repeatedArithmetic(size), options: { offset: 0 } }];
  const single = await settingsFor({ tasks: tasks(), backend: backend() });
  const singleOutcome = await runEvaluation(single);
  const singleResults = resultsFileSchema.parse(
    JSON.parse(await readFile(singleOutcome.resultsPath, 'utf8')),
  );
  const runId = runIdFromName('split');
  const output = await mkdtemp(join(tmpdir(), 'evalchemy-split-'));
  const sent: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const model = backend();
    await runEvaluation({
      ...(await settingsFor({ tasks: tasks(), backend: model, shard: { index, count }, runId })),
      outputPath: output,
    });
    sent.push(model.requests.length);
  }
  const runs = groupShardRuns(await findShardResults([output]));
  checkShardedRun(runs[0]!, [output]);
  const datasets = createDatasetResolver({ offlineDirectory: output });
  const merged = await mergeShardedRun(runs[0]!, {
    loadTask: async () => {
      const benchmark = repeatedArithmetic(size) as BenchmarkV1<unknown, unknown>;
      const load = () =>
        benchmark.doLoad({ options: { offset: 0 }, datasets, seed: 0, log: createRecordingLogger() });
      return { benchmark, load };
    },
  });
  return {
    single: { results: singleResults },
    merged,
    output: join(output, 'scripted-model'),
    singleOutput: join(single.outputPath, 'scripted-model'),
    sent,
  };
}

describe("a repeated sample's generations in a sharded run", () => {
  it('are spread over the shards, each generation sent by exactly one, and merged into what one process writes', async () => {
    const { single, merged, output, singleOutput, sent } = await shardedAndSingle(5, 3);
    // 5 samples × 4 generations = 20 requests in all, spread 7/7/6 over 3 shards.
    expect(sent.reduce((sum, count) => sum + count, 0)).toBe(5 * generations);
    expect(Math.max(...sent) - Math.min(...sent)).toBeLessThanOrEqual(1);

    const held = new Map<number, number[]>();
    for (let index = 0; index < 3; index += 1) {
      for (const record of await recordsOf(output, new RegExp(`_shard-${index}-of-3\\.jsonl$`))) {
        expect(record.split, 'a part of a split sample').toBeDefined();
        expect(record.metrics).toBeUndefined();
        expect(record.responses).toHaveLength(record.split!.generations.length);
        held.set(record.index, [...(held.get(record.index) ?? []), ...record.split!.generations]);
      }
    }
    for (const parts of held.values()) expect(parts.sort()).toEqual([0, 1, 2, 3]);

    expect(merged.results.results).toEqual(single.results.results);
    expect(merged.results['n-samples']).toEqual(single.results['n-samples']);
    expect(merged.results.warnings).toEqual(single.results.warnings);
    expect(merged.results.warnings.arithmetic).toEqual({ 'unsupported-setting:topP': 1, other: 1 });
    const mergedRecords = await recordsOf(output, /^samples_arithmetic_[0-9T.-]+\.jsonl$/);
    const singleRecords = (await recordsOf(singleOutput, /^samples_arithmetic_.*\.jsonl$/)).sort(
      (left, right) => left.index - right.index,
    );
    expect(mergedRecords).toEqual(singleRecords);
    expect(merged.results.results.arithmetic!.accuracy).not.toBe(1);
  });

  it('fail their sample once when a generation failed in one shard, as in one process', async () => {
    const failing = (request: GenerateRequestV1) => {
      if (/What is 2\+/.test(JSON.stringify(request)) && request.parameters.seed === 1) {
        throw new Error('the server closed the connection');
      }
      return reply(request);
    };
    const { single, merged, output } = await shardedAndSingle(5, 2, failing);
    expect(single.results['n-samples'].arithmetic).toEqual({ effective: 5, scored: 4, failed: 1 });
    expect(merged.results['n-samples']).toEqual(single.results['n-samples']);
    expect(merged.results.results).toEqual(single.results.results);
    expect(merged.results.sample_failures.arithmetic?.failed).toBe(1);
    const record = (await recordsOf(output, /^samples_arithmetic_[0-9T.-]+\.jsonl$/)).find(
      (line) => line.sample_id === 'q2',
    )!;
    expect(record.error).toContain('the server closed the connection');
    expect(record.split).toBeUndefined();
    expect(record.responses).toBeUndefined();
  });
});

describe('partsOf', () => {
  const plan = { type: 'chat' as const, turns: ['q'], parameters: {}, generations: 10 };
  it('splits generations scored alone, and keeps those a judge or a sandbox scores whole', () => {
    const options = { offset: 0 };
    const alone = createArithmeticBenchmark() as BenchmarkV1<unknown, unknown>;
    expect(partsOf(alone, options, plan)).toBe(10);
    expect(partsOf(alone, options, { ...plan, generations: undefined })).toBe(1);
    const judged = createArithmeticBenchmark({ judge: true }) as BenchmarkV1<unknown, unknown>;
    expect(partsOf(judged, options, plan)).toBe(1);
    const sandboxed = createArithmeticBenchmark({ sandbox: true }) as BenchmarkV1<unknown, unknown>;
    expect(partsOf(sandboxed, options, plan)).toBe(1);
    expect(partsOf(alone, options, { type: 'loglikelihood', context: 'c', continuations: ['a', 'b'] })).toBe(
      1,
    );
  });
});
