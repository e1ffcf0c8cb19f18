// Throughput and memory of the runner against a local OpenAI-compatible server (the test-kit's scripted
// server, in a process of its own): N chat requests with L ms latency at concurrency C. The floor is
// ceil(N / C) * L (some connection must carry ceil(N / C) requests one after the other; N / C * L, the
// issue's figure, is also printed). Side by side in one run, alternating, for R rounds: a bare node:http
// loop with keep-alive (what the machine and server allow at all), the runner with an empty cache, the
// runner again on the filled cache (which must send zero requests), a loop of the openai backend alone (the
// SDK on this project's transport, no runner: what the runner adds on top), and a bare loop of the openai SDK with
// Node's built-in fetch at the same concurrency (what the SDK costs with its default transport). Peak RSS
// is measured in a child process that runs the runner alone. First, one request at a time over one connection
// gives the round trip a client sees (server latency plus loopback and wake-ups): what the machine adds per hop.
// With `--promptfoo <path to promptfoo's bin>`, each round also runs `promptfoo eval` on the same workload
// (2000 tests of one chat prompt, -j C, no cache, no database write), the point of comparison.
// Usage (from tools/bench): pnpm exec tsx runner-throughput.ts [N=2000] [C=64] [L=50] [R=3] [--promptfoo BIN]
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openaiBackend from '@evalchemy/backend-openai';
import type { BenchmarkV1 } from '@evalchemy/core';
import { createDatasetResolver, ResponseCache, runEvaluation } from '@evalchemy/runner';
import { execa } from 'execa';
import OpenAI from 'openai';
import { z } from 'zod';

const promptfooFlag = process.argv.indexOf('--promptfoo');
const promptfooBin = promptfooFlag === -1 ? undefined : process.argv[promptfooFlag + 1];
const positional = promptfooFlag === -1 ? process.argv.slice(2) : process.argv.slice(2, promptfooFlag);
const [requests, concurrency, latencyMs, rounds] = [2000, 64, 50, 3].map((fallback, index) =>
  Number(positional[index] ?? fallback),
) as [number, number, number, number];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const floorSeconds = (Math.ceil(requests / concurrency) * latencyMs) / 1000;
const fractionalFloorSeconds = ((requests / concurrency) * latencyMs) / 1000;

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

async function runnerOnce(url: string, cacheDirectory: string) {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-bench-'));
  const backend = openaiBackend.createBackend(
    openaiBackend.optionsSchema.parse({ model: 'bench', base_url: url }),
    {
      env: {},
      log,
    },
  );
  const start = performance.now();
  const outcome = await runEvaluation({
    backend,
    tasks: [{ benchmark, options: {} }],
    datasets: createDatasetResolver({ offlineDirectory: directory }),
    outputPath: join(directory, 'out'),
    cache: new ResponseCache({ directory: cacheDirectory, enabled: true }),
    concurrency,
    seed: 0,
    predictOnly: false,
    effectiveConfig: {},
    versions: {},
    log,
  });
  const seconds = (performance.now() - start) / 1000;
  if (outcome.tasks[0]?.metrics.ok?.value !== 1) throw new Error('the runner did not get every answer right');
  await rm(directory, { recursive: true });
  return { seconds, requestsSent: outcome.requestsSent };
}

/** The openai backend alone (the SDK on this project's transport), no runner: what the runner adds on top. */
async function backendOnce(url: string) {
  const backend = openaiBackend.createBackend(
    openaiBackend.optionsSchema.parse({ model: 'bench', base_url: url }),
    { env: {}, log },
  );
  const signal = new AbortController().signal;
  const seconds = await secondsOfClosedLoop((index) =>
    backend.doGenerate(
      {
        type: 'chat',
        messages: [{ role: 'user', content: `Request number ${index}` }],
        parameters: { temperature: 0, maxTokens: 8, seed: 0 },
        origin: { task: 'throughput', sampleId: String(index), turn: 0, generation: 0 },
      },
      { signal },
    ),
  );
  await backend.doStop?.();
  return seconds;
}

async function sdkOnce(url: string) {
  const client = new OpenAI({ baseURL: url, apiKey: 'EMPTY', maxRetries: 0 });
  return secondsOfClosedLoop((index) =>
    client.chat.completions.create({
      model: 'bench',
      messages: [{ role: 'user', content: `Request number ${index}` }],
      temperature: 0,
      max_tokens: 8,
      seed: 0,
    }),
  );
}

/** One chat request through `agent`, answer read and dropped. */
function postChat(url: string, agent: Agent, content: string) {
  return new Promise<void>((resolve, reject) => {
    const outgoing = request(
      `${url}/chat/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (incoming) => {
        incoming.resume();
        incoming.on('end', resolve);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify({ model: 'bench', messages: [{ role: 'user', content }] }));
  });
}

async function httpOnce(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const seconds = await secondsOfClosedLoop((index) => postChat(url, agent, `Request number ${index}`));
  agent.destroy();
  return seconds;
}

/** Seconds for `requests` calls of `send(index)`, `concurrency` at a time, each next one sent as one ends. */
async function secondsOfClosedLoop(send: (index: number) => Promise<unknown>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) await send(next++);
    }),
  );
  return (performance.now() - start) / 1000;
}

/**
 * Round-trip time of one request at a time over one kept-alive connection (median of 40): the server's
 * latency as a client sees it, with loopback and both processes' wake-ups. ⌈N / C⌉ × this is the floor that
 * this machine and server allow a client with no work of its own.
 */
async function sequentialRoundTripMs(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let index = 0; index < 40; index++) {
    const start = performance.now();
    await postChat(url, agent, 'one at a time');
    times.push(performance.now() - start);
  }
  agent.destroy();
  return median(times);
}

/** promptfoo's `eval` on the same workload: wall time of the command, and the eval's own reported duration. */
async function promptfooOnce(url: string, bin: string) {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-bench-promptfoo-'));
  const config = {
    prompts: ['Request number {{i}}'],
    providers: [
      {
        id: 'openai:chat:bench',
        config: { apiBaseUrl: url, apiKey: 'EMPTY', temperature: 0, max_tokens: 8, seed: 0 },
      },
    ],
    tests: Array.from({ length: requests }, (_, index) => ({ vars: { i: index } })),
    defaultTest: { assert: [{ type: 'equals', value: 'ok' }] },
  };
  await writeFile(join(directory, 'promptfooconfig.json'), JSON.stringify(config));
  const start = performance.now();
  const result = await execa(
    bin,
    [
      'eval',
      '-c',
      'promptfooconfig.json',
      '-j',
      String(concurrency),
      '--no-cache',
      '--no-write',
      '--no-table',
    ],
    {
      cwd: directory,
      env: {
        PROMPTFOO_DISABLE_TELEMETRY: '1',
        PROMPTFOO_DISABLE_UPDATE: '1',
        PROMPTFOO_CONFIG_DIR: directory,
        CI: '1',
      },
      all: true,
    },
  );
  const seconds = (performance.now() - start) / 1000;
  await rm(directory, { recursive: true });
  const passed = /([\d,]+) passed/.exec(result.all ?? '')?.[1]?.replaceAll(',', '');
  if (Number(passed) !== requests) throw new Error(`promptfoo did not pass every test:\n${result.all}`);
  const reported = /Duration: ([^\n(]+)/.exec(result.all ?? '')?.[1]?.trim() ?? '?';
  return { seconds, reported };
}

if (process.argv[6] === '--runner-only') {
  // Child mode: one cold runner pass, then report this process's peak RSS.
  const url = process.argv[7]!;
  const cache = await mkdtemp(join(tmpdir(), 'evalchemy-bench-cache-'));
  await runnerOnce(url, cache);
  console.log(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  await rm(cache, { recursive: true });
  process.exit(0);
}

const serverProcess = execa(
  'node',
  ['--import', 'tsx', join(import.meta.dirname, 'scripted-server-process.ts'), String(latencyMs)],
  {
    buffer: false,
  },
);
const url = await new Promise<string>((resolve) =>
  serverProcess.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
);
console.log(
  `${requests} chat requests, concurrency ${concurrency}, ${latencyMs} ms latency: floor ${floorSeconds.toFixed(2)} s ` +
    `(N / C × L = ${fractionalFloorSeconds.toFixed(4)} s)`,
);
/** Jiffies the hypervisor took from this VM (steal) and all jiffies, from /proc/stat; undefined elsewhere. */
function cpuTimes(): { steal: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { steal: fields[7] ?? 0, total: fields.reduce((sum, value) => sum + value, 0) };
  } catch {
    return undefined;
  }
}
const roundTripMs = await sequentialRoundTripMs(url);
console.log(
  `one request at a time: median round trip ${roundTripMs.toFixed(2)} ms for ${latencyMs} ms of server latency, so ` +
    `⌈N / C⌉ × round trip = ${((Math.ceil(requests / concurrency) * roundTripMs) / 1000).toFixed(2)} s is what this machine allows a client that does no work`,
);
const timesAtStart = cpuTimes();
const http: number[] = [];
const sdk: number[] = [];
const viaBackend: number[] = [];
const cold: number[] = [];
const warm: number[] = [];
const promptfoo: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const cache = await mkdtemp(join(tmpdir(), 'evalchemy-bench-cache-'));
  http.push(await httpOnce(url));
  const first = await runnerOnce(url, cache);
  const second = await runnerOnce(url, cache);
  viaBackend.push(await backendOnce(url));
  sdk.push(await sdkOnce(url));
  if (second.requestsSent !== 0) throw new Error(`warm-cache rerun sent ${second.requestsSent} requests`);
  cold.push(first.seconds);
  warm.push(second.seconds);
  await rm(cache, { recursive: true });
  if (promptfooBin !== undefined) {
    const compared = await promptfooOnce(url, promptfooBin);
    promptfoo.push(compared.seconds);
    console.log(
      `round ${round}: promptfoo eval ${compared.seconds.toFixed(2)} s (command), ${compared.reported} (its own report)`,
    );
  }
  console.log(
    `round ${round}: node:http loop ${http.at(-1)!.toFixed(2)} s | backend loop ${viaBackend.at(-1)!.toFixed(2)} s | SDK + built-in fetch loop ${sdk.at(-1)!.toFixed(2)} s | runner, empty cache ${first.seconds.toFixed(2)} s | ` +
      `runner, warm cache ${second.seconds.toFixed(2)} s (requests sent: ${second.requestsSent})`,
  );
}
console.log(
  `median: node:http loop ${median(http).toFixed(2)} s (${(median(http) / floorSeconds).toFixed(2)}× floor) | backend loop ${median(viaBackend).toFixed(2)} s (${(median(viaBackend) / floorSeconds).toFixed(3)}× floor) | SDK loop ${median(sdk).toFixed(2)} s (${(median(sdk) / floorSeconds).toFixed(2)}× floor) | ` +
    `runner ${median(cold).toFixed(2)} s (${(median(cold) / floorSeconds).toFixed(3)}× floor, ${(median(cold) / fractionalFloorSeconds).toFixed(3)}× N / C × L, ${(median(cold) / median(http)).toFixed(3)}× node:http loop) | ` +
    `warm rerun ${median(warm).toFixed(2)} s, 0 requests`,
);
if (promptfoo.length > 0) {
  console.log(
    `median: promptfoo eval ${median(promptfoo).toFixed(2)} s (command) = ${(median(promptfoo) / median(cold)).toFixed(1)}× the runner`,
  );
}
const timesAtEnd = cpuTimes();
if (timesAtStart && timesAtEnd) {
  const steal = timesAtEnd.steal - timesAtStart.steal;
  console.log(
    `CPU steal during the rounds: ${((100 * steal) / (timesAtEnd.total - timesAtStart.total)).toFixed(1)} % ` +
      '(time the hypervisor gave to other machines; a quiet run has about 0)',
  );
}
const child = await execa('node', [
  '--import',
  'tsx',
  import.meta.filename,
  ...[requests, concurrency, latencyMs, rounds].map(String),
  '--runner-only',
  url,
]);
console.log(
  `peak RSS of a process running the runner once (empty cache): ${Number(JSON.parse(child.stdout).maxRssMb).toFixed(0)} MB`,
);
serverProcess.kill('SIGTERM');
await serverProcess.catch(() => {});
