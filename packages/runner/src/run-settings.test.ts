import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchmarkV1 } from '@evalchemy/core';
import { createMockBackend } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from './__fixtures__/arithmetic-benchmark.js';
import { arithmeticReply, settingsFor } from './__fixtures__/run-settings.js';
import { runEvaluation } from './run-evaluation.js';
import { effectiveSampleCount } from './run-settings.js';

describe("lm-evaluation-harness's --limit", () => {
  it('is a count, or below 1 a share of the task rounded up (get_sample_size)', () => {
    expect(effectiveSampleCount(undefined, 1319)).toBe(1319);
    expect(effectiveSampleCount(10, 1319)).toBe(10);
    expect(effectiveSampleCount(2.9, 1319)).toBe(2);
    expect(effectiveSampleCount(0.01, 1319)).toBe(14);
    expect(effectiveSampleCount(0.5, 5)).toBe(3);
    expect(effectiveSampleCount(50, 5)).toBe(5);
  });
});

describe('run settings of the compatibility flags', () => {
  it('runs a share of each task, and under debug each benchmark its debugLimit (else 5)', async () => {
    const withDebugLimit = {
      ...createArithmeticBenchmark({ id: 'small', size: 8 }),
      debugLimit: 2,
    } as BenchmarkV1<unknown, unknown>;
    const shares = await runEvaluation(
      await settingsFor({
        tasks: [{ benchmark: createArithmeticBenchmark({ size: 8 }), options: { offset: 0 } }],
        limit: 0.3,
      }),
    );
    expect(shares.tasks[0]!.samples.total).toBe(3);
    const debug = await runEvaluation(
      await settingsFor({
        tasks: [
          { benchmark: createArithmeticBenchmark({ size: 8 }), options: { offset: 0 } },
          { benchmark: withDebugLimit, options: { offset: 0 } },
        ],
        debug: true,
      }),
    );
    expect(debug.tasks.map((task) => task.samples.total)).toEqual([5, 2]);
  });

  it('sends the generation overrides and writes the results file at the exact path asked', async () => {
    const backend = createMockBackend({ modelId: 'scripted-model', generate: arithmeticReply });
    const settings = await settingsFor({
      backend,
      generation: { temperature: 0.7, topP: 0.5, stop: ['END'] },
    });
    const resultsFile = join(settings.outputPath, 'elsewhere', 'run.json');
    const outcome = await runEvaluation({ ...settings, resultsFile });
    expect(outcome.resultsPath).toBe(resultsFile);
    expect(JSON.parse(await readFile(resultsFile, 'utf8')).run_id).toEqual(expect.any(String));
    expect(outcome.tasks[0]!.samplesPath).toMatch(
      new RegExp(`^${join(settings.outputPath, 'elsewhere')}/samples_`),
    );
    for (const request of backend.requests) {
      expect(request.type === 'loglikelihood' ? undefined : request.parameters).toMatchObject({
        temperature: 0.7,
        topP: 0.5,
        stop: ['END'],
      });
    }
    expect(backend.requests.length).toBeGreaterThan(0);
  });
});
