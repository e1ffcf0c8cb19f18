// Throughput and memory of the runner against a local OpenAI-compatible server: N chat requests with L ms
// latency at concurrency C. The floor is ceil(N / C) * L. Also checks that a warm-cache rerun sends zero
// requests. Usage: pnpm exec tsx tools/bench/runner-throughput.ts [N=2000] [C=64] [L=50]
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openai from '@evalchemy/backend-openai';
import type { BenchmarkV1 } from '@evalchemy/core';
import { createDatasetResolver, ResponseCache, runEvaluation } from '@evalchemy/runner';
import { execa } from 'execa';
import { z } from 'zod';

const [requests, concurrency, latencyMs] = [2000, 64, 50].map((fallback, index) =>
  Number(process.argv[2 + index] ?? fallback),
) as [number, number, number];

const benchmark: BenchmarkV1<number, Record<string, never>> = {
  specificationVersion: 'v1',
  kind: 'benchmark',
  id: 'throughput',
  version: '0.0.0',
  description: 'N one-turn chat prompts',
  optionsSchema: z.object({}),
  requirements: {},
  primaryMetric: 'ok',
  async doLoad() {
    return {
      size: requests,
      samples: (function* () {
        for (let index = 0; index < requests; index++) yield { id: String(index), data: index };
      })(),
    };
  },
  doPlan: (sample) => ({
    type: 'chat',
    turns: [`Request number ${sample.data}`],
    parameters: { temperature: 0, maxTokens: 8 },
  }),
  doScore: async (_, responses) => ({
    metrics: { ok: responses.type === 'generate' && responses.generations[0]?.[0]?.text === 'ok' ? 1 : 0 },
  }),
};

const serverProcess = execa(
  'node',
  ['--import', 'tsx', join(import.meta.dirname, 'scripted-server-process.ts'), String(latencyMs)],
  { buffer: false },
);
const url = await new Promise<string>((resolve) =>
  serverProcess.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
);
const directory = await mkdtemp(join(tmpdir(), 'evalchemy-bench-'));
const log = { info: () => {}, warn: (message: string) => console.warn(message), debug: () => {} };

async function once(label: string) {
  const backend = openai.createBackend(openai.optionsSchema.parse({ model: 'bench', base_url: url }), {
    env: {},
    log,
  });
  const start = performance.now();
  const outcome = await runEvaluation({
    backend,
    tasks: [{ benchmark, options: {} }],
    datasets: createDatasetResolver({ offlineDirectory: directory }),
    outputPath: join(directory, 'out'),
    cache: new ResponseCache({ directory: join(directory, 'cache'), enabled: true }),
    concurrency,
    seed: 0,
    predictOnly: false,
    effectiveConfig: {},
    versions: {},
    log,
  });
  const seconds = (performance.now() - start) / 1000;
  const floor = (Math.ceil(requests / concurrency) * latencyMs) / 1000;
  console.log(
    `${label}: ${seconds.toFixed(2)} s for ${requests} requests at concurrency ${concurrency}, ${latencyMs} ms latency ` +
      `(floor ${floor.toFixed(2)} s, ${(seconds / floor).toFixed(3)}× floor); requests sent ${outcome.requestsSent}, cache hits ${outcome.cacheHits}; ` +
      `metric ok = ${outcome.tasks[0]?.metrics.ok?.value}`,
  );
}

await once('cold cache');
await once('warm cache');
console.log(`peak RSS of the runner process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
serverProcess.kill('SIGTERM');
await serverProcess.catch(() => {});
