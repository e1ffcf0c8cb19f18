import { type ScriptedServer, type ScriptedServerSettings, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from './__fixtures__/arithmetic-benchmark.js';
import { createHttpChatBackend } from './__fixtures__/http-chat-backend.js';
import { readRunFiles } from './__fixtures__/run-files.js';
import { arithmeticReply, settingsFor } from './__fixtures__/run-settings.js';
import type { RunEvent } from './events.js';
import { runEvaluation } from './run-evaluation.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(settings: ScriptedServerSettings = {}): Promise<ScriptedServer> {
  const server = await startScriptedServer({
    reply: ({ messages = [] }) =>
      messages.at(-1)?.content.startsWith('Is ') ? 'yes' : arithmeticReply({ type: 'chat', messages }),
    ...settings,
  });
  servers.push(server);
  return server;
}

const arithmetic = (size: number, extra: { id?: string; judge?: boolean } = {}) => ({
  benchmark: createArithmeticBenchmark({ size, ...extra }),
  options: { offset: 0 },
});

const chatRequests = (server: ScriptedServer) =>
  server.requests.filter((request) => request.path === '/v1/chat/completions');

describe('rate limits: the runner scheduler', () => {
  it('runs at concurrency 64 against a server admitting 8: every sample answered, few 429s, the limit found', async () => {
    const server = await serve({ admitAtMost: 8, latencyMs: 20, rateLimitRetryAfterMs: 20 });
    const events: RunEvent[] = [];
    const samples = 240;
    const outcome = await runEvaluation(
      await settingsFor({
        backend: createHttpChatBackend({ url: server.url }),
        tasks: [arithmetic(samples)],
        concurrency: 64,
        onEvent: (event) => events.push(event),
      }),
    );
    expect(outcome.tasks[0]!.samples).toEqual({ total: samples, scored: samples, failed: 0 });
    // Every refused request was sent again, and nothing else was sent twice.
    expect(server.requestCount).toBe(samples + server.rateLimitedCount);
    expect(server.rateLimitedCount).toBeGreaterThan(0);
    expect(server.rateLimitedCount).toBeLessThan(0.15 * server.requestCount);
    const [facts] = outcome.rateLimits;
    expect(facts).toMatchObject({
      backend: 'http-chat',
      configuredConcurrency: 64,
      rateLimited: server.rateLimitedCount,
      gaveUp: 0,
    });
    expect(facts!.lowestConcurrency).toBeLessThanOrEqual(8);
    expect(facts!.finalConcurrency).toBeLessThanOrEqual(9);
    // Once the first refusal is back, the scheduler holds the line: refusals after the first round are rare.
    const requests = chatRequests(server);
    const firstRefused = requests.findIndex((request) => request.rateLimited);
    const laterRefusals = requests.slice(firstRefused + 64).filter((request) => request.rateLimited).length;
    expect(laterRefusals).toBeLessThan(0.08 * (requests.length - firstRefused - 64));
    const changes = events.filter((event) => event.type === 'concurrency-change');
    expect(changes[0]).toMatchObject({ role: 'model', backend: 'http-chat', previous: 64 });
    expect(changes.length).toBe(facts!.decreases);
    // The results file says the same.
    const { results } = await readRunFiles(outcome);
    expect(results.rate_limits).toEqual([
      expect.objectContaining({
        role: 'model',
        backend: 'http-chat',
        configured_concurrency: 64,
        lowest_concurrency: facts!.lowestConcurrency,
        rate_limited_answers: server.rateLimitedCount,
        concurrency_decreases: facts!.decreases,
        given_up_requests: 0,
        requests_per_minute: null,
      }),
    ]);
  });

  it('starts no request before the retry-after of a refusal has passed, and sends the refused one again', async () => {
    const server = await serve({
      latencyMs: 30,
      faultPlan: [{ kind: 'status', status: 429, retryAfterMs: 400 }],
    });
    const events: RunEvent[] = [];
    const outcome = await runEvaluation(
      await settingsFor({
        backend: createHttpChatBackend({ url: server.url }),
        tasks: [arithmetic(6)],
        // One slot: the refused request's own, given back only after the pause is set.
        concurrency: 1,
        onEvent: (event) => events.push(event),
      }),
    );
    expect(outcome.tasks[0]!.samples.failed).toBe(0);
    expect(server.requestCount).toBe(7);
    const [refused, ...rest] = chatRequests(server);
    expect(refused!.body.messages).toEqual(rest[0]!.body.messages);
    for (const request of rest) expect(request.receivedAt).toBeGreaterThanOrEqual(refused!.receivedAt + 400);
    expect(outcome.rateLimits[0]).toMatchObject({ rateLimited: 1, decreases: 1, lowestConcurrency: 1 });
    expect(events.filter((event) => event.type === 'concurrency-change')).toEqual([
      expect.objectContaining({ previous: 1, concurrency: 1, waitMs: expect.any(Number) }),
    ]);
  });

  it('waits a default backoff of at least a second when a refusal gives no retry-after', async () => {
    const server = await serve({ faultPlan: [{ kind: 'status', status: 429 }] });
    const outcome = await runEvaluation(
      await settingsFor({
        backend: createHttpChatBackend({ url: server.url }),
        tasks: [arithmetic(3)],
        concurrency: 1,
      }),
    );
    expect(outcome.tasks[0]!.samples.failed).toBe(0);
    const [refused, ...rest] = chatRequests(server);
    expect(rest).toHaveLength(3);
    for (const request of rest) expect(request.receivedAt).toBeGreaterThanOrEqual(refused!.receivedAt + 1000);
  });

  it('fails a sample, with a message naming the rate limit, only after many refusals', async () => {
    const server = await serve({
      faults: () => ({ kind: 'status', status: 429, retryAfterMs: 0 }),
    });
    const outcome = await runEvaluation(
      await settingsFor({
        backend: createHttpChatBackend({ url: server.url }),
        tasks: [arithmetic(1)],
        concurrency: 2,
      }),
    );
    expect(outcome.tasks[0]!.samples).toMatchObject({ total: 1, failed: 1 });
    expect(outcome.tasks[0]!.sampleError).toMatch(/refused this request for its rate limit 100 times/);
    expect(outcome.tasks[0]!.sampleError).toContain('requests_per_minute');
    expect(server.requestCount).toBe(100);
    expect(outcome.rateLimits[0]).toMatchObject({ rateLimited: 100, gaveUp: 1, lowestConcurrency: 1 });
  });

  it('starts at most requests_per_minute, spread over the minute (rpm 120: two in the first 900 ms)', async () => {
    const server = await serve();
    const outcome = await runEvaluation(
      await settingsFor({
        backend: createHttpChatBackend({ url: server.url, requestsPerMinute: 120 }),
        tasks: [arithmetic(4)],
        concurrency: 8,
      }),
    );
    expect(outcome.tasks[0]!.samples.failed).toBe(0);
    const arrivals = chatRequests(server).map((request) => request.receivedAt);
    expect(arrivals).toHaveLength(4);
    expect(arrivals.filter((at) => at < arrivals[0]! + 900)).toHaveLength(2);
    expect(outcome.rateLimits[0]).toMatchObject({ requestsPerMinute: 120, rateLimited: 0 });
  });

  it('holds requests while the last minute used tokens_per_minute, and an abort ends that wait at once', async () => {
    // Each answer reports 400 tokens; with 1000 a minute, the fourth request must wait for the minute to pass.
    const server = await serve({
      reply: () => ({ text: '10', usage: { promptTokens: 300, completionTokens: 100 } }),
    });
    const controller = new AbortController();
    const settings = await settingsFor({
      backend: createHttpChatBackend({ url: server.url, tokensPerMinute: 1000 }),
      tasks: [arithmetic(6)],
      concurrency: 1,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'sample-end' && event.done === 3)
          setTimeout(() => controller.abort(new Error('stop')), 300);
      },
    });
    await expect(runEvaluation(settings)).rejects.toThrow('stop');
    expect(server.requestCount).toBe(3);
  });

  it('ends a retry-after wait at once when the run is aborted', async () => {
    const server = await serve({ faultPlan: [{ kind: 'status', status: 429, retryAfterMs: 600_000 }] });
    const controller = new AbortController();
    const settings = await settingsFor({
      backend: createHttpChatBackend({ url: server.url }),
      tasks: [arithmetic(4)],
      concurrency: 1,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'concurrency-change')
          setTimeout(() => controller.abort(new Error('interrupted')), 50);
      },
    });
    await expect(runEvaluation(settings)).rejects.toThrow('interrupted');
    expect(server.requestCount).toBe(1);
  });

  it("gives judge requests of every task their backend's one scheduler", async () => {
    const model = await serve();
    const judgeServer = await serve({ admitAtMost: 2, latencyMs: 20, rateLimitRetryAfterMs: 20 });
    const judge = createHttpChatBackend({ url: judgeServer.url, modelId: 'judge-model' });
    const events: RunEvent[] = [];
    const outcome = await runEvaluation(
      await settingsFor({
        backend: createHttpChatBackend({ url: model.url }),
        tasks: [arithmetic(30, { id: 'first', judge: true }), arithmetic(30, { id: 'second', judge: true })],
        judges: { first: { judge }, second: { judge } },
        concurrency: 16,
        onEvent: (event) => events.push(event),
      }),
    );
    for (const task of outcome.tasks) expect(task.samples).toEqual({ total: 30, scored: 30, failed: 0 });
    expect(outcome.rateLimits.map((facts) => facts.modelId)).toEqual(['scripted-model', 'judge-model']);
    const judgeFacts = outcome.rateLimits[1]!;
    expect(judgeFacts.rateLimited).toBe(judgeServer.rateLimitedCount);
    expect(judgeFacts.rateLimited).toBeGreaterThan(0);
    expect(judgeFacts.lowestConcurrency).toBeLessThanOrEqual(2);
    expect(judgeServer.requestCount).toBe(60 + judgeServer.rateLimitedCount);
    expect(outcome.rateLimits[0]).toMatchObject({ rateLimited: 0, finalConcurrency: 16 });
    expect(events.find((event) => event.type === 'concurrency-change')).toMatchObject({
      role: 'judge',
      model: 'judge-model',
    });
  });
  it("sends the judge requests of a backend that is also the model through the model's scheduler", async () => {
    const server = await serve({ admitAtMost: 3, latencyMs: 20, rateLimitRetryAfterMs: 20 });
    const backend = createHttpChatBackend({ url: server.url });
    const outcome = await runEvaluation(
      await settingsFor({
        backend,
        tasks: [arithmetic(40, { judge: true })],
        judges: { arithmetic: { judge: backend } },
        concurrency: 12,
      }),
    );
    expect(outcome.tasks[0]!.samples).toEqual({ total: 40, scored: 40, failed: 0 });
    expect(outcome.rateLimits).toHaveLength(1);
    expect(outcome.rateLimits[0]!.rateLimited).toBe(server.rateLimitedCount);
    expect(server.requestCount).toBe(80 + server.rateLimitedCount);
    expect(outcome.usage.arithmetic).toMatchObject({
      model: { requests: 40 },
      judges: { judge: { requests: 40 } },
    });
  });
});
