import {
  type DatasetResolverV1,
  type LoggerV1,
  parsePluginOptions,
  type SampleResponsesV1,
  type SampleV1,
} from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import type { BoxedMathBenchmark, BoxedMathOptions, MathProblem } from '../boxed-math-benchmark.js';
import { runMetricName } from '../repeated-accuracy.js';

/** What a math benchmark package's test tells the shared suite. */
export interface BoxedMathBenchmarkSuiteSettings<Options extends BoxedMathOptions> {
  /** A fresh instance with default settings. */
  create: () => BoxedMathBenchmark<Options>;
  /** Rows of the pinned file. */
  size: number;
  /** Default repeats (AIME/AMC: 10); undefined for single-run benchmarks (MATH-500). */
  repeats?: number;
  /** Resolver of the offline data directory. */
  datasets: DatasetResolverV1;
  log: LoggerV1;
}

function generated(texts: string[]): SampleResponsesV1 {
  return {
    type: 'generate',
    generations: texts.map((text) => [{ text, finishReason: 'stop', warnings: [] }]),
  };
}

/**
 * The behaviour every `\boxed{}` math benchmark shares (Evalchemy's prompt and sampling, gold answers
 * grading as correct, reasoning traces, aggregation), as vitest `describe`/`it` blocks.
 */
export function runBoxedMathBenchmarkSuite<Options extends BoxedMathOptions>(
  settings: BoxedMathBenchmarkSuiteSettings<Options>,
): void {
  const benchmark = settings.create();
  const repeated = settings.repeats !== undefined;
  const firstRunMetric = repeated ? runMetricName(0) : 'accuracy';
  const options = (raw: Record<string, unknown> = {}) =>
    parsePluginOptions(benchmark.optionsSchema, raw, benchmark.id);
  const scoreContext = (parsed: Options) => ({
    options: parsed,
    signal: new AbortController().signal,
    log: settings.log,
  });
  async function allSamples(parsed: Options): Promise<SampleV1<MathProblem>[]> {
    const source = await benchmark.doLoad({
      options: parsed,
      datasets: settings.datasets,
      seed: 0,
      log: settings.log,
    });
    return [...(source.samples as Iterable<SampleV1<MathProblem>>)];
  }

  describe(`${benchmark.id} (shared math benchmark behaviour)`, () => {
    it(`loads all ${settings.size} problems with unique ids from the pinned file`, async () => {
      const samples = await allSamples(options());
      expect(samples).toHaveLength(settings.size);
      expect(new Set(samples.map((sample) => sample.id)).size).toBe(settings.size);
    });

    it("asks with Evalchemy's prompt, temperature and token budget", async () => {
      const [sample] = await allSamples(options());
      const plan = benchmark.doPlan(sample!, {
        options: options(),
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
        generations: settings.repeats ?? 1,
      });
    });

    it('rejects an unknown option, naming it', () => {
      expect(() => options({ max_tokens: 5 })).toThrow(/max_tokens/);
    });

    for (const grading of ['equivalent', 'is_equiv'] as const) {
      it(`grades every gold answer as correct against itself in \\boxed{} (${grading})`, async () => {
        const parsed = options({ grading });
        for (const sample of await allSamples(parsed)) {
          const text = `Reasoning... so the answer is $\\boxed{${sample.data.answer}}$.`;
          const score = await benchmark.doScore(sample, generated([text]), scoreContext(parsed));
          expect(score.metrics[firstRunMetric], `${sample.id}: ${sample.data.answer}`).toBe(1);
        }
      });
    }

    it('grades the answer after the reasoning trace and keeps the trace', async () => {
      const parsed = options();
      const [sample] = await allSamples(parsed);
      const text = `<think>first guess \\boxed{${sample!.data.answer}}</think>Final: \\boxed{-12345}`;
      const score = await benchmark.doScore(sample!, generated([text]), scoreContext(parsed));
      expect(score.metrics[firstRunMetric]).toBe(0);
      expect(score.details?.reasoning).toEqual([`first guess \\boxed{${sample!.data.answer}}`]);
    });

    if (repeated) {
      it('reports Evalchemy repeat statistics over runs', async () => {
        const parsed = options({ repeats: 2 });
        const samples = (await allSamples(parsed)).slice(0, 2);
        const scored = [];
        for (const [index, sample] of samples.entries()) {
          // Question 0 is right in both runs, question 1 only in run 0.
          const right = `\\boxed{${sample.data.answer}}`;
          const score = await benchmark.doScore(
            sample,
            generated([right, index === 0 ? right : 'no idea']),
            scoreContext(parsed),
          );
          scored.push({ id: sample.id, metadata: {}, metrics: score.metrics });
        }
        const result = benchmark.doAggregate(scored, { options: parsed });
        expect(result.accuracy_run_0).toBe(1);
        expect(result.accuracy_run_1).toBe(0.5);
        expect(result.accuracy_avg).toEqual({ value: 0.75, stderr: 0.25 / Math.sqrt(2) });
      });
    } else {
      it('reports accuracy with the standard error of the mean', () => {
        const scored = [1, 0, 1, 1].map((accuracy, index) => ({
          id: String(index),
          metadata: {},
          metrics: { accuracy },
        }));
        expect(benchmark.doAggregate(scored, { options: options() }).accuracy).toEqual({
          value: 0.75,
          stderr: 0.5 / Math.sqrt(4),
        });
      });
    }
  });
}
