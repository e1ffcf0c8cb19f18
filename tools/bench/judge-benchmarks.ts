// The LLM-judged benchmarks at full size through the runner: the model is a scripted OpenAI-compatible server
// answering at once, the judge another one answering after L ms (a stand-in for a hosted judge), both in
// processes of their own. Per task: the judge requests a whole run sends, the run's wall time against the
// floor ⌈judge requests / C⌉ × L (no client can judge faster at concurrency C), and, side by side in the same
// round, the same run again on the filled cache (a re-score: it must send no request). R rounds, medians.
//
// Usage (from tools/bench): pnpm exec tsx judge-benchmarks.ts [C=64] [L=200] [R=3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openaiBackend from '@evalchemy/backend-openai';
import alpacaEval from '@evalchemy/benchmark-alpaca_eval';
import arenaHard from '@evalchemy/benchmark-arena_hard';
import mixEval from '@evalchemy/benchmark-mixeval';
import mtBench from '@evalchemy/benchmark-mtbench';
import { type BenchmarkV1, judgeRolesOf } from '@evalchemy/core';
import { createDatasetResolver, ResponseCache, runEvaluation } from '@evalchemy/runner';
import { execa } from 'execa';

const [concurrency, latencyMs, rounds] = [64, 200, 3].map((fallback, index) =>
  Number(process.argv[2 + index] ?? fallback),
) as [number, number, number];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const log = { info: () => {}, warn: () => {}, debug: () => {} };
// The datasets: EVALCHEMY_DATASETS_DIR, else ../shared/datasets beside the repository.
const datasetsDirectory =
  process.env.EVALCHEMY_DATASETS_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');

interface JudgedTask {
  label: string;
  benchmark: BenchmarkV1<unknown, unknown>;
  options: Record<string, unknown>;
  /**
   * The judge's answer: a verdict the benchmark parses, or `[substring, answer]` rules (the first whose
   * substring the request contains answers).
   */
  verdict: string | [string, string][];
}

const tasks: JudgedTask[] = [
  { label: 'mtbench (single)', benchmark: mtBench as never, options: {}, verdict: 'Rating: [[7]]' },
  {
    label: 'mtbench (pairwise-baseline)',
    benchmark: mtBench as never,
    options: { mode: 'pairwise-baseline' },
    verdict: '[[A]]',
  },
  { label: 'alpaca_eval', benchmark: alpacaEval as never, options: {}, verdict: 'm' },
  { label: 'arena_hard', benchmark: arenaHard as never, options: {}, verdict: '[[A>B]]' },
  {
    label: 'mixeval',
    benchmark: mixEval as never,
    options: {},
    verdict: [
      ['option extractor', '[[A]]'],
      ['', '[[0.5]]'],
    ],
  },
];

async function startServer(latency: number, reply: JudgedTask['verdict']) {
  const answer = typeof reply === 'string' ? reply : `rules:${JSON.stringify(reply)}`;
  const server = execa(
    'node',
    ['--import', 'tsx', join(import.meta.dirname, 'scripted-server-process.ts'), String(latency), answer],
    { buffer: false },
  );
  const url = await new Promise<string>((resolve) =>
    server.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  return { url, stop: () => server.kill('SIGTERM') };
}

const openai = (model: string, url: string) =>
  openaiBackend.createBackend(openaiBackend.optionsSchema.parse({ model, base_url: url, api_key: 'bench' }), {
    env: {},
    log,
  });

async function runOnce(task: JudgedTask, modelUrl: string, judgeUrl: string, cacheDirectory: string) {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-judge-bench-'));
  const options = task.benchmark.optionsSchema.parse(task.options);
  const roles = judgeRolesOf(task.benchmark, options);
  const judges = Object.fromEntries(
    Object.entries(roles).map(([role, requirement]) => [role, openai(requirement.defaultModel, judgeUrl)]),
  );
  const start = performance.now();
  const outcome = await runEvaluation({
    backend: openai('bench-model', modelUrl),
    judges: { [task.benchmark.id]: judges },
    tasks: [{ benchmark: task.benchmark, options }],
    datasets: createDatasetResolver({ offlineDirectory: datasetsDirectory }),
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
  const [result] = outcome.tasks;
  if (result?.status !== 'completed' || result.samples.failed > 0)
    throw new Error(`${task.label}: ${result?.error ?? `${result?.samples.failed} samples failed`}`);
  const usage = outcome.usage[task.benchmark.id]!;
  const judgeRequests = Object.values(usage.judges).reduce((sum, role) => sum + role.requests, 0);
  await rm(directory, { recursive: true });
  return { seconds, judgeRequests, requestsSent: outcome.requestsSent, samples: result.samples.total };
}

const model = await startServer(0, 'A short answer from the model under evaluation.');
console.log(
  `judged benchmarks at full size: concurrency ${concurrency}, judge latency ${latencyMs} ms, model latency 0, ${rounds} rounds`,
);
try {
  for (const task of tasks) {
    const judge = await startServer(latencyMs, task.verdict);
    const cold: number[] = [];
    const warm: number[] = [];
    let judgeRequests = 0;
    let samples = 0;
    for (let round = 0; round < rounds; round++) {
      const cache = await mkdtemp(join(tmpdir(), 'evalchemy-judge-bench-cache-'));
      const first = await runOnce(task, model.url, judge.url, cache);
      const again = await runOnce(task, model.url, judge.url, cache);
      if (again.requestsSent !== 0)
        throw new Error(`${task.label}: the re-score sent ${again.requestsSent} requests`);
      cold.push(first.seconds);
      warm.push(again.seconds);
      judgeRequests = first.judgeRequests;
      samples = first.samples;
      await rm(cache, { recursive: true });
    }
    judge.stop();
    const floor = (Math.ceil(judgeRequests / concurrency) * latencyMs) / 1000;
    console.log(
      `${task.label}: ${samples} samples, ${judgeRequests} judge requests | run ${median(cold).toFixed(2)} s ` +
        `(floor ${floor.toFixed(2)} s, ${(median(cold) / floor).toFixed(2)}×) | re-score from the cache ` +
        `${median(warm).toFixed(2)} s, 0 requests (${(median(cold) / median(warm)).toFixed(0)}× faster) | ` +
        `rounds: ${cold.map((value) => value.toFixed(2)).join(', ')} / ${warm.map((value) => value.toFixed(2)).join(', ')}`,
    );
  }
} finally {
  model.stop();
}
