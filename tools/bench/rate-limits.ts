// The runner's adaptive rate limiting against a server that admits K requests at a time (the test-kit's
// scripted server with `admitAtMost`, in a process of its own): every further request is refused at once
// with 429 and `retry-after-ms: A`, as a provider's concurrency limit would. N chat requests, L ms latency.
// Side by side in each round, alternating: the runner at fixed concurrency K (what a user who knew the limit
// would choose; it is never refused), the runner starting at concurrency C (adaptive: it must find K by
// itself), and, for contrast, the behaviour before the scheduler: C requests at a time through the openai SDK,
// each retrying its own 429s (max_retries 5, honouring retry-after) with no shared slowdown. The floor is
// ⌈N / K⌉ × L. Prints wall time, HTTP requests sent, 429 answers and their fraction, and failed requests.
// Usage (from tools/bench): pnpm exec tsx rate-limits.ts [N=800] [C=64] [K=8] [L=100] [A=100] [R=3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openaiBackend from '@evalchemy/backend-openai';
import type { BenchmarkV1 } from '@evalchemy/core';
import { createDatasetResolver, ResponseCache, runEvaluation } from '@evalchemy/runner';
import { execa } from 'execa';
import OpenAI from 'openai';
import { z } from 'zod';

const [requests, concurrency, admitted, latencyMs, retryAfterMs, rounds] = [800, 64, 8, 100, 100, 3].map(
  (fallback, index) => Number(process.argv[2 + index] ?? fallback),
) as [number, number, number, number, number, number];
const floorSeconds = (Math.ceil(requests / admitted) * latencyMs) / 1000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const benchmark: BenchmarkV1<number, Record<string, never>> = {
  specificationVersion: 'v1',
  kind: 'benchmark',
  id: 'ratelimits',
  version: '0.0.0',
  description: 'N one-turn chat prompts',
  optionsSchema: z.object({}),
  requirements: {},
  primaryMetric: 'ok',
  async doLoad() {
    const samples = (function* () {
      for (let index = 0; index < requests; index++) yield { id: String(index), data: index };
    })();
    return { size: requests, samples };
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

const log = { info: () => {}, warn: (message: string) => console.warn(message), debug: () => {} };

interface Leg {
  seconds: number;
  sent: number;
  refused: number;
  failed: number;
  note: string;
}

async function runnerOnce(url: string, runConcurrency: number): Promise<Leg> {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-bench-'));
  const backend = openaiBackend.createBackend(
    openaiBackend.optionsSchema.parse({ model: 'bench', base_url: url }),
    { env: {}, log },
  );
  const start = performance.now();
  const outcome = await runEvaluation({
    backend,
    tasks: [{ benchmark, options: {} }],
    datasets: createDatasetResolver({ offlineDirectory: directory }),
    outputPath: join(directory, 'out'),
    cache: new ResponseCache({ directory: join(directory, 'cache'), enabled: false }),
    concurrency: runConcurrency,
    seed: 0,
    predictOnly: false,
    effectiveConfig: {},
    versions: {},
    log,
  });
  const seconds = (performance.now() - start) / 1000;
  await rm(directory, { recursive: true });
  const facts = outcome.rateLimits[0]!;
  const task = outcome.tasks[0]!;
  return {
    seconds,
    sent: outcome.requestsSent + facts.rateLimited,
    refused: facts.rateLimited,
    failed: task.samples.failed + (task.samples.total - task.samples.scored - task.samples.failed),
    note: `lowest ${facts.lowestConcurrency}, final ${facts.finalConcurrency}, ${facts.decreases} decreases, held ${(facts.waitedMs / 1000).toFixed(2)} s`,
  };
}

/** Before the scheduler: C calls at a time, each retried by the SDK on its own (max_retries 5, retry-after). */
async function sdkRetriesOnce(url: string): Promise<Leg> {
  let refused = 0;
  let failed = 0;
  const client = new OpenAI({
    baseURL: url,
    apiKey: 'EMPTY',
    maxRetries: 5,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 429) refused += 1;
      return response;
    },
  });
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < requests) {
      const index = next++;
      await client.chat.completions
        .create({
          model: 'bench',
          messages: [{ role: 'user', content: `Request number ${index}` }],
          temperature: 0,
          max_tokens: 8,
        })
        .catch(() => {
          failed += 1;
        });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { seconds, sent: requests + refused, refused, failed, note: '' };
}

const serverProcess = execa(
  'node',
  [
    '--import',
    'tsx',
    join(import.meta.dirname, 'scripted-server-process.ts'),
    String(latencyMs),
    'ok',
    String(admitted),
    String(retryAfterMs),
  ],
  { buffer: false },
);
const url = await new Promise<string>((resolve) =>
  serverProcess.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
);
console.log(
  `${requests} chat requests against a server admitting ${admitted} at a time (429 with retry-after-ms ${retryAfterMs} ` +
    `to the rest), ${latencyMs} ms latency: floor ${floorSeconds.toFixed(2)} s`,
);

const legs: Record<string, Leg[]> = {
  [`runner, fixed concurrency ${admitted}`]: [],
  [`runner, adaptive from ${concurrency}`]: [],
  [`SDK retries alone, concurrency ${concurrency}`]: [],
};
const [fixed, adaptive, sdk] = Object.keys(legs) as [string, string, string];
for (let round = 0; round < rounds; round++) {
  legs[fixed]!.push(await runnerOnce(url, admitted));
  legs[adaptive]!.push(await runnerOnce(url, concurrency));
  legs[sdk]!.push(await sdkRetriesOnce(url));
  for (const name of [fixed, adaptive, sdk]) {
    const leg = legs[name]!.at(-1)!;
    console.log(
      `round ${round + 1} ${name}: ${leg.seconds.toFixed(2)} s, ${leg.sent} requests, ${leg.refused} refused ` +
        `(${((100 * leg.refused) / leg.sent).toFixed(1)} %), ${leg.failed} failed${leg.note ? `; ${leg.note}` : ''}`,
    );
  }
}
console.log('\n| run | wall time (median) | ÷ fixed | requests sent | 429 answers | 429 fraction | failed |');
console.log('|---|---|---|---|---|---|---|');
const fixedMedian = median(legs[fixed]!.map((leg) => leg.seconds));
for (const [name, runs] of Object.entries(legs)) {
  const seconds = median(runs.map((leg) => leg.seconds));
  const sent = median(runs.map((leg) => leg.sent));
  const refused = median(runs.map((leg) => leg.refused));
  const failed = median(runs.map((leg) => leg.failed));
  console.log(
    `| ${name} | ${seconds.toFixed(2)} s | ${(seconds / fixedMedian).toFixed(2)} | ${sent} | ${refused} | ` +
      `${((100 * refused) / sent).toFixed(1)} % | ${failed} |`,
  );
}
serverProcess.kill('SIGTERM');
await serverProcess.catch(() => {});
