// The openai backend and the runner's scheduler together: a 429 leaves the SDK at once (no retry inside it) and
// the runner resends it, so every refusal the server sent is one the scheduler saw. The run is set up by the
// runner's own test fixtures, from its sources.
import { createOpenAIBackend } from '@evalchemy/backend-openai';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from '../../../runner/src/__fixtures__/arithmetic-benchmark.js';
import { settingsFor } from '../../../runner/src/__fixtures__/run-settings.js';
import { runEvaluation } from '../../../runner/src/run-evaluation.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the openai backend under a rate limit, through the runner', () => {
  it('answers every sample at concurrency 32 against a server admitting 4, each 429 seen and resent by the runner', async () => {
    server = await startScriptedServer({
      admitAtMost: 4,
      latencyMs: 20,
      rateLimitRetryAfterMs: 20,
      reply: () => '10',
    });
    const backend = createOpenAIBackend({
      model: 'scripted-model',
      base_url: server.url,
      api_key: 'sk-rate-limit-test-key',
    });
    const outcome = await runEvaluation(
      await settingsFor({
        backend,
        tasks: [{ benchmark: createArithmeticBenchmark({ size: 100 }), options: { offset: 0 } }],
        concurrency: 32,
      }),
    );
    expect(outcome.tasks[0]!.samples).toMatchObject({ total: 100, failed: 0 });
    expect(server.rateLimitedCount).toBeGreaterThan(0);
    expect(outcome.rateLimits[0]).toMatchObject({
      backend: 'openai',
      rateLimited: server.rateLimitedCount,
      gaveUp: 0,
    });
    expect(server.requestCount).toBe(100 + server.rateLimitedCount);
    expect(outcome.rateLimits[0]!.lowestConcurrency).toBeLessThanOrEqual(4);
  });
});
