import { type LoadContext, parsePluginOptions, type Sample, type SampleResponses } from '@evalchemy/core';
import type { MathProblem } from '@evalchemy/math-grading';
import { createDatasetResolver } from '@evalchemy/runner';
import { createRecordingLogger, runBenchmarkConformance, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import defaultBenchmark, { VERSION } from './index.js';
import { createMath500 } from './math500-benchmark.js';
import type { Math500Options } from './math500-options.js';

const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });

runBenchmarkConformance(defaultBenchmark, { packageJsonPath: new URL('../package.json', import.meta.url) });

function loadContext(options: Math500Options): LoadContext<Math500Options> {
  return { options, datasets, seed: 0, log: createRecordingLogger() };
}

function scoreContext(options: Math500Options) {
  return { options, signal: new AbortController().signal, log: createRecordingLogger() };
}

function generated(texts: string[]): SampleResponses {
  return {
    type: 'generate',
    generations: texts.map((text) => [{ text, finishReason: 'stop', warnings: [] }]),
  };
}

async function allSamples(options: Math500Options): Promise<Sample<MathProblem>[]> {
  const source = await createMath500().doLoad(loadContext(options));
  return [...(source.samples as Iterable<Sample<MathProblem>>)];
}

describe('math500', () => {
  it('is a v1 benchmark plugin whose id and version match its manifest', () => {
    expect(defaultBenchmark.specificationVersion).toBe('v1');
    expect(defaultBenchmark.id).toBe(packageJson.evalchemy.id);
    expect(VERSION).toBe(packageJson.version);
  });

  it('loads all 500 problems with unique ids from the pinned file', async () => {
    const samples = await allSamples(parsePluginOptions(defaultBenchmark.optionsSchema, {}, 'math500'));
    expect(samples).toHaveLength(500);
    expect(new Set(samples.map((sample) => sample.id)).size).toBe(500);
  });

  it("asks with Evalchemy's prompt, temperature and token budget", async () => {
    const options = parsePluginOptions(defaultBenchmark.optionsSchema, {}, 'math500');
    const [sample] = await allSamples(options);
    const plan = defaultBenchmark.doPlan(sample!, {
      options,
      backend: {
        id: 'x',
        modelId: 'm',
        capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
      },
    });
    expect(plan).toMatchObject({
      type: 'chat',
      turns: [`Problem: ${sample!.data.problem}\nMark your solution with \\boxed\nAnswer:`],
      parameters: { maxTokens: 32768, temperature: 0.7 },
      generations: 1,
    });
  });

  it('rejects an unknown option, naming it', () => {
    expect(() => parsePluginOptions(defaultBenchmark.optionsSchema, { max_tokens: 5 }, 'math500')).toThrow(
      /max_tokens/,
    );
  });

  for (const grading of ['equivalent', 'is_equiv'] as const) {
    it(`grades every gold answer as correct against itself in \\boxed{} (${grading})`, async () => {
      const options = parsePluginOptions(defaultBenchmark.optionsSchema, { grading }, 'math500');
      for (const sample of await allSamples(options)) {
        const text = `Reasoning... so the answer is $\\boxed{${sample.data.answer}}$.`;
        const score = await defaultBenchmark.doScore(sample, generated([text]), scoreContext(options));
        expect(score.metrics.accuracy, `${sample.id}: ${sample.data.answer}`).toBe(1);
      }
    });
  }

  it('grades the answer after the reasoning trace and keeps the trace', async () => {
    const options = parsePluginOptions(defaultBenchmark.optionsSchema, {}, 'math500');
    const [sample] = await allSamples(options);
    const text = `<think>first guess \\boxed{${sample!.data.answer}}</think>Final: \\boxed{-12345}`;
    const score = await defaultBenchmark.doScore(sample!, generated([text]), scoreContext(options));
    expect(score.metrics.accuracy).toBe(0);
    expect(score.details?.reasoning).toEqual([`first guess \\boxed{${sample!.data.answer}}`]);
  });

  it('reports accuracy with the standard error of the mean', async () => {
    const benchmark = createMath500();
    const options = parsePluginOptions(benchmark.optionsSchema, {}, 'math500');
    const scored = [1, 0, 1, 1].map((accuracy, index) => ({
      id: String(index),
      metadata: {},
      metrics: { accuracy },
    }));
    const result = benchmark.doAggregate(scored, { options });
    expect(result.accuracy).toEqual({ value: 0.75, stderr: 0.5 / Math.sqrt(4) });
  });
});
