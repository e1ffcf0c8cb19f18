import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultsFileV1, SampleRecordV1 } from '@evalchemy/core';
import type { PushInput } from '../leaderboard.js';

/*
 * Synthetic runs in the shape of a real one (a llamacpp run of gsm8k and arc_challenge): built in code so each
 * test says what it varies.
 */

export interface FixtureTask {
  /** Task id. */
  task: string;
  /** Per sample, the primary metric's value (null: the sample failed with an error). */
  scores: (number | null)[];
  /** Primary metric name; default `exact_match`. */
  metric?: string;
  /** Identity of the task in this run; default derived from the task id. */
  identity?: string;
  /** Kind of prompt of the samples; default completion. */
  kind?: 'completion' | 'chat' | 'loglikelihood';
  /** Options of the task (they go into evalsettings.parameters). */
  options?: Record<string, unknown>;
}

export interface FixtureRun {
  runId?: string;
  model?: string;
  backend?: string;
  /** End time (ISO); default now. Start is 10 s earlier. */
  end?: string;
  tasks: FixtureTask[];
  costUsd?: number | null;
  /** A task that could not run: in `tasks` and `task_errors`, with empty results. */
  failedTask?: string;
}

/** The mean and its standard error, as the results file has them. */
export function meanAndStderr(values: number[]): { mean: number; stderr: number | null } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (values.length < 2) return { mean, stderr: null };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, stderr: Math.sqrt(variance / values.length) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A results file and its samples, per the options. */
export function buildRun(run: FixtureRun): {
  results: ResultsFileV1;
  samples: Record<string, SampleRecordV1[]>;
} {
  const runId = run.runId ?? randomUUID();
  const model = run.model ?? 'stories260K';
  const backend = run.backend ?? 'llamacpp';
  const end = run.end ?? new Date().toISOString();
  const start = new Date(Date.parse(end) - 10_000).toISOString();
  const taskIds = run.tasks.map((task) => task.task);
  const allTasks = run.failedTask === undefined ? taskIds : [...taskIds, run.failedTask];

  const results: ResultsFileV1['results'] = {};
  const primary: Record<string, string> = {};
  const counts: ResultsFileV1['n-samples'] = {};
  const failures: ResultsFileV1['sample_failures'] = {};
  const tasks: ResultsFileV1['tasks'] = {};
  const samples: Record<string, SampleRecordV1[]> = {};
  for (const task of run.tasks) {
    const metric = task.metric ?? 'exact_match';
    const scored = task.scores.filter((score): score is number => score !== null);
    const { mean, stderr } = meanAndStderr(scored);
    const failed = task.scores.length - scored.length;
    results[task.task] = {
      [metric]: mean,
      [`${metric}_stderr`]: stderr,
      // lm-eval's key form, with its standard error as lm-eval names it
      'exact_match,strict-match': mean / 2,
      'exact_match_stderr,strict-match': stderr === null ? null : stderr / 2,
    };
    primary[task.task] = metric;
    counts[task.task] = { effective: task.scores.length, scored: scored.length, failed };
    if (failed > 0) failures[task.task] = { failed, example: 'BackendCallError: HTTP 503' };
    tasks[task.task] = taskRecord(task);
    samples[task.task] = task.scores.map((score, index) => sampleRecord(task, metric, index, score));
  }
  if (run.failedTask !== undefined) {
    results[run.failedTask] = {};
    primary[run.failedTask] = 'acc_norm';
    counts[run.failedTask] = { effective: 0, scored: 0, failed: 0 };
    tasks[run.failedTask] = taskRecord({ task: run.failedTask, scores: [] });
  }

  const file: ResultsFileV1 = {
    format_version: 1,
    run_id: runId,
    results,
    primary_metrics: primary,
    headline_metrics: Object.fromEntries(Object.entries(primary).map(([task, metric]) => [task, [metric]])),
    'n-samples': counts,
    sample_failures: failures,
    task_errors:
      run.failedTask === undefined ? {} : { [run.failedTask]: 'DatasetError: not in EVALCHEMY_DATASETS_DIR' },
    warnings: Object.fromEntries(allTasks.map((task) => [task, {}])),
    cache_error: null,
    config: {
      model: backend,
      model_args: { model },
      tasks: Object.fromEntries(allTasks.map((task) => [task, {}])),
      limit: 5,
      seed: 0,
      max_tokens: null,
      concurrency: 32,
      system_instruction: null,
      judges: {},
      output_path: '/tmp/out',
    },
    versions: {
      '@evalchemy/cli': '0.1.0',
      '@evalchemy/core': '0.1.0',
      [`@evalchemy/backend-${backend}`]: '0.1.0',
    },
    seeds: { seed: 0, generation_seed: 'seed + generation index' },
    model: { backend, model_id: model, info: { model }, price: null, judge: null, sandbox: null },
    usage: {
      requests_sent: 5,
      cache_hits: 0,
      prompt_tokens: 7350,
      completion_tokens: 1280,
      cost_usd: run.costUsd === undefined ? 0.25 : run.costUsd,
    },
    git_hash: null,
    environment: { node: '22.0.0', os: 'linux', cpu: 'AMD EPYC', cpu_count: 2, memory_gib: 23.5, gpus: [] },
    timing: { start, end, wall_clock_seconds: 10 },
    tasks,
  };
  return { results: file, samples };
}

function taskRecord(task: FixtureTask): ResultsFileV1['tasks'][string] {
  return {
    identity: task.identity ?? sha256(`identity of ${task.task}`),
    version: '0.1.0',
    options: task.options ?? { num_fewshot: 8 },
    datasets: [
      {
        repository: 'openai/gsm8k',
        path: 'main/test-00000-of-00001.parquet',
        revision: '740312add88f781978c0658806c59bc2815b9866',
        source: 'offline',
        sha256: sha256(task.task),
      },
    ],
    usage: {
      model: { requests_sent: 5, cache_hits: 0, prompt_tokens: 100, completion_tokens: 50, cost_usd: 0.125 },
    },
  };
}

function sampleRecord(
  task: FixtureTask,
  metric: string,
  index: number,
  score: number | null,
): SampleRecordV1 {
  const base = { task: task.task, sample_id: `${task.task}-${index}`, index, metadata: {} };
  const kind = task.kind ?? 'completion';
  if (score === null) {
    return {
      ...base,
      prompt: { type: 'completion', prompt: `Question ${index}?`, parameters: {} },
      error: 'BackendCallError: HTTP 503',
    };
  }
  const metrics = { [metric]: score, strict_match: score / 2 };
  if (kind === 'chat') {
    return {
      ...base,
      prompt: {
        type: 'chat',
        system: 'Be brief.',
        history_messages: 0,
        turns: [`Turn one of ${index}`, `Turn two of ${index}`],
        parameters: {},
        generations: 1,
      },
      responses: [
        [
          { text: `Answer one ${index}`, finish_reason: 'stop', usage: null },
          { text: `Answer two ${index}`, finish_reason: 'stop', usage: null },
        ],
      ],
      metrics,
    };
  }
  if (kind === 'loglikelihood') {
    return {
      ...base,
      prompt: { type: 'loglikelihood', context: `Context ${index}`, continuations: [' A', ' B', ' C'] },
      responses: [
        { logprob: -3, is_greedy: false },
        { logprob: -0.5, is_greedy: true },
        { logprob: -2, is_greedy: false },
      ],
      metrics,
    };
  }
  return {
    ...base,
    prompt: { type: 'completion', prompt: `Question ${index}?`, parameters: { maxTokens: 256 } },
    responses: [[{ text: `The answer is ${index}.`, finish_reason: 'stop', usage: null }]],
    extracted: { flexible: String(index) },
    metrics,
    details: { gold: String(index) },
    warnings: [],
  };
}

/** A run as `push` takes it. */
export function pushInputOf(run: ReturnType<typeof buildRun>, resultsPath: string | null = null): PushInput {
  return { results: run.results, samples: run.samples, resultsPath };
}

/** Writes the run as evalchemy does: `results_<timestamp>.json` and `samples_<task>_<timestamp>.jsonl`. */
export async function writeRunFiles(
  directory: string,
  run: ReturnType<typeof buildRun>,
  options: { timestamp?: string; withoutSamplesOf?: string[] } = {},
): Promise<string> {
  const timestamp = options.timestamp ?? run.results.timing.start.replaceAll(':', '-').replace('Z', '');
  await mkdir(directory, { recursive: true });
  const path = join(directory, `results_${timestamp}.json`);
  await writeFile(path, `${JSON.stringify(run.results, null, 2)}\n`);
  for (const [task, records] of Object.entries(run.samples)) {
    if (options.withoutSamplesOf?.includes(task)) continue;
    await writeFile(
      join(directory, `samples_${task}_${timestamp}.jsonl`),
      records.map((record) => `${JSON.stringify(record)}\n`).join(''),
    );
  }
  return path;
}
