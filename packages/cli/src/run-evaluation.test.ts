import diagnosticsChannel from 'node:diagnostics_channel';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import openai from '@evalchemy/backend-openai';
import { ConfigurationError } from '@evalchemy/core';
import { runEvaluation } from '@evalchemy/runner';
import { createRecordingLogger, type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from './__fixtures__/arithmetic-benchmark.js';
import { settingsFor } from './__fixtures__/run-settings.js';

/** Answers "a+b" questions right, except for a = 3 (wrong) so accuracy is not trivially 1. */
function arithmeticReply(request: { messages?: { role: string; content: string }[] }): string {
  const last = request.messages?.at(-1)?.content ?? '';
  const match = /What is (\d+)\+(\d+)\?/.exec(last);
  if (!match) return 'I do not know';
  const [a, b] = [Number(match[1]), Number(match[2])];
  return String(a === 3 ? 0 : a + b);
}

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function readJsonLines(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('runEvaluation', () => {
  it('writes results with metrics, stderr, config, versions, environment and timing, and one sample record per sample', async () => {
    server = await startScriptedServer({ reply: arithmeticReply });
    const settings = await settingsFor(server.url);
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
    expect(results.model).toMatchObject({ backend: 'openai', model_id: 'scripted-model' });
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
    const counting = createServer((incoming, outgoing) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      incoming.resume();
      incoming.on('end', () =>
        setTimeout(() => {
          inFlight -= 1;
          outgoing.writeHead(200, { 'content-type': 'application/json' });
          outgoing.end(JSON.stringify({ choices: [{ message: { content: '10' }, finish_reason: 'stop' }] }));
        }, 20),
      );
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = counting.address() as AddressInfo;
      const settings = await settingsFor(`http://127.0.0.1:${port}/v1`, {
        tasks: [{ benchmark: createArithmeticBenchmark({ size: 40 }), options: { offset: 0 } }],
      });
      const outcome = await runEvaluation(settings);
      expect(outcome.tasks[0]!.samples).toEqual({ total: 40, scored: 40, failed: 0 });
      expect(peak).toBe(settings.concurrency);
    } finally {
      counting.closeAllConnections();
      await new Promise((resolve) => counting.close(resolve));
    }
  });

  it('sends each of the first --concurrency requests before planning the next sample', async () => {
    server = await startScriptedServer({ reply: arithmeticReply, latencyMs: 20 });
    const benchmark = createArithmeticBenchmark({ size: 12 });
    const plan = benchmark.doPlan.bind(benchmark);
    let requestsCreated = 0;
    const requestsCreatedAtPlan: number[] = [];
    benchmark.doPlan = (sample, context) => {
      requestsCreatedAtPlan.push(requestsCreated);
      return plan(sample, context);
    };
    const countRequest = () => {
      requestsCreated += 1;
    };
    diagnosticsChannel.subscribe('http.client.request.start', countRequest);
    try {
      const settings = await settingsFor(server.url, { tasks: [{ benchmark, options: { offset: 0 } }] });
      const outcome = await runEvaluation(settings);
      expect(outcome.tasks[0]!.samples).toEqual({ total: 12, scored: 12, failed: 0 });
      // Sample i is planned once the requests of samples 0 … i - 1 have left, up to --concurrency (4) of them.
      expect(requestsCreatedAtPlan.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      diagnosticsChannel.unsubscribe('http.client.request.start', countRequest);
    }
  });

  it('records a failed request as a sample error and scores the other samples', async () => {
    server = await startScriptedServer({
      reply: arithmeticReply,
      faults: (_, request) =>
        request.messages?.some((message) => message.content.includes('What is 2+'))
          ? { kind: 'status', status: 400 }
          : undefined,
    });
    const settings = await settingsFor(server.url);
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
    server = await startScriptedServer({ reply: arithmeticReply });
    const first = await settingsFor(server.url);
    await runEvaluation(first);
    const sentBefore = server.requestCount;
    const cacheDirectory = join(first.outputPath, '..', 'cache');
    const second = await runEvaluation(await settingsFor(server.url, { cacheDirectory }));

    expect(server.requestCount).toBe(sentBefore);
    expect(second.requestsSent).toBe(0);
    expect(second.cacheHits).toBe(5);
    const results = JSON.parse(await readFile(second.resultsPath, 'utf8'));
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.8);
  });

  it('keys cached answers by server: the same model and judge names on other servers are asked again', async () => {
    server = await startScriptedServer({ reply: arithmeticReply });
    const servers = await Promise.all([
      startScriptedServer({ reply: () => 'I do not know' }),
      startScriptedServer({ reply: () => 'yes' }),
      startScriptedServer({ reply: () => 'no' }),
    ]);
    const [otherModel, judge, otherJudge] = servers;
    const judgeOn = (url: string) =>
      openai.createBackend(openai.optionsSchema.parse({ model: 'judge-model', base_url: url }), {
        env: {},
        log: createRecordingLogger(),
      });
    const tasks = [{ benchmark: createArithmeticBenchmark({ judge: true }), options: {} }];
    try {
      const first = await settingsFor(server.url, {
        tasks,
        judges: { arithmetic: { judge: judgeOn(judge!.url) } },
      });
      await runEvaluation(first);
      const cacheDirectory = join(first.outputPath, '..', 'cache');

      const second = await runEvaluation(
        await settingsFor(otherModel!.url, {
          cacheDirectory,
          tasks,
          judges: { arithmetic: { judge: judgeOn(judge!.url) } },
        }),
      );
      expect(otherModel!.requestCount).toBe(5);
      const secondResults = JSON.parse(await readFile(second.resultsPath, 'utf8'));
      expect(secondResults.results.arithmetic.accuracy).toBe(0);

      const third = await runEvaluation(
        await settingsFor(server.url, {
          cacheDirectory,
          tasks,
          judges: { arithmetic: { judge: judgeOn(otherJudge!.url) } },
        }),
      );
      expect(otherJudge!.requestCount).toBe(5);
      const thirdResults = JSON.parse(await readFile(third.resultsPath, 'utf8'));
      expect(thirdResults.results.arithmetic).toMatchObject({ accuracy: 0.8, judged_right: 0 });
    } finally {
      await Promise.all(servers.map((each) => each.close()));
    }
  });

  it('skips an unreadable cache entry with a warning and sends its request again', async () => {
    server = await startScriptedServer({ reply: arithmeticReply });
    const first = await settingsFor(server.url);
    await runEvaluation(first);
    const cacheDirectory = join(first.outputPath, '..', 'cache');
    const [journal] = await readdir(cacheDirectory);
    const lines = (await readFile(join(cacheDirectory, journal!), 'utf8')).split('\n');
    // One entry cut short inside its value (a disk or editor accident), and a line of garbage.
    lines[1] = lines[1]!.slice(0, lines[1]!.indexOf('"v":') + 12);
    lines.splice(3, 0, 'garbage');
    await writeFile(join(cacheDirectory, journal!), lines.join('\n'));

    const sentBefore = server.requestCount;
    const log = createRecordingLogger();
    const second = await runEvaluation(await settingsFor(server.url, { cacheDirectory, log }));
    expect(server.requestCount).toBe(sentBefore + 1);
    expect(second.tasks[0]!.samples).toEqual({ total: 5, scored: 5, failed: 0 });
    const results = JSON.parse(await readFile(second.resultsPath, 'utf8'));
    expect(results.results.arithmetic.accuracy).toBeCloseTo(0.8);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/response cache.*unreadable.*sent again/i),
    });

    // The answer fetched again is cached: a third run sends nothing.
    const third = await runEvaluation(await settingsFor(server.url, { cacheDirectory }));
    expect(third.requestsSent).toBe(0);
  });

  it("sends turn 2 with the model's own turn-1 answer, and generation i with seed + i", async () => {
    server = await startScriptedServer({ reply: arithmeticReply });
    const settings = await settingsFor(server.url, {
      seed: 100,
      tasks: [
        {
          benchmark: createArithmeticBenchmark({ size: 1, turns: 2, generations: 3 }),
          options: { offset: 0 },
        },
      ],
    });
    await runEvaluation(settings);

    const bodies = server.requests.map(
      (request) => request.body as { messages: { role: string; content: string }[]; seed: number },
    );
    expect(bodies).toHaveLength(6);
    expect(bodies.map((body) => body.seed).sort()).toEqual([100, 100, 101, 101, 102, 102]);
    const secondTurn = bodies.find((body) => body.messages.length === 4)!;
    expect(secondTurn.messages).toEqual([
      { role: 'system', content: 'Answer with a number.' },
      { role: 'user', content: 'What is 0+10?' },
      { role: 'assistant', content: '10' },
      { role: 'user', content: 'Turn 1: again?' },
    ]);
  });

  it('applies --max_tokens, --system_instruction and --limit', async () => {
    server = await startScriptedServer({ reply: arithmeticReply });
    const settings = await settingsFor(server.url, {
      maxTokens: 7,
      systemInstruction: 'Be brief.',
      limit: 2,
    });
    const outcome = await runEvaluation(settings);

    expect(outcome.tasks[0]!.samples.total).toBe(2);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      const body = request.body as { max_tokens: number; messages: { role: string; content: string }[] };
      expect(body.max_tokens).toBe(7);
      expect(body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    }
  });

  it('reports a task that cannot run and goes on with the others', async () => {
    server = await startScriptedServer({ reply: arithmeticReply });
    const settings = await settingsFor(server.url, {
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
    server = await startScriptedServer({ reply: arithmeticReply });
    const settings = await settingsFor(server.url, {
      tasks: [{ benchmark: createArithmeticBenchmark({ judge: true }), options: {} }],
    });
    const error = await runEvaluation(settings).catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/judge/);
    expect(server.requestCount).toBe(0);
  });

  it('keeps going when predict-only, recording responses without metrics', async () => {
    server = await startScriptedServer({ reply: arithmeticReply });
    const settings = await settingsFor(server.url, {
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
});
