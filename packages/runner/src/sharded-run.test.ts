import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mean, resultsFileSchema } from '@evalchemy/core';
import { createMockBackend } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from './__fixtures__/arithmetic-benchmark.js';
import { settingsFor } from './__fixtures__/run-settings.js';
import { checkShardedRun, findShardResults, groupShardRuns, mergeShardedRun } from './merge-shards.js';
import { runEvaluation } from './run-evaluation.js';
import { runIdFromName } from './shard-files.js';

const tasks = () => [{ benchmark: createArithmeticBenchmark({ size: 23 }), options: { offset: 0 } }];

async function recordsIn(directory: string, name: RegExp): Promise<{ index: number; sample_id: string }[]> {
  const file = (await readdir(directory)).find((entry) => name.test(entry));
  if (file === undefined) throw new Error(`no file matching ${name} in ${directory}`);
  return (await readFile(join(directory, file), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { index: number; sample_id: string });
}

describe('a sharded run', () => {
  it('runs each sample in exactly one shard, with its own index, and names its files and results by the shard', async () => {
    const single = await settingsFor({ tasks: tasks() });
    await runEvaluation(single);
    const all = await recordsIn(join(single.outputPath, 'scripted-model'), /^samples_arithmetic_.*\.jsonl$/);

    const runId = runIdFromName('nightly-7');
    const seen: { index: number; sample_id: string }[] = [];
    for (let index = 0; index < 3; index += 1) {
      const settings = await settingsFor({ tasks: tasks(), shard: { index, count: 3 }, runId });
      const outcome = await runEvaluation(settings);
      expect(outcome.resultsPath).toMatch(new RegExp(`results_[0-9T.-]+_shard-${index}-of-3\\.json$`));
      const results = resultsFileSchema.parse(JSON.parse(await readFile(outcome.resultsPath, 'utf8')));
      expect(results.shard).toEqual({ index, count: 3 });
      expect(results.run_id).toBe(runId);
      const share = await recordsIn(
        join(settings.outputPath, 'scripted-model'),
        new RegExp(`^samples_arithmetic_.*_shard-${index}-of-3\\.jsonl$`),
      );
      expect(share.length).toBeGreaterThan(0);
      expect(results['n-samples'].arithmetic?.effective).toBe(share.length);
      seen.push(...share);
    }
    const key = (record: { index: number; sample_id: string }) => `${record.index}:${record.sample_id}`;
    expect(seen.map(key).sort()).toEqual(all.map(key).sort());
  });

  it('derives one UUID from one run name, and keeps a UUID as it is', () => {
    expect(runIdFromName('nightly-7')).toBe(runIdFromName('nightly-7'));
    expect(runIdFromName('nightly-7')).not.toBe(runIdFromName('nightly-8'));
    expect(runIdFromName('nightly-7')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const uuid = '0B5E1D6A-3C1F-4B7A-9E2D-5F6A7B8C9D0E';
    expect(runIdFromName(uuid)).toBe(uuid.toLowerCase());
    expect(() => resultsFileSchema.shape.run_id.parse(runIdFromName('x'))).not.toThrow();
  });

  it('aggregates the scored samples in index order, whichever finished first', async () => {
    const size = 20;
    const value = (a: number) => 1 / (a + 7);
    const inOrder = Array.from({ length: size }, (_, a) => value(a));
    // The float sum depends on the order: a run that averaged in completion order would differ.
    expect(mean([...inOrder].reverse())).not.toBe(mean(inOrder));
    const arithmetic = createArithmeticBenchmark({ size });
    const benchmark = {
      ...arithmetic,
      async doScore(sample: { data: { a: number } }) {
        return { metrics: { fraction: value(sample.data.a) } };
      },
    } as unknown as typeof arithmetic;
    // Later questions are answered sooner: samples finish in reverse order.
    const backend = createMockBackend({
      modelId: 'scripted-model',
      generate: async (request) => {
        const last = (request as { messages?: { content: string }[] }).messages?.at(-1)?.content ?? '';
        const a = Number(/What is (\d+)\+/.exec(last)?.[1] ?? 0);
        await new Promise((resolve) => setTimeout(resolve, (size - a) * 5));
        return 'ok';
      },
    });
    const settings = await settingsFor({
      backend,
      concurrency: size,
      tasks: [{ benchmark: benchmark as never, options: { offset: 0 } }],
    });
    const outcome = await runEvaluation(settings);
    const records = await recordsIn(
      join(settings.outputPath, 'scripted-model'),
      /^samples_arithmetic_.*\.jsonl$/,
    );
    expect(records[0]!.index).toBe(size - 1);
    expect(outcome.tasks[0]!.metrics.fraction!.value).toBe(mean(inOrder));
  });

  it('merges a task that failed in one shard as a failed task, naming the shard', async () => {
    const runId = runIdFromName('one-failed');
    const first = await settingsFor({ tasks: tasks(), shard: { index: 0, count: 2 }, runId });
    const failing = [
      { benchmark: createArithmeticBenchmark({ size: 23, failLoad: true }), options: { offset: 0 } },
    ];
    await runEvaluation(first);
    await runEvaluation({
      ...(await settingsFor({ tasks: failing, shard: { index: 1, count: 2 }, runId })),
      outputPath: first.outputPath,
    });
    const runs = groupShardRuns(await findShardResults([first.outputPath]));
    expect(runs).toHaveLength(1);
    checkShardedRun(runs[0]!, [first.outputPath]);
    const merged = await mergeShardedRun(runs[0]!, {
      loadTask: async () => {
        const benchmark = createArithmeticBenchmark({ size: 23 });
        return {
          benchmark,
          load: async () => {
            throw new Error('not read: no split sample, no doAggregate');
          },
        };
      },
    });
    expect(merged.tasks[0]).toMatchObject({ task: 'arithmetic', status: 'failed' });
    expect(merged.results.task_errors.arithmetic).toMatch(/^shard 1: .*the data file is missing/);
    expect(merged.results.results.arithmetic).toEqual({});
    expect(merged.results.shard).toBeUndefined();
    expect(merged.results.run_id).toBe(runId);
  });
});
