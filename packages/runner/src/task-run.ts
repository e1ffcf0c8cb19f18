import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import {
  type AggregateMetricV1,
  type BackendV1,
  type BenchmarkV1,
  ConfigurationError,
  type DatasetRecordV1,
  describeError,
  type SamplePlanV1,
  type SampleRecordV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleV1,
  type ScoredSampleV1,
  type TurnResponseV1,
  type WarningV1,
} from '@evalchemy/core';
import { aggregateTask } from './aggregate.js';
import { storageError } from './create-directory.js';
import type { RunEvent } from './events.js';
import { judgesForSample } from './judge-service.js';
import type { RecordingResolver } from './recording-resolver.js';
import type { RequestPath } from './request-path.js';
import { type RunSettings, requestedLimitOf, type TaskSelection } from './run-settings.js';
import type { RunState } from './run-state.js';
import { limitSamples } from './sample-limit.js';
import { buildSampleRecord, countWarning, type SampleResult, warningsOf } from './sample-record.js';
import { shardSuffix } from './shard-files.js';
import { estimateSampleCost, partsOf, type ShardItem, selectShard } from './shard-selection.js';

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
  samples: {
    total: number;
    scored: number;
    failed: number;
    /** In a shard: samples it ran some generations of, whose score `evalchemy merge` computes. */
    split?: number;
  };
  /** The first failed sample's error, as an example of why samples failed. */
  sampleError?: string;
  error?: string;
  samplesPath?: string;
  /** Every data file the task resolved, also when it failed after resolving some. */
  datasets: DatasetRecordV1[];
  /** Per judge role, the verdict counts the scorer reported over the scored samples. */
  judgeAudit: Record<string, VerdictCounts>;
}

/** The verdict counts of one judge role, summed over samples (`JudgeVerdictAuditV1`). */
export interface VerdictCounts {
  verdicts: number;
  unparsable: number;
  swappedPairs: number;
  consistentPairs: number;
}

export const outputRemedy =
  'Free space there or choose another --output_path; responses received so far are cached (unless --no_cache), so running the same command again resumes.';

export interface TaskRunContext {
  settings: RunSettings;
  signal: AbortSignal;
  directory: string;
  timestamp: string;
  /** The run's dataset resolver, recording what this task resolves. */
  datasets: RecordingResolver;
  /** The model's request path. */
  model: RequestPath;
  /** The request path of each judge role of this task (empty when it has none, or in predict-only runs). */
  judges: Record<string, RequestPath>;
  state: RunState;
  warnings: Record<string, number>;
  emit: (event: RunEvent) => void;
}

/** The task's primary metric and the metrics a summary shows, for its options (`BenchmarkV1.metricsFor`). */
export function leadingMetricsOf(
  benchmark: BenchmarkV1<unknown, unknown>,
  options: unknown,
): { primaryMetric: string; headlineMetrics: string[] } {
  const chosen = benchmark.metricsFor?.(options) ?? {
    primaryMetric: benchmark.primaryMetric,
    headlineMetrics: benchmark.headlineMetrics,
  };
  return {
    primaryMetric: chosen.primaryMetric,
    headlineMetrics: [...(chosen.headlineMetrics ?? [chosen.primaryMetric])],
  };
}

/** Loads, plans, generates, scores and aggregates one task, writing its samples file. */
export async function runTask(task: TaskSelection, context: TaskRunContext): Promise<TaskOutcome> {
  const { benchmark, options } = task;
  const { settings, signal } = context;
  const source = await benchmark.doLoad({
    options,
    datasets: context.datasets.resolver,
    seed: settings.seed,
    log: settings.log,
  });
  const limited = limitSamples(source, requestedLimitOf(settings, task));
  const planContext = planContextOf(context.model.backend, options);
  // A sharded run reads the task's samples (up to its limit) first and keeps this shard's share, by cost.
  const selected =
    settings.shard === undefined
      ? undefined
      : await selectShard(limited.samples, settings.shard, (sample) => {
          const plan = applyOverrides(benchmark.doPlan(sample, planContext), settings);
          return {
            cost: estimateSampleCost(benchmark, sample, plan),
            parts: partsOf(benchmark, options, plan),
          };
        });
  const total = selected?.length ?? limited.count;
  context.emit({ type: 'task-start', task: benchmark.id, total });

  const samplesPath = join(
    context.directory,
    `samples_${benchmark.id}_${context.timestamp}${shardSuffix(settings.shard)}.jsonl`,
  );
  const partialPath = `${samplesPath}.partial`;
  const samplesFile = createWriteStream(partialPath);
  samplesFile.on('error', (error) =>
    context.state.stop(storageError('write the samples file', partialPath, error, outputRemedy)),
  );
  const writeLine = lineWriter(samplesFile);
  const scored: { index: number; sample: ScoredSampleV1 }[] = [];
  const judgeAudit: Record<string, VerdictCounts> = {};
  let done = 0;
  let failed = 0;
  let split = 0;
  let sampleError: string | undefined;
  let fatal: unknown;
  const inFlight = new Set<Promise<void>>();

  const processOne = async (sample: SampleV1, index: number, generations?: number[]): Promise<void> => {
    const { record, score } = await processSample(sample, index, task, context, generations);
    if (record.split !== undefined) split += 1;
    if (record.error !== undefined) {
      failed += 1;
      sampleError ??= record.error;
    } else if (score !== undefined) {
      scored.push({
        index,
        sample: {
          id: sample.id,
          metadata: sample.metadata ?? {},
          metrics: score.metrics,
          ...(score.details ? { details: score.details } : {}),
        },
      });
      addVerdicts(judgeAudit, score.judgeAudit);
    }
    await writeLine(JSON.stringify(record));
    done += 1;
    context.emit({ type: 'sample-end', task: benchmark.id, done, failed, total });
  };

  // Twice the request bound in samples: when a request ends, the next one is already planned and waiting
  // for the backend's slot, so requests go out back to back while finished samples are scored and written.
  const window = 2 * settings.concurrency;
  let slotFreed: (() => void) | undefined;
  let written = false;
  try {
    const items: AsyncIterable<ShardItem> | Iterable<ShardItem> = selected ?? limited.samples;
    for await (const { sample, index, generations } of items) {
      if (fatal !== undefined) break;
      signal.throwIfAborted();
      while (inFlight.size >= window) await new Promise<void>((resolve) => (slotFreed = resolve));
      if (fatal !== undefined) break;
      const running: Promise<void> = processOne(sample, index, generations)
        .catch((error: unknown) => {
          fatal ??= error;
        })
        .finally(() => {
          inFlight.delete(running);
          slotFreed?.();
          slotFreed = undefined;
        });
      inFlight.add(running);
      // While the backend has idle slots (the start of a task, or a run of cache hits), this sample's
      // requests go out before the next sample is planned. Started together, every request would wait
      // for all of them to pass through the SDK (≈ 0.25 ms each: 16 ms for 64) before the first left.
      if (context.model.hasIdleSlot()) await nextMacrotask();
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

  // A shard that only ran parts of split samples has nothing to aggregate: the merge scores them.
  const metrics =
    settings.predictOnly || (scored.length === 0 && split > 0)
      ? {}
      : aggregateShare(benchmark, options, inIndexOrder(scored), source.loaded, settings);
  return {
    task: benchmark.id,
    status: 'completed',
    metrics,
    ...leadingMetricsOf(benchmark, options),
    samples: { total: done, scored: scored.length, failed, ...(split > 0 ? { split } : {}) },
    ...(sampleError !== undefined ? { sampleError } : {}),
    samplesPath,
    datasets: context.datasets.files(),
    judgeAudit,
  };
}

/**
 * The scored samples by their position in the task: aggregation sees them in one order whichever finished
 * first, so that a float sum is the same to the last digit in every run of one command and in a merge.
 */
export function inIndexOrder(scored: readonly { index: number; sample: ScoredSampleV1 }[]): ScoredSampleV1[] {
  return [...scored].sort((left, right) => left.index - right.index).map((entry) => entry.sample);
}

/**
 * A task's metrics. A shard's are over its share only (the merge computes the run's); a corpus metric may
 * not be defined over a share (no samples, one class only), so there a failure leaves the metrics empty.
 */
function aggregateShare(
  benchmark: BenchmarkV1<unknown, unknown>,
  options: unknown,
  scored: readonly ScoredSampleV1[],
  loaded: unknown,
  settings: RunSettings,
): Record<string, AggregateMetricV1> {
  if (settings.shard === undefined) return aggregateTask(benchmark, options, scored, loaded);
  try {
    return aggregateTask(benchmark, options, scored, loaded);
  } catch (error) {
    settings.log.warn(
      `Task ${benchmark.id}: the metrics of shard ${settings.shard.index} of ${settings.shard.count} alone could not be computed (${describeError(error)}); evalchemy merge computes the run's.`,
    );
    return {};
  }
}

function planContextOf(backend: BackendV1, options: unknown) {
  return {
    options,
    backend: { id: backend.id, modelId: backend.modelId, capabilities: backend.capabilities },
  };
}

function addVerdicts(total: Record<string, VerdictCounts>, sample: SampleScoreV1['judgeAudit']): void {
  for (const [role, counts] of Object.entries(sample ?? {})) {
    const sum = total[role] ?? { verdicts: 0, unparsable: 0, swappedPairs: 0, consistentPairs: 0 };
    total[role] = sum;
    sum.verdicts += counts.verdicts;
    sum.unparsable += counts.unparsable;
    sum.swappedPairs += counts.swappedPairs ?? 0;
    sum.consistentPairs += counts.consistentPairs ?? 0;
  }
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

interface ProcessedSample {
  record: SampleRecordV1;
  /** The score, when the sample counts (no `error` in its record). */
  score?: SampleScoreV1;
}

/**
 * Plans, generates and scores one sample. Backend and scorer failures become the record's `error`. With
 * `generations` (a sharded run split the sample), only those are generated, into a `split` record that the
 * merge scores with the other shards' generations.
 */
async function processSample(
  sample: SampleV1,
  index: number,
  task: TaskSelection,
  context: TaskRunContext,
  generations?: number[],
): Promise<ProcessedSample> {
  const { benchmark, options } = task;
  const { settings, signal } = context;
  const backend = context.model.backend;
  const plan = applyOverrides(benchmark.doPlan(sample, planContextOf(backend, options)), settings);
  checkCapability(plan, benchmark.id, backend);
  const record = (result: SampleResult) => buildSampleRecord(benchmark.id, sample, index, plan, result);

  // A part of a split sample: its record says which generations it holds, and the plan to score them with.
  const part = (result: SampleResult, warnings: WarningV1[][] = []): SampleRecordV1 =>
    plan.type === 'loglikelihood' || generations === undefined
      ? record(result)
      : { ...record(result), split: { generations, warnings, plan } };

  let responses: SampleResponsesV1;
  try {
    responses = await requestResponses(plan, sample, benchmark.id, context, generations);
  } catch (error) {
    if (signal.aborted) throw error;
    return { record: part({ error: describeError(error) }) };
  }
  for (const warning of warningsOf(responses)) countWarning(context.warnings, warning);

  if (generations !== undefined && responses.type === 'generate') {
    const warnings = responses.generations.map((turns) => turns.flatMap((turn) => turn.warnings));
    return { record: part({ responses }, warnings) };
  }

  if (settings.predictOnly) return { record: record({ responses }) };
  // A benchmark may score around a failed judge call (MT-Bench leaves the turn unrated, as FastChat), but the
  // sample was not judged as specified: it counts as failed and stays out of the metrics.
  const judgeErrors: unknown[] = [];
  const judgeWarnings: WarningV1[] = [];
  const judges = judgesForSample(benchmark.id, sample.id, context.judges, {
    onError: (error) => judgeErrors.push(error),
    onWarning: (warning) => judgeWarnings.push(warning),
  });
  try {
    const score = await benchmark.doScore(sample, responses, {
      options,
      plan,
      judges,
      sandbox: benchmark.requirements.sandbox ? settings.sandbox : undefined,
      signal,
      log: settings.log,
    });
    signal.throwIfAborted();
    for (const warning of [...judgeWarnings, ...(score.warnings ?? [])])
      countWarning(context.warnings, warning);
    if (judgeErrors.length > 0) {
      const error = `judge call failed: ${describeError(judgeErrors[0])}`;
      return { record: record({ responses, score, judgeWarnings, error }) };
    }
    return { record: record({ responses, score, judgeWarnings }), score };
  } catch (error) {
    if (signal.aborted) throw error;
    return { record: record({ responses, error: `scoring failed: ${describeError(error)}` }) };
  }
}

function applyOverrides(plan: SamplePlanV1, settings: RunSettings): SamplePlanV1 {
  if (plan.type === 'loglikelihood') return plan;
  const parameters = { ...plan.parameters };
  if (settings.maxTokens !== undefined) parameters.maxTokens = settings.maxTokens;
  const generation = settings.generation;
  if (generation?.temperature !== undefined) parameters.temperature = generation.temperature;
  if (generation?.topP !== undefined) parameters.topP = generation.topP;
  if (generation?.stop !== undefined) parameters.stop = [...generation.stop];
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
  only?: number[],
): Promise<SampleResponsesV1> {
  const { settings, signal, model } = context;
  if (plan.type === 'loglikelihood') {
    const results = await Promise.all(
      plan.continuations.map((continuation, generation) =>
        model.send(
          {
            type: 'loglikelihood',
            context: plan.context,
            continuation,
            origin: { task, sampleId: sample.id, turn: 0, generation },
          },
          signal,
        ),
      ),
    );
    return { type: 'loglikelihood', results };
  }
  const indices = only ?? Array.from({ length: plan.generations ?? 1 }, (_, generation) => generation);
  const generations = await Promise.all(
    indices.map(async (generation): Promise<TurnResponseV1[]> => {
      const parameters = { ...plan.parameters, seed: (plan.parameters.seed ?? settings.seed) + generation };
      if (plan.type === 'completion') {
        const origin = { task, sampleId: sample.id, turn: 0, generation };
        return [await model.send({ type: 'completion', prompt: plan.prompt, parameters, origin }, signal)];
      }
      const messages = [
        ...(plan.system !== undefined ? [{ role: 'system' as const, content: plan.system }] : []),
        ...(plan.history ?? []),
      ];
      const turns: TurnResponseV1[] = [];
      for (const [turn, content] of plan.turns.entries()) {
        messages.push({ role: 'user', content });
        const origin = { task, sampleId: sample.id, turn, generation };
        const result = await model.send(
          { type: 'chat', messages: [...messages], parameters, origin },
          signal,
        );
        turns.push(result);
        messages.push({ role: 'assistant', content: result.text });
      }
      return turns;
    }),
  );
  return { type: 'generate', generations };
}
