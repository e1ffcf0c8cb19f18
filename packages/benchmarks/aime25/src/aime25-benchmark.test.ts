import { type LoadContext, parsePluginOptions, type Sample, type SampleResponses } from '@evalchemy/core';
import { type MathProblem, runMetricName } from '@evalchemy/math-grading';
import { createDatasetResolver } from '@evalchemy/runner';
import { createRecordingLogger, runBenchmarkConformance, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { createAime25 } from './aime25-benchmark.js';
import type { Aime25Options } from './aime25-options.js';
import defaultBenchmark, { VERSION } from './index.js';

const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });

runBenchmarkConformance(defaultBenchmark, { packageJsonPath: new URL('../package.json', import.meta.url) });

function loadContext(options: Aime25Options): LoadContext<Aime25Options> {
  return { options, datasets, seed: 0, log: createRecordingLogger() };
}

function scoreContext(options: Aime25Options) {
  return { options, signal: new AbortController().signal, log: createRecordingLogger() };
}

function generated(texts: string[]): SampleResponses {
  return {
    type: 'generate',
    generations: texts.map((text) => [{ text, finishReason: 'stop', warnings: [] }]),
  };
}

async function allSamples(options: Aime25Options): Promise<Sample<MathProblem>[]> {
  const source = await createAime25().doLoad(loadContext(options));
  return [...(source.samples as Iterable<Sample<MathProblem>>)];
}

describe('aime25', () => {
  it('is a v1 benchmark plugin whose id and version match its manifest', () => {
    expect(defaultBenchmark.specificationVersion).toBe('v1');
    expect(defaultBenchmark.id).toBe(packageJson.evalchemy.id);
    expect(VERSION).toBe(packageJson.version);
  });

  it('loads all 30 problems with unique ids from the pinned file', async () => {
    const samples = await allSamples(parsePluginOptions(defaultBenchmark.optionsSchema, {}, 'aime25'));
    expect(samples).toHaveLength(30);
    expect(new Set(samples.map((sample) => sample.id)).size).toBe(30);
  });

  it("asks with Evalchemy's prompt, temperature and token budget", async () => {
    const options = parsePluginOptions(defaultBenchmark.optionsSchema, {}, 'aime25');
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
      generations: 10,
    });
  });

  it('rejects an unknown option, naming it', () => {
    expect(() => parsePluginOptions(defaultBenchmark.optionsSchema, { max_tokens: 5 }, 'aime25')).toThrow(
      /max_tokens/,
    );
  });

  for (const grading of ['equivalent', 'is_equiv'] as const) {
    it(`grades every gold answer as correct against itself in \\boxed{} (${grading})`, async () => {
      const options = parsePluginOptions(defaultBenchmark.optionsSchema, { grading }, 'aime25');
      for (const sample of await allSamples(options)) {
        const text = `Reasoning... so the answer is $\\boxed{${sample.data.answer}}$.`;
        const score = await defaultBenchmark.doScore(sample, generated([text]), scoreContext(options));
        expect(score.metrics[runMetricName(0)], `${sample.id}: ${sample.data.answer}`).toBe(1);
      }
    });
  }

  it('grades the answer after the reasoning trace and keeps the trace', async () => {
    const options = parsePluginOptions(defaultBenchmark.optionsSchema, {}, 'aime25');
    const [sample] = await allSamples(options);
    const text = `<think>first guess \\boxed{${sample!.data.answer}}</think>Final: \\boxed{-12345}`;
    const score = await defaultBenchmark.doScore(sample!, generated([text]), scoreContext(options));
    expect(score.metrics[runMetricName(0)]).toBe(0);
    expect(score.details?.reasoning).toEqual([`first guess \\boxed{${sample!.data.answer}}`]);
  });

  it('reports Evalchemy repeat statistics over runs', async () => {
    const benchmark = createAime25();
    const options = parsePluginOptions(benchmark.optionsSchema, { repeats: 2 }, 'aime25');
    const source = await benchmark.doLoad(loadContext(options));
    const samples = [...(source.samples as Iterable<Sample<MathProblem>>)].slice(0, 2);
    const scored = [];
    for (const [index, sample] of samples.entries()) {
      // Question 0 is right in both runs, question 1 only in run 0.
      const texts = [
        `\\boxed{${sample.data.answer}}`,
        index === 0 ? `\\boxed{${sample.data.answer}}` : 'no idea',
      ];
      const score = await benchmark.doScore(sample, generated(texts), scoreContext(options));
      scored.push({ id: sample.id, metadata: {}, metrics: score.metrics });
    }
    const result = benchmark.doAggregate(scored, { options });
    expect(result.accuracy_run_0).toBe(1);
    expect(result.accuracy_run_1).toBe(0.5);
    expect(result.accuracy_avg).toEqual({ value: 0.75, stderr: 0.25 / Math.sqrt(2) });
  });
});
