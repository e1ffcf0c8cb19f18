import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import {
  type AggregateMetricV1,
  AuthenticationError,
  BackendCallError,
  type BackendV1,
  type BenchmarkV1,
  ConfigurationError,
  type DatasetResolverV1,
  describeError,
  type GenerateRequestV1,
  type GenerateResultV1,
  type JudgeV1,
  type LoggerV1,
  type LoglikelihoodRequestV1,
  type LoglikelihoodResultV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleV1,
  type SandboxV1,
  type ScoredSampleV1,
  type StorageError,
  type TokenUsageV1,
  type TurnResponseV1,
  type WarningV1,
} from '@evalchemy/core';
import pLimit, { type LimitFunction } from 'p-limit';
import { aggregateTask } from './aggregate.js';
import { writeFileAtomically } from './atomic-file.js';
import { createDirectory, storageError } from './create-directory.js';
import type { RunEvent } from './events.js';
import { gitCommit } from './git-commit.js';
import { ResponseCache } from './response-cache.js';
import { describeEnvironment } from './run-environment.js';

/** A benchmark selected for a run, with its parsed options. */
export interface TaskSelection {
  benchmark: BenchmarkV1<unknown, unknown>;
  options: unknown;
}

export interface RunSettings {
  backend: BackendV1;
  tasks: TaskSelection[];
  datasets: DatasetResolverV1;
  /** Results go to `<outputPath>/<sanitized model>/`. */
  outputPath: string;
  cache: ResponseCache;
  /**
   * Bound on concurrent backend calls (with the backend's own bound) and on concurrent judge calls. Up to
   * twice as many samples are in flight, so that the next request is ready when one ends.
   */
  concurrency: number;
  /** Base seed; generation i of a sample is sent with seed `seed + i`. */
  seed: number;
  /** Only the first `limit` samples of each task. */
  limit?: number | undefined;
  /** Overrides every plan's `maxTokens`. */
  maxTokens?: number | undefined;
  /** Replaces the system message of chat plans. */
  systemInstruction?: string | undefined;
  /** Generate and record responses, skip scoring (no judge, no sandbox needed). */
  predictOnly: boolean;
  /** The LLM judge's backend, for benchmarks that need one. Started and stopped by the run. */
  judgeBackend?: BackendV1 | undefined;
  /** Sandbox for benchmarks that execute code. Started and stopped by the run. */
  sandbox?: SandboxV1 | undefined;
  /**
   * Where the model's and the judge's API keys came from (`OPENAI_API_KEY`, `--model_args api_key`; never
   * the key), named when a server refuses one.
   */
  keySources?: { model?: string | undefined; judge?: string | undefined };
  /** The configuration as resolved from flags and config file, recorded in results (no secrets). */
  effectiveConfig: Record<string, unknown>;
  /** Package versions of the CLI, runner and every plugin used. */
  versions: Record<string, string>;
  log: LoggerV1;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** Directory whose git commit is recorded; default the process's working directory. */
  workingDirectory?: string;
}

export interface TaskOutcome {
  task: string;
  status: 'completed' | 'failed';
  metrics: Record<string, AggregateMetricV1>;
  primaryMetric: string;
  /** The metrics a summary shows: the benchmark's `headlineMetrics`, else its primary metric. */
  headlineMetrics: string[];
  /**
   * `failed`: samples that could not be evaluated for infrastructure reasons (a backend error after
   * retries, a failed judge call, a sandbox failure), left out of the metrics. A wrong answer is scored.
   */
  samples: { total: number; scored: number; failed: number };
  /** The first failed sample's error, as an example of why samples failed. */
  sampleError?: string;
  error?: string;
  samplesPath?: string;
}

export interface RunOutcome {
  resultsPath: string;
  tasks: TaskOutcome[];
  /** True when every task completed (failed samples are data, not a failed run). */
  complete: boolean;
  requestsSent: number;
  cacheHits: number;
  /**
   * Why the response cache stopped taking new responses during the run (a full disk), if it did. The run
   * went on and its results are complete, but it cannot be resumed or re-scored from the cache.
   */
  cacheError?: StorageError;
}

/** What every part of a run shares: counts, the cache writer and the means to stop the run. */
interface RunState {
  requestsSent: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  /** Why the response cache stopped taking new responses, once a write failed (a full disk). */
  cacheError: StorageError | undefined;
  /** Stores a response in the cache; after a failed write the run goes on without storing. */
  store(key: string, value: unknown): Promise<void>;
  /** Stops the run at once when `error` is a server refusing the credentials (HTTP 401/403). */
  stopOnRefusal(error: unknown, role: 'model' | 'judge'): void;
  /** Stops the run at once: every pending call is aborted and the run rejects with `reason`. */
  stop(reason: Error): void;
}

const cacheRemedy =
  'Set EVALCHEMY_CACHE_DIR to a writable directory with free space, or pass --no_cache to run without the cache.';
const outputRemedy =
  'Free space there or choose another --output_path; responses received so far are cached (unless --no_cache), so running the same command again resumes.';
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
 * `samples_<task>_<timestamp>.jsonl` per task. Starts the backend, judge and sandbox, and stops them on
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

  const startedAt = new Date();
  // Facts that cannot change during the run are gathered while it runs (each may spawn a process: `git`
  // as a fallback, `nvidia-smi` where a driver exists): started here, read when the results are written.
  // Neither rejects (a failure is recorded as null / no GPUs).
  const gitHash = gitCommit(settings.workingDirectory ?? process.cwd());
  const environment = describeEnvironment();
  const timestamp = startedAt.toISOString().replaceAll(':', '-').replace('Z', '');
  const directory = join(settings.outputPath, sanitizeModelName(backend.modelId));
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
    for (const component of [backend, settings.judgeBackend, settings.sandbox]) {
      if (component === undefined) continue;
      started.push(component);
      await component.doStart?.({ signal });
    }
    const backendLimit = pLimit(
      Math.max(1, Math.min(settings.concurrency, backend.capabilities.maxConcurrency ?? Infinity)),
    );
    const judge = settings.judgeBackend
      ? createCachedJudge(settings.judgeBackend, settings.cache, settings.concurrency, state)
      : undefined;

    for (const task of settings.tasks) {
      signal.throwIfAborted();
      const taskStart = performance.now();
      const warnings: Record<string, number> = {};
      warningCounts[task.benchmark.id] = warnings;
      try {
        const outcome = await runTask(task, {
          settings,
          signal,
          directory,
          timestamp,
          backendLimit,
          state,
          warnings,
          judge,
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
          primaryMetric: task.benchmark.primaryMetric,
          headlineMetrics: headlineMetricsOf(task.benchmark),
          samples: { total: 0, scored: 0, failed: 0 },
          error: message,
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

  const finishedAt = new Date();
  const resultsPath = join(directory, `results_${timestamp}.json`);
  const results = {
    results: Object.fromEntries(outcomes.map((outcome) => [outcome.task, flattenMetrics(outcome.metrics)])),
    primary_metrics: Object.fromEntries(outcomes.map((outcome) => [outcome.task, outcome.primaryMetric])),
    headline_metrics: Object.fromEntries(outcomes.map((outcome) => [outcome.task, outcome.headlineMetrics])),
    'n-samples': Object.fromEntries(
      outcomes.map((outcome) => [
        outcome.task,
        { effective: outcome.samples.total, scored: outcome.samples.scored, failed: outcome.samples.failed },
      ]),
    ),
    sample_failures: Object.fromEntries(
      outcomes
        .filter((outcome) => outcome.samples.failed > 0)
        .map((outcome) => [outcome.task, { failed: outcome.samples.failed, example: outcome.sampleError }]),
    ),
    task_errors: Object.fromEntries(
      outcomes.filter((outcome) => outcome.error).map((outcome) => [outcome.task, outcome.error]),
    ),
    warnings: warningCounts,
    cache_error: state.cacheError?.message ?? null,
    config: settings.effectiveConfig,
    versions: settings.versions,
    seeds: { seed: settings.seed, generation_seed: 'seed + generation index' },
    model: {
      backend: backend.id,
      model_id: backend.modelId,
      info: modelInfo,
      judge: settings.judgeBackend
        ? { backend: settings.judgeBackend.id, model_id: settings.judgeBackend.modelId }
        : null,
      sandbox: sandboxInfo,
    },
    usage: {
      requests_sent: state.requestsSent,
      cache_hits: state.cacheHits,
      prompt_tokens: state.promptTokens,
      completion_tokens: state.completionTokens,
    },
    git_hash: await gitHash,
    environment: await environment,
    timing: {
      start: startedAt.toISOString(),
      end: finishedAt.toISOString(),
      wall_clock_seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    },
  };
  await writeFileAtomically(resultsPath, `${JSON.stringify(results, null, 2)}\n`).catch((error: unknown) => {
    throw storageError('write the results file', resultsPath, error, outputRemedy);
  });
  emit({ type: 'run-end', resultsPath, requestsSent: state.requestsSent, cacheHits: state.cacheHits });
  return {
    resultsPath,
    tasks: outcomes,
    complete: outcomes.every((outcome) => outcome.status === 'completed'),
    requestsSent: state.requestsSent,
    cacheHits: state.cacheHits,
    ...(state.cacheError !== undefined ? { cacheError: state.cacheError } : {}),
  };
}

function createRunState(settings: RunSettings, stopController: AbortController): RunState {
  const state: RunState = {
    requestsSent: 0,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    cacheError: undefined,
    async store(key, value) {
      if (state.cacheError !== undefined) return;
      try {
        await settings.cache.set(key, value);
      } catch (error) {
        if (state.cacheError !== undefined) return;
        state.cacheError = storageError(
          'write the response cache',
          settings.cache.directory,
          error,
          cacheRemedy,
        );
        settings.log.warn(`${state.cacheError.message} The run goes on without caching new responses.`);
      }
    },
    stopOnRefusal(error, role) {
      const refused = role === 'model' ? settings.backend : settings.judgeBackend;
      if (refused === undefined || !BackendCallError.isInstance(error)) return;
      if (error.statusCode !== 401 && error.statusCode !== 403) return;
      state.stop(refusal(error, error.statusCode, role, refused, settings.keySources?.[role]));
    },
    stop(reason) {
      if (!stopController.signal.aborted) stopController.abort(reason);
    },
  };
  return state;
}

/** Why the run stopped when a server refused the credentials: which server, which key, what to do. */
function refusal(
  error: BackendCallError,
  statusCode: number,
  role: 'model' | 'judge',
  backend: BackendV1,
  keySource: string | undefined,
): AuthenticationError {
  const { baseUrl } = backend.describe();
  const server = typeof baseUrl === 'string' ? `server ${baseUrl}` : `backend ${backend.id}`;
  const refused = statusCode === 401 ? 'did not accept' : 'refused access with';
  return new AuthenticationError(
    `The ${role}'s ${server} ${refused} the API key from ${keySource ?? 'nowhere (no key was set)'} ` +
      `(HTTP ${statusCode}, model ${backend.modelId}). The run stopped at once: no further requests were sent. ` +
      `Check the key and its access to this model, then run the same command again. (${error.message})`,
    { statusCode, cause: error },
  );
}

function headlineMetricsOf(benchmark: BenchmarkV1<unknown, unknown>): string[] {
  return [...(benchmark.headlineMetrics ?? [benchmark.primaryMetric])];
}

function checkRequirements(settings: RunSettings): void {
  if (settings.predictOnly) return;
  for (const { benchmark } of settings.tasks) {
    if (benchmark.requirements.judge && settings.judgeBackend === undefined) {
      throw new ConfigurationError(
        `Task ${benchmark.id} is scored by an LLM judge, but no judge is configured. ` +
          'Set --annotator_model and the judge key (EVALCHEMY_JUDGE_API_KEY or OPENAI_API_KEY), or pass --predict_only.',
      );
    }
    if (benchmark.requirements.sandbox && settings.sandbox === undefined) {
      throw new ConfigurationError(
        `Task ${benchmark.id} executes generated code, but no sandbox is configured. Pass --sandbox docker|process|auto, or --predict_only.`,
      );
    }
  }
}

function flattenMetrics(metrics: Record<string, AggregateMetricV1>): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [name, metric] of Object.entries(metrics)) {
    flat[name] = metric.value;
    if (metric.stderr !== undefined) flat[`${name}_stderr`] = metric.stderr;
  }
  return flat;
}

interface TaskRunContext {
  settings: RunSettings;
  signal: AbortSignal;
  directory: string;
  timestamp: string;
  backendLimit: LimitFunction;
  state: RunState;
  warnings: Record<string, number>;
  judge: JudgeV1 | undefined;
  emit: (event: RunEvent) => void;
}

async function runTask(task: TaskSelection, context: TaskRunContext): Promise<TaskOutcome> {
  const { benchmark, options } = task;
  const { settings, signal } = context;
  const source = await benchmark.doLoad({
    options,
    datasets: settings.datasets,
    seed: settings.seed,
    log: settings.log,
  });
  const total = settings.limit === undefined ? source.size : Math.min(settings.limit, source.size);
  context.emit({ type: 'task-start', task: benchmark.id, total });

  const samplesPath = join(context.directory, `samples_${benchmark.id}_${context.timestamp}.jsonl`);
  const partialPath = `${samplesPath}.partial`;
  const samplesFile = createWriteStream(partialPath);
  samplesFile.on('error', (error) =>
    context.state.stop(storageError('write the samples file', partialPath, error, outputRemedy)),
  );
  const writeLine = lineWriter(samplesFile);
  const scored: ScoredSampleV1[] = [];
  let done = 0;
  let failed = 0;
  let sampleError: string | undefined;
  let fatal: unknown;
  const inFlight = new Set<Promise<void>>();

  const processOne = async (sample: SampleV1, index: number): Promise<void> => {
    const record = await processSample(sample, index, task, context);
    if (record.error !== undefined) {
      failed += 1;
      sampleError ??= record.error;
    } else if (record.score !== undefined) {
      scored.push({
        id: sample.id,
        metadata: sample.metadata ?? {},
        metrics: record.score.metrics,
        ...(record.score.details ? { details: record.score.details } : {}),
      });
    }
    await writeLine(record.line);
    done += 1;
    context.emit({ type: 'sample-end', task: benchmark.id, done, failed, total });
  };

  // Twice the request bound in samples: when a request ends, the next one is already planned and waiting
  // for the backend's slot, so requests go out back to back while finished samples are scored and written.
  const window = 2 * settings.concurrency;
  let slotFreed: (() => void) | undefined;
  let written = false;
  try {
    let index = 0;
    for await (const sample of source.samples) {
      if (index >= total || fatal !== undefined) break;
      signal.throwIfAborted();
      while (inFlight.size >= window) await new Promise<void>((resolve) => (slotFreed = resolve));
      if (fatal !== undefined) break;
      const running: Promise<void> = processOne(sample, index)
        .catch((error: unknown) => {
          fatal ??= error;
        })
        .finally(() => {
          inFlight.delete(running);
          slotFreed?.();
          slotFreed = undefined;
        });
      inFlight.add(running);
      index += 1;
      // While the backend has idle slots (the start of a task, or a run of cache hits), this sample's
      // requests go out before the next sample is planned. Started together, every request would wait
      // for all of them to pass through the SDK (≈ 0.25 ms each: 16 ms for 64) before the first left.
      if (context.backendLimit.activeCount < context.backendLimit.concurrency) await nextMacrotask();
    }
    await Promise.all(inFlight);
    written = fatal === undefined;
  } finally {
    // A failed write has stopped the run already (the 'error' listener); ending reports it again.
    await new Promise<void>((resolve) => samplesFile.end(() => resolve()));
    // Resuming goes through the response cache, not through a half-written samples file.
    if (!written || signal.aborted) await rm(partialPath, { force: true }).catch(() => {});
  }
  signal.throwIfAborted();
  if (fatal !== undefined) throw fatal;
  await rename(partialPath, samplesPath);

  const metrics = settings.predictOnly ? {} : aggregateTask(benchmark, options, scored);
  return {
    task: benchmark.id,
    status: 'completed',
    metrics,
    primaryMetric: benchmark.primaryMetric,
    headlineMetrics: headlineMetricsOf(benchmark),
    samples: { total: done, scored: scored.length, failed },
    ...(sampleError !== undefined ? { sampleError } : {}),
    samplesPath,
  };
}

/**
 * Queues lines on a stream; a write waits only while the stream's buffer is full, so lines go out in
 * batches. Every writer waiting for the same `drain` shares one listener.
 */
function lineWriter(stream: WriteStream): (line: string) => Promise<void> {
  let drained: Promise<unknown> | undefined;
  return async (line) => {
    if (stream.write(`${line}\n`)) return;
    drained ??= once(stream, 'drain').finally(() => {
      drained = undefined;
    });
    await drained;
  };
}

interface SampleRecord {
  line: string;
  score?: SampleScoreV1;
  error?: string;
}

/** Plans, generates and scores one sample. Backend and scorer failures become the record's `error`. */
async function processSample(
  sample: SampleV1,
  index: number,
  task: TaskSelection,
  context: TaskRunContext,
): Promise<SampleRecord> {
  const { benchmark, options } = task;
  const { settings, signal } = context;
  const backend = settings.backend;
  const plan = applyOverrides(
    benchmark.doPlan(sample, {
      options,
      backend: { id: backend.id, modelId: backend.modelId, capabilities: backend.capabilities },
    }),
    settings,
  );
  checkCapability(plan, benchmark.id, backend);

  const base = { task: benchmark.id, sample_id: sample.id, index, metadata: sample.metadata ?? {} };
  let responses: SampleResponsesV1;
  try {
    responses = await requestResponses(plan, sample, benchmark.id, context);
  } catch (error) {
    if (signal.aborted) throw error;
    const message = describeError(error);
    return { line: JSON.stringify({ ...base, prompt: describePlan(plan), error: message }), error: message };
  }
  for (const warning of warningsOf(responses)) countWarning(context.warnings, warning);

  const shown = { ...base, prompt: describePlan(plan), responses: describeResponses(responses) };
  if (settings.predictOnly) return { line: JSON.stringify(shown) };
  // A benchmark may score around a failed judge call (MT-Bench leaves the turn unrated, as FastChat), but the
  // sample was not judged as specified: it counts as failed and stays out of the metrics.
  const judgeErrors: unknown[] = [];
  const judge =
    benchmark.requirements.judge && context.judge
      ? watchJudge(context.judge, (error) => {
          judgeErrors.push(error);
          context.state.stopOnRefusal(error, 'judge');
        })
      : undefined;
  try {
    const score = await benchmark.doScore(sample, responses, {
      options,
      plan,
      judge,
      sandbox: benchmark.requirements.sandbox ? settings.sandbox : undefined,
      signal,
      log: settings.log,
    });
    signal.throwIfAborted();
    for (const warning of score.warnings ?? []) countWarning(context.warnings, warning);
    const record = {
      ...shown,
      extracted: score.extracted ?? null,
      metrics: score.metrics,
      details: score.details ?? null,
      warnings: [...warningsOf(responses), ...(score.warnings ?? [])],
    };
    if (judgeErrors.length > 0) {
      const message = `judge call failed: ${describeError(judgeErrors[0])}`;
      return { line: JSON.stringify({ ...record, error: message }), error: message };
    }
    return { line: JSON.stringify(record), score };
  } catch (error) {
    if (signal.aborted) throw error;
    const message = `scoring failed: ${describeError(error)}`;
    return { line: JSON.stringify({ ...shown, error: message }), error: message };
  }
}

/** The judge as a benchmark sees it, telling `onError` of every call that fails. */
function watchJudge(judge: JudgeV1, onError: (error: unknown) => void): JudgeV1 {
  return {
    modelId: judge.modelId,
    judge: (request, options) =>
      judge.judge(request, options).catch((error: unknown) => {
        onError(error);
        throw error;
      }),
  };
}

function applyOverrides(plan: SamplePlanV1, settings: RunSettings): SamplePlanV1 {
  if (plan.type === 'loglikelihood') return plan;
  const parameters = { ...plan.parameters };
  if (settings.maxTokens !== undefined) parameters.maxTokens = settings.maxTokens;
  if (plan.type === 'chat' && settings.systemInstruction !== undefined) {
    return { ...plan, system: settings.systemInstruction, parameters };
  }
  return { ...plan, parameters };
}

function checkCapability(plan: SamplePlanV1, task: string, backend: BackendV1): void {
  const capable =
    plan.type === 'chat'
      ? backend.capabilities.chat
      : plan.type === 'completion'
        ? backend.capabilities.completion
        : backend.capabilities.loglikelihood && backend.doLoglikelihood !== undefined;
  if (!capable) {
    throw new ConfigurationError(
      `Task ${task} needs ${plan.type} requests, which backend ${backend.id} (model ${backend.modelId}) does not support.`,
    );
  }
}

async function requestResponses(
  plan: SamplePlanV1,
  sample: SampleV1,
  task: string,
  context: TaskRunContext,
): Promise<SampleResponsesV1> {
  const { settings } = context;
  if (plan.type === 'loglikelihood') {
    const results = await Promise.all(
      plan.continuations.map((continuation, generation) =>
        cachedCall<LoglikelihoodResultV1>(
          {
            type: 'loglikelihood',
            context: plan.context,
            continuation,
            origin: { task, sampleId: sample.id, turn: 0, generation },
          },
          context,
        ),
      ),
    );
    return { type: 'loglikelihood', results };
  }
  const count = plan.generations ?? 1;
  const generations = await Promise.all(
    Array.from({ length: count }, async (_, generation): Promise<TurnResponseV1[]> => {
      const parameters = { ...plan.parameters, seed: (plan.parameters.seed ?? settings.seed) + generation };
      if (plan.type === 'completion') {
        const origin = { task, sampleId: sample.id, turn: 0, generation };
        return [
          await cachedCall<GenerateResultV1>(
            { type: 'completion', prompt: plan.prompt, parameters, origin },
            context,
          ),
        ];
      }
      const messages = [
        ...(plan.system !== undefined ? [{ role: 'system' as const, content: plan.system }] : []),
        ...(plan.history ?? []),
      ];
      const turns: TurnResponseV1[] = [];
      for (const [turn, content] of plan.turns.entries()) {
        messages.push({ role: 'user', content });
        const origin = { task, sampleId: sample.id, turn, generation };
        const result = await cachedCall<GenerateResultV1>(
          { type: 'chat', messages: [...messages], parameters, origin },
          context,
        );
        turns.push(result);
        messages.push({ role: 'assistant', content: result.text });
      }
      return turns;
    }),
  );
  return { type: 'generate', generations };
}

/** Sends a request through the response cache and the backend's concurrency limit. */
async function cachedCall<Result extends GenerateResultV1 | LoglikelihoodResultV1>(
  request: GenerateRequestV1 | LoglikelihoodRequestV1,
  context: TaskRunContext,
): Promise<Result> {
  const backend = context.settings.backend;
  const { signal, state } = context;
  const key = backend.capabilities.cacheable
    ? ResponseCache.key({
        backend: backend.id,
        ...modelIdentity(backend),
        request: { ...request, origin: { generation: request.origin.generation } },
      })
    : undefined;
  if (key !== undefined) {
    const cached = await context.settings.cache.get<Result>(key);
    if (cached !== undefined) {
      state.cacheHits += 1;
      return cached;
    }
  }
  const result = (await context
    .backendLimit((): Promise<GenerateResultV1 | LoglikelihoodResultV1> => {
      signal.throwIfAborted();
      if (request.type === 'loglikelihood') {
        // checkCapability guarantees doLoglikelihood exists for loglikelihood plans.
        return backend.doLoglikelihood!(request, { signal });
      }
      return backend.doGenerate(request, { signal });
    })
    .catch((error: unknown) => {
      state.stopOnRefusal(error, 'model');
      throw error;
    })) as Result;
  state.requestsSent += 1;
  if ('usage' in result && result.usage) addUsage(state, result.usage);
  if (key !== undefined) await state.store(key, result);
  return result;
}

/** The model and, for a served one, its server: the same model name on two servers answers differently. */
function modelIdentity(backend: BackendV1): { model: string; endpoint?: string } {
  return backend.endpoint === undefined
    ? { model: backend.modelId }
    : { model: backend.modelId, endpoint: backend.endpoint };
}

function addUsage(state: RunState, usage: TokenUsageV1): void {
  state.promptTokens += usage.promptTokens;
  state.completionTokens += usage.completionTokens;
}

/** A judge whose calls go through the response cache, with its own concurrency limit. */
function createCachedJudge(
  backend: BackendV1,
  cache: ResponseCache,
  concurrency: number,
  state: RunState,
): JudgeV1 {
  const limit = pLimit(Math.max(1, Math.min(concurrency, backend.capabilities.maxConcurrency ?? Infinity)));
  return {
    modelId: backend.modelId,
    async judge(request, { signal }) {
      const key = ResponseCache.key({ judge: backend.id, ...modelIdentity(backend), request });
      const cached = await cache.get<GenerateResultV1>(key);
      if (cached !== undefined) {
        state.cacheHits += 1;
        return { text: cached.text, ...(cached.usage ? { usage: cached.usage } : {}) };
      }
      const result = await limit(() => {
        signal.throwIfAborted();
        return backend.doGenerate(
          {
            type: 'chat',
            messages: request.messages,
            parameters: request.parameters,
            origin: { task: 'judge', sampleId: '', turn: 0, generation: 0 },
          },
          { signal },
        );
      });
      state.requestsSent += 1;
      if (result.usage) addUsage(state, result.usage);
      await state.store(key, result);
      return { text: result.text, ...(result.usage ? { usage: result.usage } : {}) };
    },
  };
}

function warningsOf(responses: SampleResponsesV1): WarningV1[] {
  if (responses.type === 'loglikelihood') return responses.results.flatMap((result) => result.warnings);
  return responses.generations.flat().flatMap((turn) => turn.warnings);
}

function countWarning(counts: Record<string, number>, warning: WarningV1): void {
  const key = warning.setting ? `${warning.type}:${warning.setting}` : warning.type;
  counts[key] = (counts[key] ?? 0) + 1;
}

function describePlan(plan: SamplePlanV1): unknown {
  if (plan.type === 'loglikelihood')
    return { type: plan.type, context: plan.context, continuations: plan.continuations };
  if (plan.type === 'completion')
    return { type: plan.type, prompt: plan.prompt, parameters: plan.parameters };
  return {
    type: plan.type,
    system: plan.system ?? null,
    history_messages: plan.history?.length ?? 0,
    turns: plan.turns,
    parameters: plan.parameters,
    generations: plan.generations ?? 1,
  };
}

function describeResponses(responses: SampleResponsesV1): unknown {
  if (responses.type === 'loglikelihood') {
    return responses.results.map((result) => ({ logprob: result.logprob, is_greedy: result.isGreedy }));
  }
  return responses.generations.map((turns) =>
    turns.map((turn) => ({ text: turn.text, finish_reason: turn.finishReason, usage: turn.usage ?? null })),
  );
}
