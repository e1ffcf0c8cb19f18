import { createHash, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  type BackendV1,
  ConfigurationError,
  describeError,
  type JudgeAuditRecordV1,
  type ResultsFileV1,
  type StorageError,
} from '@evalchemy/core';
import type { ConcurrencyChange, RateLimitFacts } from './adaptive-limit.js';
import { writeFileAtomically } from './atomic-file.js';
import { createDirectory, storageError } from './create-directory.js';
import { gitCommit } from './git-commit.js';
import { checkJudges } from './judge-service.js';
import { priceOf } from './prices.js';
import { createRecordingResolver } from './recording-resolver.js';
import { createRequestPath, type RequestPath } from './request-path.js';
import { buildResultsFile } from './results-file.js';
import { describeEnvironment } from './run-environment.js';
import { judgeBackendsOf, judgesOf, type RunSettings } from './run-settings.js';
import { cacheRemedy, createRunState, type TaskUsage } from './run-state.js';
import { shardSuffix } from './shard-files.js';
import { leadingMetricsOf, outputRemedy, runTask, type TaskOutcome } from './task-run.js';

export interface RunOutcome {
  resultsPath: string;
  tasks: TaskOutcome[];
  /** True when every task completed (failed samples are data, not a failed run). */
  complete: boolean;
  /** Requests sent to backends (model and judges), and answers taken from the response cache. */
  requestsSent: number;
  cacheHits: number;
  /** Requests and tokens of each task (by task id): the model's, and each judge role's. */
  usage: Record<string, TaskUsage>;
  /** What each backend's scheduler did (rate-limit refusals, concurrency, waits): the model's, then each judge's. */
  rateLimits: (RateLimitFacts & { backend: string; modelId: string })[];
  /** Per judged task, per judge role: the results file's `tasks.<task>.judge_audit`. */
  judgeAudit: Record<string, Record<string, JudgeAuditRecordV1>>;
  /** The run's `--max_cost` budget and what was spent, as in the results file; null without a budget. */
  budget: NonNullable<ResultsFileV1['budget']> | null;
  /**
   * Why the response cache stopped taking new responses during the run (a full disk), if it did. The run
   * went on and its results are complete, but it cannot be resumed or re-scored from the cache.
   */
  cacheError?: StorageError;
}

// Directory names longer than 255 bytes are refused by common file systems.
const maxModelDirectoryLength = 200;

/**
 * The folder name of a model's results, always one entry inside `--output_path`: `/` becomes `__` as in
 * lm-evaluation-harness, other unsafe characters `_`; a name of dots only (`..`) becomes underscores, and an
 * over-long one is cut and given a hash of the whole name.
 */
export function sanitizeModelName(model: string): string {
  const name = model.replaceAll('/', '__').replace(/[^A-Za-z0-9._=+-]/g, '_');
  if (/^\.*$/.test(name)) return name.replaceAll('.', '_') || '_';
  if (name.length <= maxModelDirectoryLength) return name;
  const hash = createHash('sha256').update(model).digest('hex').slice(0, 16);
  return `${name.slice(0, maxModelDirectoryLength - hash.length - 1)}-${hash}`;
}

/**
 * Runs every selected task against the backend and writes `results_<timestamp>.json` and one
 * `samples_<task>_<timestamp>.jsonl` per task. Starts the backend, judges and sandbox, and stops them on
 * every exit path. A task that cannot run is reported and the others go on; a failed sample is recorded
 * with its error and left out of the metrics.
 */
export async function runEvaluation(settings: RunSettings): Promise<RunOutcome> {
  const { backend, log } = settings;
  const stopController = new AbortController();
  const signal = settings.signal
    ? AbortSignal.any([settings.signal, stopController.signal])
    : stopController.signal;
  const emit = settings.onEvent ?? (() => {});
  checkRequirements(settings);

  const runId = settings.runId ?? randomUUID();
  const startedAt = new Date();
  // Facts that cannot change during the run are gathered while it runs (each may spawn a process: `git`
  // as a fallback, `nvidia-smi` where a driver exists): started here, read when the results are written.
  // Neither rejects (a failure is recorded as null / no GPUs).
  const gitHash = gitCommit(settings.workingDirectory ?? process.cwd());
  const environment = describeEnvironment();
  const timestamp = startedAt.toISOString().replaceAll(':', '-').replace('Z', '');
  const directory =
    settings.resultsFile !== undefined
      ? dirname(settings.resultsFile)
      : join(settings.outputPath, sanitizeModelName(backend.modelId));
  await Promise.all([
    createDirectory(directory).catch((error: unknown) => {
      throw storageError(
        'create the output directory',
        directory,
        error,
        'Choose another --output_path, in a writable directory. Nothing was sent.',
      );
    }),
    settings.cache.load().catch((error: unknown) => {
      throw storageError(
        'open the response cache',
        settings.cache.directory,
        error,
        `${cacheRemedy} Nothing was sent.`,
      );
    }),
  ]);
  const state = createRunState(settings, stopController);
  const warningCounts: Record<string, Record<string, number>> = {};
  const outcomes: TaskOutcome[] = [];
  const judgeBackends = settings.predictOnly ? [] : judgeBackendsOf(settings);

  const started: { doStop?(): Promise<void> }[] = [];
  // Described before stopping: a backend may know its facts (context size, template) only while started.
  let modelInfo: Record<string, unknown> = {};
  let sandboxInfo: Record<string, unknown> | null = null;
  try {
    emit({
      type: 'run-start',
      tasks: settings.tasks.map((task) => task.benchmark.id),
      model: backend.modelId,
    });
    for (const component of [backend, ...judgeBackends, settings.sandbox]) {
      if (component === undefined) continue;
      started.push(component);
      await component.doStart?.({ signal, directory });
    }
    const pathSettings = (role: 'model' | 'judge', of: BackendV1) => ({
      cache: settings.cache,
      concurrency: settings.concurrency,
      state,
      price: priceOf(of, settings.judgePrices),
      answerOptions: settings.answerOptions?.get(of),
      onDecrease: (change: ConcurrencyChange) =>
        emit({ type: 'concurrency-change', role, backend: of.id, model: of.modelId, ...change }),
    });
    const model = createRequestPath(backend, pathSettings('model', backend));
    // One request path per judge backend: roles and tasks served by one backend share its scheduler. A judge
    // that is the model's own backend object shares the model's.
    const judgePaths = new Map(
      judgeBackends.map((judge) => [
        judge,
        judge === backend ? model : createRequestPath(judge, pathSettings('judge', judge)),
      ]),
    );

    for (const task of settings.tasks) {
      signal.throwIfAborted();
      const taskStart = performance.now();
      const warnings: Record<string, number> = {};
      warningCounts[task.benchmark.id] = warnings;
      const judges: Record<string, RequestPath> = {};
      for (const [role, judge] of Object.entries(judgesOf(settings, task))) {
        const path = judgePaths.get(judge);
        if (path) judges[role] = path;
      }
      const datasets = createRecordingResolver(settings.datasets);
      try {
        const outcome = await runTask(task, {
          settings,
          signal,
          directory,
          timestamp,
          datasets,
          model,
          judges,
          state,
          warnings,
          emit,
        });
        outcomes.push(outcome);
        emit({
          type: 'task-end',
          task: task.benchmark.id,
          metrics: outcome.metrics,
          primaryMetric: outcome.primaryMetric,
          failed: outcome.samples.failed,
          total: outcome.samples.total,
          ...(outcome.samples.split !== undefined ? { split: outcome.samples.split } : {}),
          durationMs: performance.now() - taskStart,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        const message = describeError(error);
        log.warn(`Task ${task.benchmark.id} could not run: ${message}`);
        emit({ type: 'task-error', task: task.benchmark.id, error: message });
        outcomes.push({
          task: task.benchmark.id,
          status: 'failed',
          metrics: {},
          ...leadingMetricsOf(task.benchmark, task.options),
          samples: { total: 0, scored: 0, failed: 0 },
          error: message,
          datasets: datasets.files(),
          judgeAudit: {},
        });
      }
    }
  } catch (error) {
    // A stopped run fails with the reason it was stopped for, not with whichever call noticed first.
    throw stopController.signal.aborted ? stopController.signal.reason : error;
  } finally {
    modelInfo = backend.describe();
    sandboxInfo = settings.sandbox ? { id: settings.sandbox.id, ...settings.sandbox.describe() } : null;
    for (const component of started.reverse()) {
      try {
        await component.doStop?.();
      } catch (error) {
        log.warn(`Stopping failed: ${describeError(error)}`);
      }
    }
    await settings.cache.close();
  }

  const suffix = shardSuffix(settings.shard);
  const resultsPath =
    settings.resultsFile !== undefined
      ? settings.resultsFile.replace(/(\.json)?$/, `${suffix}$1`)
      : join(directory, `results_${timestamp}${suffix}.json`);
  const results = buildResultsFile({
    runId,
    settings,
    outcomes,
    state,
    warningCounts,
    judgeBackends,
    modelInfo,
    sandboxInfo,
    gitHash: await gitHash,
    environment: await environment,
    startedAt,
    finishedAt: new Date(),
  });
  await writeFileAtomically(resultsPath, `${JSON.stringify(results, null, 2)}\n`).catch((error: unknown) => {
    throw storageError('write the results file', resultsPath, error, outputRemedy);
  });
  const totals = state.totals();
  emit({ type: 'run-end', resultsPath, requestsSent: totals.requests, cacheHits: totals.cacheHits });
  return {
    resultsPath,
    tasks: outcomes,
    complete: outcomes.every((outcome) => outcome.status === 'completed'),
    requestsSent: totals.requests,
    cacheHits: totals.cacheHits,
    usage: Object.fromEntries(state.usage),
    rateLimits: [...state.rateLimits].map(([of, facts]) => ({
      backend: of.id,
      modelId: of.modelId,
      ...facts,
    })),
    judgeAudit: Object.fromEntries(
      Object.entries(results.tasks).flatMap(([task, record]) =>
        record.judge_audit !== undefined ? [[task, record.judge_audit]] : [],
      ),
    ),
    budget: results.budget ?? null,
    ...(state.cacheError !== undefined ? { cacheError: state.cacheError } : {}),
  };
}

/** Judges and sandbox each task needs are configured; checked before anything starts. */
function checkRequirements(settings: RunSettings): void {
  checkJudges(settings);
  if (settings.maxCostUsd !== undefined) {
    const backends = [settings.backend, ...(settings.predictOnly ? [] : judgeBackendsOf(settings))];
    const unpriced = backends.filter((backend) => priceOf(backend, settings.judgePrices) === undefined);
    if (unpriced.length > 0) {
      throw new ConfigurationError(
        `--max_cost needs the price of every model it covers, and ${unpriced
          .map((backend) => `${backend.modelId} (${backend.id})`)
          .join(', ')} has none in the built-in price list. Give it with price_input=…,price_output=… (US ` +
          'dollars per million tokens) in --model_args or --judge_args.',
      );
    }
  }
  if (settings.predictOnly) return;
  for (const { benchmark } of settings.tasks) {
    if (benchmark.requirements.sandbox && settings.sandbox === undefined) {
      throw new ConfigurationError(
        `Task ${benchmark.id} executes generated code, but no sandbox is configured. Pass --sandbox docker|process|auto, or --predict_only.`,
      );
    }
  }
}
