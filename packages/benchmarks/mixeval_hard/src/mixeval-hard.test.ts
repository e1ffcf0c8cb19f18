import type { LoadContextV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  createScriptedJudge,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import mixEvalHard, { createMixEvalHard, type MixEvalOptions, type MixEvalSampleData } from './index.js';

runBenchmarkConformance(mixEvalHard, { packageJsonPath: new URL('../package.json', import.meta.url) });

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());

async function load(options: Record<string, unknown> = {}) {
  const benchmark = createMixEvalHard();
  const context: LoadContextV1<MixEvalOptions> = {
    options: benchmark.optionsSchema.parse(options),
    datasets,
    seed: 0,
    log: createRecordingLogger(),
  };
  const source = await benchmark.doLoad(context);
  return [...(source.samples as Iterable<SampleV1<MixEvalSampleData>>)];
}

describe('mixeval_hard', () => {
  it('is MixEval on the MixEval-Hard items: 500 free-form and 500 multiple-choice per release', async () => {
    expect(mixEvalHard.id).toBe('mixeval_hard');
    for (const version of ['2024-06-01', '2024-08-11']) {
      const samples = await load({ version });
      expect(samples.filter((sample) => sample.data.split === 'free-form')).toHaveLength(500);
      expect(samples.filter((sample) => sample.data.split === 'multiple-choice')).toHaveLength(500);
    }
  });

  it('asks the hard items, not the first 500 of MixEval', async () => {
    const [first] = await load();
    // MixEval-Hard free-form item 0 of 2024-06-01 (mixeval-hard/free-form.json) is a DROP question with its
    // passage; MixEval's item 0 is not.
    expect(first!.data.benchmark_name).toBe('DROP');
    expect(first!.data.formattedInput).toBe(
      `Question: ${first!.data.context}\n${first!.data.prompt}\nAnswer the question shortly.`,
    );
  });

  it("scores with MixEval's parser judge and aggregation", async () => {
    const samples = await load();
    const benchmark = createMixEvalHard();
    const options = benchmark.optionsSchema.parse({});
    const backend = {
      id: 'test',
      modelId: 'm',
      capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
    };
    const sample = samples[0]!;
    const judge = createScriptedJudge({ role: 'freeform_judge', answer: 'The correctness score: [[0.6]].' });
    const score = await benchmark.doScore(
      sample,
      { type: 'generate', generations: [[{ text: 'An answer', finishReason: 'stop', warnings: [] }]] },
      {
        options,
        plan: benchmark.doPlan(sample, { options, backend }),
        judges: { freeform_judge: judge },
        signal: new AbortController().signal,
        log: createRecordingLogger(),
      },
    );
    expect(score.metrics.score).toBe(0.6);
    const metrics = benchmark.doAggregate([
      { id: sample.id, metadata: sample.metadata ?? {}, metrics: score.metrics },
    ]);
    expect(metrics).toMatchObject({
      score: { value: 0.6 },
      score_free_form: { value: 0.6 },
      score_DROP: 0.6,
    });
  });
});
