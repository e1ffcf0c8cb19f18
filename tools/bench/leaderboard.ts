// The leaderboard at team size, for both drivers: R runs of T tasks with S samples each (default 100 × 10 ×
// 500 = 500 000 sample rows) pushed one after the other, then the page served over HTTP: the main table (HTML
// and JSON), a run's page, and a comparison of two runs (paired bootstrap over every task's S samples).
// Synthetic runs: 10 models × 10 checkpoints, task metrics drawn per sample from a seeded generator, prompts
// and answers of P characters each (default 600: a zero-shot question and a short answer; few-shot prompts are
// longer). Each request is timed from a client in this process: the first (nothing cached), then the median
// of K more (the server keeps comparisons, which never change: runs are immutable).
// PostgreSQL: a fresh database on the server of EVALCHEMY_TEST_DATABASE_URL (tools/services.sh starts one).
// Usage (from tools/bench): pnpm exec tsx leaderboard.ts [R=100] [T=10] [S=500] [P=600] [K=10]

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFileV1, SampleRecordV1 } from '@evalchemy/core';
import { type Leaderboard, openLeaderboard, type PushInput, serveLeaderboard } from '@evalchemy/leaderboard';
import pg from 'pg';
import { seededRandom } from './seeded-random.js';

const [runCount, taskCount, samplesPerTask, textLength, repeats] = [100, 10, 500, 600, 10].map(
  (fallback, index) => Number(process.argv[2 + index] ?? fallback),
) as [number, number, number, number, number];
const serverUrl =
  process.env.EVALCHEMY_TEST_DATABASE_URL ?? 'postgres://evalchemy:evalchemy@127.0.0.1:54329/evalchemy';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const tasks = Array.from({ length: taskCount }, (_, index) => `task_${String(index).padStart(2, '0')}`);
const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
const text = (prefix: string) =>
  (prefix + filler.repeat(Math.ceil(textLength / filler.length))).slice(0, textLength);

/** Run r: model r mod 10, checkpoint r div 10, each task's accuracy a little higher at each checkpoint. */
function syntheticRun(r: number): PushInput {
  const random = seededRandom(1000 + r);
  const model = `bench-model-${r % 10}/checkpoint-${Math.floor(r / 10)}`;
  const start = new Date(Date.UTC(2026, 10, 1) + r * 3_600_000);
  const samples: Record<string, SampleRecordV1[]> = {};
  const results: ResultsFileV1['results'] = {};
  for (const [t, task] of tasks.entries()) {
    const skill = 0.3 + 0.04 * t + 0.01 * Math.floor(r / 10);
    const records: SampleRecordV1[] = Array.from({ length: samplesPerTask }, (_, index) => {
      const correct = random() < skill ? 1 : 0;
      return {
        task,
        sample_id: String(index),
        index,
        metadata: {},
        prompt: {
          type: 'completion',
          prompt: text(`${task} question ${index}: `),
          parameters: { maxTokens: 256 },
        },
        responses: [[{ text: text(`answer ${correct} `), finish_reason: 'stop', usage: null }]],
        extracted: String(correct),
        metrics: { acc: correct },
      };
    });
    samples[task] = records;
    const mean = records.reduce((sum, record) => sum + (record.metrics?.acc ?? 0), 0) / samplesPerTask;
    results[task] = { acc: mean, acc_stderr: Math.sqrt((mean * (1 - mean)) / (samplesPerTask - 1)) };
  }
  const usage = {
    requests_sent: taskCount * samplesPerTask,
    cache_hits: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    cost_usd: 0,
  };
  const end = new Date(start.getTime() + 600_000);
  const file: ResultsFileV1 = {
    format_version: 1,
    run_id: randomUUID(),
    results,
    primary_metrics: Object.fromEntries(tasks.map((task) => [task, 'acc'])),
    headline_metrics: Object.fromEntries(tasks.map((task) => [task, ['acc']])),
    'n-samples': Object.fromEntries(
      tasks.map((task) => [task, { effective: samplesPerTask, scored: samplesPerTask, failed: 0 }]),
    ),
    sample_failures: {},
    task_errors: {},
    warnings: {},
    cache_error: null,
    config: {
      model: 'openai',
      model_args: { model },
      tasks: Object.fromEntries(tasks.map((task) => [task, {}])),
    },
    versions: { '@evalchemy/cli': '0.1.0' },
    seeds: { seed: 0, generation_seed: 'seed + generation index' },
    model: { backend: 'openai', model_id: model, info: {}, judge: null, sandbox: null },
    usage,
    git_hash: null,
    environment: { node: process.version, os: 'linux', cpu: 'bench', cpu_count: 2, memory_gib: 24, gpus: [] },
    timing: { start: start.toISOString(), end: end.toISOString(), wall_clock_seconds: 600 },
    tasks: Object.fromEntries(
      tasks.map((task) => [
        task,
        {
          identity: (r.toString(16) + task)
            .padEnd(64, '0')
            .replace(/[^0-9a-f]/g, 'a')
            .slice(0, 64),
          version: '0.1.0',
          options: {},
          datasets: [],
          usage: { model: usage },
        },
      ]),
    ),
  };
  return { results: file, samples, resultsPath: null };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, (performance.now() - started) / 1000];
}

/** The first request (cold: nothing cached by the server) and the median of the next K. */
async function requestSeconds(url: string): Promise<{ first: number; median: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let attempt = 0; attempt <= repeats; attempt++) {
    const [body, seconds] = await timed(async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.text();
    });
    bytes = body.length;
    times.push(seconds);
  }
  return { first: times[0]!, median: median(times.slice(1)), bytes };
}

async function measure(label: string, open: () => Promise<Leaderboard>, size: () => Promise<number>) {
  const leaderboard = await open();
  const runIds: string[] = [];
  let pushSeconds = 0;
  let slowestPush = 0;
  for (let r = 0; r < runCount; r++) {
    const input = syntheticRun(r);
    const [outcome, seconds] = await timed(() => leaderboard.push(input));
    if (!outcome.added) throw new Error(`run ${r} was not added`);
    runIds.push(outcome.runId);
    pushSeconds += seconds;
    slowestPush = Math.max(slowestPush, seconds);
  }
  const rows = runCount * taskCount * samplesPerTask;
  console.log(
    `${label}: pushed ${runCount} runs, ${rows} sample rows in ${pushSeconds.toFixed(1)} s ` +
      `(${(rows / pushSeconds).toFixed(0)} rows/s, slowest push ${slowestPush.toFixed(2)} s); ` +
      `database ${(await size()).toFixed(0)} MiB`,
  );
  const server = await serveLeaderboard({ leaderboard, port: 0 });
  try {
    const [older, newer] = [runIds[runCount - 11] ?? runIds[0]!, runIds[runCount - 1]!];
    for (const [name, path] of [
      ['main table (HTML)', '/'],
      ['main table (JSON)', '/api/table'],
      ['run page', `/runs/${newer}`],
      ['comparison', `/compare?a=${older}&b=${newer}`],
    ] as const) {
      const {
        first,
        median: seconds,
        bytes,
      } = await requestSeconds(`${server.url.replace(/\/$/, '')}${path}`);
      console.log(
        `${label}: ${name}: first ${(first * 1000).toFixed(0)} ms, then median ${(seconds * 1000).toFixed(0)} ms ` +
          `over ${repeats} (${bytes} bytes)`,
      );
    }
  } finally {
    await server.close();
    await leaderboard.close();
  }
}

const directory = await mkdtemp(join(tmpdir(), 'evalchemy-bench-leaderboard-'));
try {
  await measure(
    'PGlite',
    () => openLeaderboard({ directory, env: {} }),
    async () => Number(execFileSync('du', ['-sm', directory], { encoding: 'utf8' }).split('\t')[0]),
  );
  // As `evalchemy leaderboard serve` opens it: with releaseWhenIdleMs 1000, it stays open while nobody else
  // waits; a push from another process (here a second opener: it waits the same way) makes it close and
  // release the directory when idle, and the next page request reopens it. Timed: the page after 1.5 s idle
  // with nobody waiting, and the page right after such a push.
  const leaderboard = await openLeaderboard({ directory, env: {}, releaseWhenIdleMs: 1000 });
  const server = await serveLeaderboard({ leaderboard, port: 0 });
  try {
    const page = async () => (await timed(async () => (await fetch(server.url)).text()))[1];
    const idle: number[] = [];
    const afterPush: number[] = [];
    for (let attempt = 0; attempt < repeats; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      idle.push(await page());
      const pusher = await openLeaderboard({ directory, env: {} });
      await pusher.push(syntheticRun(runCount + attempt));
      await pusher.close();
      afterPush.push(await page());
    }
    console.log(
      `PGlite as serve opens it: main table (HTML) after 1.5 s idle: median ${(median(idle) * 1000).toFixed(0)} ms; ` +
        `right after a push from another opener (reopened): median ${(median(afterPush) * 1000).toFixed(0)} ms, over ${repeats}`,
    );
  } finally {
    await server.close();
    await leaderboard.close();
  }
} finally {
  await rm(directory, { recursive: true, force: true });
}

const database = `bench_${randomUUID().replaceAll('-', '')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
try {
  await measure(
    'PostgreSQL',
    () => openLeaderboard({ databaseUrl, env: {} }),
    async () => {
      const result = await admin.query<{ size: string }>('SELECT pg_database_size($1) AS size', [database]);
      return Number(result.rows[0]!.size) / 2 ** 20;
    },
  );
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  await admin.end();
}
