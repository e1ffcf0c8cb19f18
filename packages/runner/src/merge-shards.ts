import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  type BenchmarkV1,
  ConfigurationError,
  type JudgeAuditRecordV1,
  type LoggerV1,
  type ResultsFileV1,
  resultsFileSchema,
  type SampleRecordV1,
  type SampleSourceV1,
  type ScoredSampleV1,
  sampleRecordSchema,
  type TaskRecordV1,
  type UsageRecordV1,
} from '@evalchemy/core';
import { aggregateTask } from './aggregate.js';
import { writeFileAtomically } from './atomic-file.js';
import { createDirectory, storageError } from './create-directory.js';
import { roundDollars } from './prices.js';
import { flattenMetrics } from './results-file.js';
import { type ShardOfRun, shardResultsFilePattern, shardSuffix } from './shard-files.js';
import { reuniteSplitSamples } from './split-samples.js';
import type { TaskOutcome, VerdictCounts } from './task-run.js';

/** One shard's results file, read and checked against the results schema. */
export interface ShardResultsFile {
  path: string;
  /** The `<timestamp>` of its name, `results_<timestamp>_shard-<I>-of-<N>.json`. */
  timestamp: string;
  shard: ShardOfRun;
  results: ResultsFileV1;
}

/** The shard results files of one run: one `run_id` and one shard count. */
export interface ShardedRun {
  runId: string;
  count: number;
  files: ShardResultsFile[];
}

/** Every shard results file under the directories (searched recursively), read and checked. */
export async function findShardResults(directories: readonly string[]): Promise<ShardResultsFile[]> {
  const found: ShardResultsFile[] = [];
  for (const directory of directories) {
    let entries: string[];
    try {
      entries = (await readdir(directory, { recursive: true })).map(String);
    } catch (error) {
      throw storageError('read the folder', directory, error, 'Give folders that hold shard results files.');
    }
    for (const entry of entries.sort()) {
      const match = shardResultsFilePattern.exec(basename(entry));
      if (match === null) continue;
      const path = join(directory, entry);
      if (found.some((file) => file.path === path)) continue;
      found.push(await readShardResults(path, match[1]!));
    }
  }
  return found;
}

async function readShardResults(path: string, timestamp: string): Promise<ShardResultsFile> {
  let parsed: ReturnType<typeof resultsFileSchema.safeParse>;
  try {
    parsed = resultsFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    throw new ConfigurationError(
      `${path} is not a results file (${error instanceof Error ? error.message : String(error)}). Remove it or run that shard again.`,
    );
  }
  if (!parsed.success) {
    throw new ConfigurationError(
      `${path} is not a valid results file: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}. Run that shard again.`,
    );
  }
  const shard = parsed.data.shard;
  if (shard === undefined) {
    throw new ConfigurationError(
      `${path} is named as a shard's results but records no shard: it was not written by evalchemy run --shard. Move it away and merge again.`,
    );
  }
  return { path, timestamp, shard, results: parsed.data };
}

/**
 * The runs the files belong to, by `run_id` and shard count, largest first. A shard written twice (a job
 * run again) counts once: its latest file (by its end time).
 */
export function groupShardRuns(files: readonly ShardResultsFile[]): ShardedRun[] {
  const runs = new Map<string, ShardedRun>();
  for (const file of files) {
    const key = `${file.results.run_id}/${file.shard.count}`;
    let run = runs.get(key);
    if (run === undefined) {
      run = { runId: file.results.run_id, count: file.shard.count, files: [] };
      runs.set(key, run);
    }
    const same = run.files.findIndex((other) => other.shard.index === file.shard.index);
    if (same === -1) run.files.push(file);
    else if (file.results.timing.end > run.files[same]!.results.timing.end) run.files[same] = file;
  }
  for (const run of runs.values()) run.files.sort((left, right) => left.shard.index - right.shard.index);
  return [...runs.values()];
}

/**
 * Refuses a run with a missing shard (naming the indices and the folders searched) or shards that do not
 * agree on the tasks, their versions and their identities (naming the shard files and the task).
 */
export function checkShardedRun(run: ShardedRun, searched: readonly string[]): void {
  const present = new Set(run.files.map((file) => file.shard.index));
  const missing = Array.from({ length: run.count }, (_, index) => index).filter(
    (index) => !present.has(index),
  );
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Run ${run.runId} has ${run.count} shards, but ${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} missing: no results_*_shard-<I>-of-${run.count}.json for ${missing.length === 1 ? 'it' : 'them'} in ` +
        `${searched.join(', ')} (found ${[...present].sort((a, b) => a - b).join(', ') || 'none'}). Run the missing shards ` +
        `(the same command with --shard I/${run.count} --run_id as the others), then merge again.`,
    );
  }
  const [first, ...others] = run.files;
  if (first === undefined) return;
  const tasksOf = (file: ShardResultsFile) => Object.keys(file.results.tasks).sort();
  for (const other of others) {
    const expected = tasksOf(first);
    const actual = tasksOf(other);
    if (expected.join(',') !== actual.join(',')) {
      throw new ConfigurationError(
        `The shards of run ${run.runId} ran different tasks: ${first.path} has ${expected.join(', ')}, ` +
          `${other.path} has ${actual.join(', ')}. Every shard of one run must run the same command.`,
      );
    }
    for (const task of expected) {
      const left = first.results.tasks[task]!;
      const right = other.results.tasks[task]!;
      const what =
        left.version !== right.version
          ? `version ${left.version} against ${right.version}`
          : left.identity !== right.identity
            ? `identity ${left.identity.slice(0, 12)}… against ${right.identity.slice(0, 12)}…`
            : undefined;
      if (what !== undefined) {
        throw new ConfigurationError(
          `Task ${task} differs between the shards of run ${run.runId}: ${first.path} and ${other.path} have ${what} ` +
            '(another model, options, data, limit, seed or version). Shards of different runs cannot be merged: run them again with one command.',
        );
      }
    }
  }
}

/**
 * What the merge needs of a task's benchmark: the plugin, and its samples as the run loaded them (`doLoad` with
 * the run's options, seed and datasets), read only when the benchmark aggregates itself (its `loaded`) or a
 * sample's generations were split across shards (the sample, to score it).
 */
export interface MergeTaskPlugin {
  benchmark: BenchmarkV1<unknown, unknown>;
  load(): Promise<SampleSourceV1>;
}

export interface MergeSettings {
  /** Where the merged files go; default the folder of shard 0's results file. */
  directory?: string | undefined;
  /** The merged results file's exact path (`--output_path FILE.json`); the samples files go beside it. */
  resultsFile?: string | undefined;
  /** The benchmark of a task, as the run loaded it, given the task's record in shard 0's results. */
  loadTask(task: string, record: TaskRecordV1, results: ResultsFileV1): Promise<MergeTaskPlugin>;
  onProgress?: (message: string) => void;
  /** The logger a benchmark scoring a split sample is given; default silent. */
  log?: LoggerV1;
}

export interface MergeOutcome {
  resultsPath: string;
  results: ResultsFileV1;
  /** Per task, as `runEvaluation` reports them (for the results table). */
  tasks: TaskOutcome[];
}

/**
 * Combines the shards of one run (checked by `checkShardedRun`) into the results and samples files a single
 * process would have written: every task's scored samples from the shards' samples files, aggregated in
 * index order by the runner's own aggregation; counts, usage and costs summed; the run's earliest start and
 * latest end.
 */
export async function mergeShardedRun(run: ShardedRun, settings: MergeSettings): Promise<MergeOutcome> {
  const first = run.files[0];
  if (first === undefined) throw new ConfigurationError(`Run ${run.runId} has no shard results to merge.`);
  const progress = settings.onProgress ?? (() => {});
  const timestamp = run.files.map((file) => file.timestamp).sort()[0]!;
  const directory =
    settings.resultsFile !== undefined
      ? dirname(settings.resultsFile)
      : (settings.directory ?? dirname(first.path));
  await createDirectory(directory).catch((error: unknown) => {
    throw storageError('create the output directory', directory, error, 'Choose another --output_path.');
  });

  const outcomes: TaskOutcome[] = [];
  /** Warnings of the scorer on the split samples the merge scored (the shards counted their backends'). */
  const scoreWarnings: Record<string, Record<string, number>> = {};
  const results: Record<string, Record<string, number | null>> = {};
  const nSamples: ResultsFileV1['n-samples'] = {};
  const sampleFailures: ResultsFileV1['sample_failures'] = {};
  const taskErrors: ResultsFileV1['task_errors'] = {};
  for (const task of Object.keys(first.results.tasks)) {
    const record = first.results.tasks[task]!;
    const primaryMetric = first.results.primary_metrics[task] ?? '';
    const headlineMetrics = first.results.headline_metrics[task] ?? [primaryMetric];
    const failedIn = run.files.filter((file) => file.results.task_errors[task] !== undefined);
    const failures = run.files.flatMap((file) => {
      const failure = file.results.sample_failures[task];
      return failure !== undefined ? [failure] : [];
    });
    if (failedIn.length > 0) {
      if (failures[0] !== undefined) {
        const failed = failures.reduce((sum, failure) => sum + failure.failed, 0);
        sampleFailures[task] = { failed, example: failures[0].example };
      }
      const error = failedIn
        .map((file) => `shard ${file.shard.index}: ${file.results.task_errors[task]}`)
        .join('; ');
      progress(
        `${task}: failed in ${failedIn.length === 1 ? 'shard' : 'shards'} ${failedIn.map((file) => file.shard.index).join(', ')}`,
      );
      taskErrors[task] = error;
      results[task] = {};
      nSamples[task] = { effective: 0, scored: 0, failed: 0 };
      outcomes.push({
        task,
        status: 'failed',
        metrics: {},
        primaryMetric,
        headlineMetrics,
        samples: { total: 0, scored: 0, failed: 0 },
        error,
        datasets: record.datasets,
        judgeAudit: {},
      });
      continue;
    }
    const records: SampleRecordV1[] = [];
    for (const file of run.files) {
      const path = join(
        dirname(file.path),
        `samples_${task}_${file.timestamp}${shardSuffix(file.shard)}.jsonl`,
      );
      records.push(...(await readSamples(path)));
    }
    records.sort((left, right) => left.index - right.index);
    const effective = run.files.reduce(
      (sum, file) => sum + (file.results['n-samples'][task]?.effective ?? 0),
      0,
    );
    if (records.length !== effective) {
      throw new ConfigurationError(
        `Task ${task}: the shards' samples files hold ${records.length} samples, but their results count ${effective}. ` +
          'A samples file was changed or truncated: run the shards again.',
      );
    }
    const predictOnly = first.results.config.predict_only === true;
    let plugin: MergeTaskPlugin | undefined;
    const pluginOf = async () => (plugin ??= await settings.loadTask(task, record, first.results));
    let source: Promise<SampleSourceV1> | undefined;
    const sourceOf = async () => (source ??= (await pluginOf()).load());
    if (records.some((line) => line.split !== undefined)) {
      const reunited = await reuniteSplitSamples(task, records, {
        benchmark: async () => (await pluginOf()).benchmark,
        source: sourceOf,
        options: record.options,
        predictOnly,
        log: settings.log ?? silentLog,
      });
      records.splice(0, records.length, ...reunited.records);
      if (Object.keys(reunited.warnings).length > 0) scoreWarnings[task] = reunited.warnings;
      progress(`${task}: ${reunited.count} samples whose generations were split across shards, scored`);
    }
    const samplesPath = join(directory, `samples_${task}_${timestamp}.jsonl`);
    await writeFileAtomically(samplesPath, records.map((line) => `${JSON.stringify(line)}\n`).join('')).catch(
      (error: unknown) => {
        throw storageError('write the samples file', samplesPath, error, 'Choose another --output_path.');
      },
    );
    // Counted on the merged records: a split sample whose generation failed in two shards is one failure.
    const failedRecords = records.filter((line) => line.error !== undefined);
    const failedSamples = failedRecords.length;
    if (failedRecords[0] !== undefined) {
      sampleFailures[task] = {
        failed: failedSamples,
        example: failures[0]?.example ?? failedRecords[0].error ?? '',
      };
    }
    const scored: ScoredSampleV1[] = records.flatMap((line) =>
      line.error === undefined && line.metrics !== undefined
        ? [
            {
              id: line.sample_id,
              metadata: line.metadata,
              metrics: line.metrics,
              ...(line.details ? { details: line.details } : {}),
            },
          ]
        : [],
    );
    let metrics: TaskOutcome['metrics'] = {};
    if (!predictOnly) {
      const { benchmark } = await pluginOf();
      const loaded = benchmark.doAggregate !== undefined ? (await sourceOf()).loaded : undefined;
      metrics = aggregateTask(benchmark, record.options, scored, loaded);
    }
    results[task] = flattenMetrics(metrics);
    nSamples[task] = { effective: records.length, scored: scored.length, failed: failedSamples };
    progress(`${task}: ${records.length} samples from ${run.files.length} shards, ${scored.length} scored`);
    outcomes.push({
      task,
      status: 'completed',
      metrics,
      primaryMetric,
      headlineMetrics,
      samples: { total: records.length, scored: scored.length, failed: failedSamples },
      ...(sampleFailures[task] !== undefined ? { sampleError: sampleFailures[task].example } : {}),
      samplesPath,
      datasets: record.datasets,
      judgeAudit: verdictsOf(run, task),
    });
  }

  const starts = run.files.map((file) => file.results.timing.start).sort();
  const ends = run.files.map((file) => file.results.timing.end).sort();
  const start = starts[0]!;
  const end = ends.at(-1)!;
  const { shard: _shard, ...base } = first.results;
  const { shard: _configShard, ...config } = base.config;
  const budgets = run.files.flatMap((file) => (file.results.budget ? [file.results.budget] : []));
  const merged: ResultsFileV1 = {
    ...base,
    results,
    'n-samples': nSamples,
    sample_failures: sampleFailures,
    task_errors: taskErrors,
    warnings: sumCounts([...run.files.map((file) => file.results.warnings), scoreWarnings]),
    cache_error: run.files.find((file) => file.results.cache_error !== null)?.results.cache_error ?? null,
    config,
    usage: sumUsageRecords(run.files.map((file) => file.results.usage)),
    ...(base.rate_limits !== undefined
      ? { rate_limits: run.files.flatMap((file) => file.results.rate_limits ?? []) }
      : {}),
    ...(base.budget !== undefined
      ? {
          budget:
            budgets[0] !== undefined
              ? {
                  max_cost_usd: budgets[0].max_cost_usd,
                  spent_usd: roundDollars(budgets.reduce((sum, budget) => sum + budget.spent_usd, 0)),
                  reached: budgets.some((budget) => budget.reached),
                  requests_not_sent: budgets.reduce((sum, budget) => sum + budget.requests_not_sent, 0),
                }
              : null,
        }
      : {}),
    timing: {
      start,
      end,
      wall_clock_seconds: (new Date(end).getTime() - new Date(start).getTime()) / 1000,
    },
    tasks: Object.fromEntries(
      Object.entries(base.tasks).map(([task, record]) => [task, mergeTaskRecord(run, task, record)]),
    ),
  };
  const resultsPath = settings.resultsFile ?? join(directory, `results_${timestamp}.json`);
  await writeFileAtomically(resultsPath, `${JSON.stringify(merged, null, 2)}\n`).catch((error: unknown) => {
    throw storageError('write the results file', resultsPath, error, 'Choose another --output_path.');
  });
  return { resultsPath, results: merged, tasks: outcomes };
}

const silentLog: LoggerV1 = { info: () => {}, warn: () => {}, debug: () => {} };

async function readSamples(path: string): Promise<SampleRecordV1[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw storageError(
      'read the samples file',
      path,
      error,
      'Each shard writes one samples file per task beside its results file: copy it there, or run that shard again.',
    );
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, number) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new ConfigurationError(
          `${path} line ${number + 1} is not JSON (a truncated file?): run that shard again.`,
        );
      }
      const parsed = sampleRecordSchema.safeParse(json);
      if (!parsed.success) {
        throw new ConfigurationError(
          `${path} line ${number + 1} is not a sample record (${parsed.error.issues[0]?.message}): run that shard again.`,
        );
      }
      // The record as written (the schema may drop fields a newer runner added).
      return json as SampleRecordV1;
    });
}

function verdictsOf(run: ShardedRun, task: string): Record<string, VerdictCounts> {
  const total: Record<string, VerdictCounts> = {};
  for (const file of run.files) {
    for (const [role, audit] of Object.entries(file.results.tasks[task]?.judge_audit ?? {})) {
      const sum = total[role] ?? { verdicts: 0, unparsable: 0, swappedPairs: 0, consistentPairs: 0 };
      total[role] = sum;
      sum.verdicts += audit.verdicts;
      sum.unparsable += audit.unparsable_verdicts;
      sum.swappedPairs += audit.swapped_pairs;
      sum.consistentPairs += audit.consistent_pairs;
    }
  }
  return total;
}

function mergeTaskRecord(run: ShardedRun, task: string, record: TaskRecordV1): TaskRecordV1 {
  const records = run.files.flatMap((file) => {
    const other = file.results.tasks[task];
    return other !== undefined ? [other] : [];
  });
  const judges = record.usage.judges;
  return {
    ...record,
    usage: {
      model: sumUsageRecords(records.map((other) => other.usage.model)),
      ...(record.usage.judge !== undefined
        ? {
            judge: sumUsageRecords(
              records.flatMap((other) => (other.usage.judge ? [other.usage.judge] : [])),
            ),
          }
        : {}),
      ...(judges !== undefined
        ? {
            judges: Object.fromEntries(
              Object.keys(judges).map((role) => [
                role,
                sumUsageRecords(
                  records.flatMap((other) => (other.usage.judges?.[role] ? [other.usage.judges[role]] : [])),
                ),
              ]),
            ),
          }
        : {}),
    },
    ...(record.judge_audit !== undefined
      ? {
          judge_audit: Object.fromEntries(
            Object.entries(record.judge_audit).map(([role, audit]) => [
              role,
              sumJudgeAudits(
                audit,
                records.flatMap((other) => (other.judge_audit?.[role] ? [other.judge_audit[role]] : [])),
              ),
            ]),
          ),
        }
      : {}),
  };
}

function sumUsageRecords(records: readonly UsageRecordV1[]): UsageRecordV1 {
  const sum = (pick: (record: UsageRecordV1) => number | undefined) =>
    records.reduce((total, record) => total + (pick(record) ?? 0), 0);
  const costs = records.map((record) => record.cost_usd);
  return {
    requests_sent: sum((record) => record.requests_sent),
    cache_hits: sum((record) => record.cache_hits),
    prompt_tokens: sum((record) => record.prompt_tokens),
    completion_tokens: sum((record) => record.completion_tokens),
    ...(records.some((record) => record.cached_prompt_tokens !== undefined)
      ? { cached_prompt_tokens: sum((record) => record.cached_prompt_tokens) }
      : {}),
    ...(costs.some((cost) => cost !== undefined)
      ? {
          cost_usd: costs.some((cost) => cost === null || cost === undefined)
            ? null
            : roundDollars(costs.reduce<number>((total, cost) => total + (cost ?? 0), 0)),
        }
      : {}),
  };
}

function sumJudgeAudits(
  first: JudgeAuditRecordV1,
  audits: readonly JudgeAuditRecordV1[],
): JudgeAuditRecordV1 {
  const { cost_usd, ...usage } = sumUsageRecords(audits);
  const sum = (pick: (audit: JudgeAuditRecordV1) => number) =>
    audits.reduce((total, audit) => total + pick(audit), 0);
  const swapped = sum((audit) => audit.swapped_pairs);
  const consistent = sum((audit) => audit.consistent_pairs);
  return {
    ...first,
    ...usage,
    cost_usd: cost_usd ?? null,
    verdicts: sum((audit) => audit.verdicts),
    unparsable_verdicts: sum((audit) => audit.unparsable_verdicts),
    swapped_pairs: swapped,
    consistent_pairs: consistent,
    position_consistency: swapped > 0 ? consistent / swapped : null,
  };
}

function sumCounts(
  maps: readonly Record<string, Record<string, number>>[],
): Record<string, Record<string, number>> {
  const total: Record<string, Record<string, number>> = {};
  for (const map of maps) {
    for (const [task, counts] of Object.entries(map)) {
      const sum = total[task] ?? {};
      total[task] = sum;
      for (const [key, value] of Object.entries(counts)) sum[key] = (sum[key] ?? 0) + value;
    }
  }
  return total;
}
