import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendCallError, ConfigurationError, type GenerateRequestV1 } from '@evalchemy/core';
import { createMockBackend, createMockSandbox, createRecordingLogger } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from './__fixtures__/arithmetic-benchmark.js';
import { arithmeticReply, settingsFor } from './__fixtures__/run-settings.js';
import { runEvaluation } from './run-evaluation.js';

async function readJsonLines(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A mock backend of `scripted-model` answering `arithmeticReply` after `delayMs`. */
function arithmeticBackend(delayMs = 0) {
  return createMockBackend({
    modelId: 'scripted-model',
    generate: async (request) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return arithmeticReply(request);
    },
  });
}

/** The chat messages of a generate request the mock backend received. */
const messagesOf = (request: unknown) => (request as Extract<GenerateRequestV1, { type: 'chat' }>).messages;

describe('runEvaluation', () => {
  it('writes results with metrics, stderr, config, versions, environment and timing, and one sample record per sample', async () => {
    const settings = await settingsFor();
    const outcome = await runEvaluation(settings);

    expect(outcome.complete).toBe(true);
    expect(outcome.resultsPath).toMatch(/scripted-model\/results_[0-9T.-]+\.json$/);
    const results = JSON.parse(await readFile(outcome.resultsPath, 'utf8'));
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.8);
    expect(results.results.arithmetic.accuracy_stderr).toBeCloseTo(Math.sqrt(0.2) / Math.sqrt(5), 10);
    expect(results['n-samples'].arithmetic).toEqual({ effective: 5, scored: 5, failed: 0 });
    expect(results.config).toEqual({ note: 'test' });
    expect(results.versions['@evalchemy/runner']).toBe('test');
    expect(results.environment.node).toBe(process.versions.node);
    expect(results.timing.wall_clock_seconds).toBeGreaterThanOrEqual(0);
    expect(results.model).toMatchObject({ backend: 'mock', model_id: 'scripted-model' });
    expect(results.usage.requests_sent).toBe(5);

    const samplesFile = (await readdir(join(settings.outputPath, 'scripted-model'))).find((name) =>
      name.startsWith('samples_arithmetic_'),
    );
    expect(samplesFile).toMatch(/\.jsonl$/);
    const records = await readJsonLines(join(settings.outputPath, 'scripted-model', samplesFile!));
    expect(records).toHaveLength(5);
    const third = records.find((record) => record.sample_id === 'q3')!;
    expect(third).toMatchObject({ extracted: '0', metrics: { accuracy: 0 }, metadata: { parity: 'odd' } });
    expect(third.prompt).toMatchObject({ turns: ['What is 3+10?'], system: 'Answer with a number.' });
  });

  it('keeps exactly --concurrency requests in flight while samples remain', async () => {
    let inFlight = 0;
    let peak = 0;
    const backend = createMockBackend({
      generate: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return '10';
      },
    });
    const settings = await settingsFor({
      backend,
      tasks: [{ benchmark: createArithmeticBenchmark({ size: 40 }), options: { offset: 0 } }],
    });
    const outcome = await runEvaluation(settings);
    expect(outcome.tasks[0]!.samples).toEqual({ total: 40, scored: 40, failed: 0 });
    expect(peak).toBe(settings.concurrency);
  });

  it('sends each of the first --concurrency requests before planning the next sample', async () => {
    const backend = arithmeticBackend(20);
    const benchmark = createArithmeticBenchmark({ size: 12 });
    const plan = benchmark.doPlan.bind(benchmark);
    const requestsSentAtPlan: number[] = [];
    benchmark.doPlan = (sample, context) => {
      requestsSentAtPlan.push(backend.requests.length);
      return plan(sample, context);
    };
    const settings = await settingsFor({ backend, tasks: [{ benchmark, options: { offset: 0 } }] });
    const outcome = await runEvaluation(settings);
    expect(outcome.tasks[0]!.samples).toEqual({ total: 12, scored: 12, failed: 0 });
    // Sample i is planned once the requests of samples 0 … i - 1 have left, up to --concurrency (4) of them.
    expect(requestsSentAtPlan.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('records a failed request as a sample error and scores the other samples', async () => {
    const backend = createMockBackend({
      modelId: 'scripted-model',
      generate: (request) => {
        if (messagesOf(request).some((message) => message.content.includes('What is 2+'))) {
          throw new BackendCallError('HTTP 400 from the model server', { statusCode: 400 });
        }
        return arithmeticReply(request);
      },
    });
    const settings = await settingsFor({ backend });
    const outcome = await runEvaluation(settings);

    expect(outcome.complete).toBe(true);
    expect(outcome.tasks[0]!.samples).toEqual({ total: 5, scored: 4, failed: 1 });
    const results = JSON.parse(await readFile(outcome.resultsPath, 'utf8'));
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.75);
    const samplesPath = outcome.tasks[0]!.samplesPath!;
    const failed = (await readJsonLines(samplesPath)).find((record) => record.sample_id === 'q2')!;
    expect(String(failed.error)).toMatch(/400/);
  });

  it('serves a rerun of the same run from the cache without sending any request', async () => {
    const backend = arithmeticBackend();
    const first = await settingsFor({ backend });
    await runEvaluation(first);
    const sentBefore = backend.requests.length;
    const cacheDirectory = join(first.outputPath, '..', 'cache');
    const second = await runEvaluation(await settingsFor({ backend, cacheDirectory }));

    expect(backend.requests.length).toBe(sentBefore);
    expect(second.requestsSent).toBe(0);
    expect(second.cacheHits).toBe(5);
    const results = JSON.parse(await readFile(second.resultsPath, 'utf8'));
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.8);
  });

  it('keys cached answers by server: the same model and judge names on other servers are asked again', async () => {
    const on = (endpoint: string, modelId: string, generate: (request: GenerateRequestV1) => string) =>
      createMockBackend({ endpoint, modelId, generate });
    const otherModel = on('http://other.test/v1', 'scripted-model', () => 'I do not know');
    const judge = () => on('http://judge.test/v1', 'judge-model', () => 'yes');
    const otherJudge = on('http://other-judge.test/v1', 'judge-model', () => 'no');
    const tasks = [{ benchmark: createArithmeticBenchmark({ judge: true }), options: {} }];
    const first = await settingsFor({
      backend: on('http://model.test/v1', 'scripted-model', arithmeticReply),
      tasks,
      judges: { arithmetic: { judge: judge() } },
    });
    await runEvaluation(first);
    const cacheDirectory = join(first.outputPath, '..', 'cache');

    const second = await runEvaluation(
      await settingsFor({
        backend: otherModel,
        cacheDirectory,
        tasks,
        judges: { arithmetic: { judge: judge() } },
      }),
    );
    expect(otherModel.requests).toHaveLength(5);
    const secondResults = JSON.parse(await readFile(second.resultsPath, 'utf8'));
    expect(secondResults.results.arithmetic.accuracy).toBe(0);

    const third = await runEvaluation(
      await settingsFor({
        backend: on('http://model.test/v1', 'scripted-model', arithmeticReply),
        cacheDirectory,
        tasks,
        judges: { arithmetic: { judge: otherJudge } },
      }),
    );
    expect(otherJudge.requests).toHaveLength(5);
    const thirdResults = JSON.parse(await readFile(third.resultsPath, 'utf8'));
    expect(thirdResults.results.arithmetic).toMatchObject({ accuracy: 0.8, judged_right: 0 });
  });

  it('keys cached answers by the backend options that change answers: a changed one is asked again', async () => {
    const backend = arithmeticBackend();
    const withOptions = async (options: Record<string, unknown>, cacheDirectory?: string) =>
      settingsFor({ backend, cacheDirectory, answerOptions: new Map([[backend, options]]) });
    const first = await withOptions({ reasoning_effort: 'low' });
    await runEvaluation(first);
    const cacheDirectory = join(first.outputPath, '..', 'cache');

    const same = await runEvaluation(await withOptions({ reasoning_effort: 'low' }, cacheDirectory));
    expect(same.requestsSent).toBe(0);
    const changed = await runEvaluation(await withOptions({ reasoning_effort: 'high' }, cacheDirectory));
    expect(changed.requestsSent).toBe(5);
    expect(changed.cacheHits).toBe(0);
  });

  it('skips an unreadable cache entry with a warning and sends its request again', async () => {
    const backend = arithmeticBackend();
    const first = await settingsFor({ backend });
    await runEvaluation(first);
    const cacheDirectory = join(first.outputPath, '..', 'cache');
    const [journal] = await readdir(cacheDirectory);
    const lines = (await readFile(join(cacheDirectory, journal!), 'utf8')).split('\n');
    // One entry cut short inside its value (a disk or editor accident), and a line of garbage.
    lines[1] = lines[1]!.slice(0, lines[1]!.indexOf('"v":') + 12);
    lines.splice(3, 0, 'garbage');
    await writeFile(join(cacheDirectory, journal!), lines.join('\n'));

    const sentBefore = backend.requests.length;
    const log = createRecordingLogger();
    const second = await runEvaluation(await settingsFor({ backend, cacheDirectory, log }));
    expect(backend.requests.length).toBe(sentBefore + 1);
    expect(second.tasks[0]!.samples).toEqual({ total: 5, scored: 5, failed: 0 });
    const results = JSON.parse(await readFile(second.resultsPath, 'utf8'));
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.8);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/response cache.*unreadable.*sent again/i),
    });

    // The answer fetched again is cached: a third run sends nothing.
    const third = await runEvaluation(await settingsFor({ backend, cacheDirectory }));
    expect(third.requestsSent).toBe(0);
  });

  it("sends turn 2 with the model's own turn-1 answer, and generation i with seed + i", async () => {
    const backend = arithmeticBackend();
    const settings = await settingsFor({
      backend,
      seed: 100,
      tasks: [
        {
          benchmark: createArithmeticBenchmark({ size: 1, turns: 2, generations: 3 }),
          options: { offset: 0 },
        },
      ],
    });
    await runEvaluation(settings);

    expect(backend.requests).toHaveLength(6);
    const seeds = backend.requests.map((request) => (request as GenerateRequestV1).parameters.seed);
    expect(seeds.sort()).toEqual([100, 100, 101, 101, 102, 102]);
    const secondTurn = backend.requests.map(messagesOf).find((messages) => messages.length === 4)!;
    expect(secondTurn).toEqual([
      { role: 'system', content: 'Answer with a number.' },
      { role: 'user', content: 'What is 0+10?' },
      { role: 'assistant', content: '10' },
      { role: 'user', content: 'Turn 1: again?' },
    ]);
  });

  it('applies --max_tokens, --system_instruction and --limit', async () => {
    const backend = arithmeticBackend();
    const settings = await settingsFor({ backend, maxTokens: 7, systemInstruction: 'Be brief.', limit: 2 });
    const outcome = await runEvaluation(settings);

    expect(outcome.tasks[0]!.samples.total).toBe(2);
    expect(backend.requests).toHaveLength(2);
    for (const request of backend.requests) {
      expect((request as GenerateRequestV1).parameters.maxTokens).toBe(7);
      expect(messagesOf(request)[0]).toEqual({ role: 'system', content: 'Be brief.' });
    }
  });

  it('reports a task that cannot run and goes on with the others', async () => {
    const settings = await settingsFor({
      tasks: [
        { benchmark: createArithmeticBenchmark({ id: 'broken', failLoad: true }), options: {} },
        { benchmark: createArithmeticBenchmark(), options: {} },
      ],
    });
    const outcome = await runEvaluation(settings);

    expect(outcome.complete).toBe(false);
    expect(outcome.tasks.map((task) => task.status)).toEqual(['failed', 'completed']);
    const results = JSON.parse(await readFile(outcome.resultsPath, 'utf8'));
    expect(results.task_errors.broken).toMatch(/the data file is missing/);
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.8);
  });

  it('refuses to start a judged task without a judge, before sending any request', async () => {
    const backend = arithmeticBackend();
    const settings = await settingsFor({
      backend,
      tasks: [{ benchmark: createArithmeticBenchmark({ judge: true }), options: {} }],
    });
    const error = await runEvaluation(settings).catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/judge/);
    expect(backend.requests).toHaveLength(0);
  });

  it('keeps going when predict-only, recording responses without metrics', async () => {
    const settings = await settingsFor({
      predictOnly: true,
      tasks: [{ benchmark: createArithmeticBenchmark({ judge: true }), options: {} }],
    });
    const outcome = await runEvaluation(settings);
    expect(outcome.complete).toBe(true);
    const records = await readJsonLines(outcome.tasks[0]!.samplesPath!);
    expect(records).toHaveLength(5);
    expect(records[0]).not.toHaveProperty('metrics');
    expect(records[0]!.responses).toBeDefined();
  });

  it("runs the scorers of a task that executes code in the run's sandbox, and records the sandbox", async () => {
    // Stands in for Python's `print("<answer>" == "<expected>")`.
    const sandbox = createMockSandbox({
      concurrency: 2,
      execute: ({ source }) => {
        const [, answer, expected] = /print\((".*") == (".*")\)/.exec(source) ?? [];
        return answer === expected ? 'True\n' : 'False\n';
      },
    });
    const settings = await settingsFor({
      sandbox,
      tasks: [{ benchmark: createArithmeticBenchmark({ sandbox: true }), options: { offset: 0 } }],
    });
    const outcome = await runEvaluation(settings);

    expect(sandbox.programs).toHaveLength(5);
    const results = JSON.parse(await readFile(outcome.resultsPath, 'utf8'));
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.8);
    expect(results.model.sandbox).toMatchObject({ id: 'mock', concurrency: 2 });
  });
});
