import {
  type BackendProviderV1,
  type BackendV1,
  type BenchmarkV1,
  type DatasetResolverV1,
  judgeRolesOf,
  type LoggerV1,
  type SandboxV1,
  type TokenPriceV1,
} from '@evalchemy/core';
import type { RunEvent } from './events.js';
import type { ResponseCache } from './response-cache.js';
import type { ShardOfRun } from './shard-files.js';

/** A benchmark selected for a run, with its parsed options. */
export interface TaskSelection {
  benchmark: BenchmarkV1<unknown, unknown>;
  options: unknown;
}

/** Everything a run needs, validated and created by the caller (the CLI) before any request is sent. */
export interface RunSettings {
  backend: BackendV1;
  tasks: TaskSelection[];
  datasets: DatasetResolverV1;
  /** Results go to `<outputPath>/<sanitized model>/`, unless `resultsFile` is given. */
  outputPath: string;
  /**
   * Where the results file goes, exactly (`--output_path FILE.json`, as lm-evaluation-harness); the samples
   * files go beside it. Undefined: `<outputPath>/<sanitized model>/results_<timestamp>.json`.
   */
  resultsFile?: string | undefined;
  cache: ResponseCache;
  /**
   * Bound on concurrent calls to each backend (with the backend's own bound): the model's, and each judge
   * backend's. Up to twice as many samples are in flight, so that the next request is ready when one ends.
   */
  concurrency: number;
  /** Base seed; generation i of a sample is sent with seed `seed + i`. */
  seed: number;
  /**
   * Only the first samples of each task: `limit` of them when it is 1 or more (a fraction is cut off), or
   * `ceil(size * limit)` when it is below 1 (a share of each task, as lm-evaluation-harness's `--limit`).
   */
  limit?: number | undefined;
  /**
   * `--debug`: each task runs its first `debugLimit` samples (the benchmark's, else `defaultDebugLimit`),
   * instead of `limit`.
   */
  debug?: boolean | undefined;
  /**
   * Generation settings that replace every generating plan's own (`--gen_kwargs`): temperature, top-p, stop
   * strings. Loglikelihood plans are left as they are.
   */
  generation?: GenerationOverrides | undefined;
  /** Overrides every plan's `maxTokens`. */
  maxTokens?: number | undefined;
  /** Replaces the system message of chat plans. */
  systemInstruction?: string | undefined;
  /** Generate and record responses, skip scoring (no judge, no sandbox needed). */
  predictOnly: boolean;
  /**
   * The judge backend of each role of each judged task: `judges[task][role]`. One backend object may serve
   * several roles and tasks: each distinct one is started once and stopped by the run.
   */
  judges?: Record<string, Record<string, BackendV1>> | undefined;
  /**
   * The options of each backend (the model's, each judge's) that can change its answers, as `answerOptionsOf`
   * gives them: part of each task's identity in the results file. A backend not in the map is identified by
   * its id, model and endpoint alone.
   */
  answerOptions?: ReadonlyMap<BackendV1, Record<string, unknown>> | undefined;
  /**
   * Prices in US dollars per million tokens by model id (the config's `judge_prices`), over the runner's
   * built-in list prices (`builtInPrices`) and under a backend's own `price`: the costs in the results file.
   */
  judgePrices?: Readonly<Record<string, TokenPriceV1>> | undefined;
  /**
   * Budget in US dollars over the model's and the judges' requests (`--max_cost`). A request that could take
   * the run past it is not sent, nor any after it; the run ends with what was done. Every backend must have a
   * price.
   */
  maxCostUsd?: number | undefined;
  /**
   * Run only this shard's share of every task (`--shard I/N`): the samples `assignShards` gives shard
   * `index` of `count` by their expected cost. Files are named with `_shard-<index>-of-<count>`, and the
   * results file records the shard; `evalchemy merge` combines the shards.
   */
  shard?: ShardOfRun | undefined;
  /** The results file's `run_id` (a UUID; `runIdFromName` makes one of a name). Undefined: a random one. */
  runId?: string | undefined;
  /** Sandbox for benchmarks that execute code. Started and stopped by the run. */
  sandbox?: SandboxV1 | undefined;
  /**
   * Where the model's and the judges' API keys came from (`OPENAI_API_KEY`, `--model_args api_key`; never
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

/** `RunSettings.generation`: each field given replaces the plan's own. */
export interface GenerationOverrides {
  temperature?: number | undefined;
  topP?: number | undefined;
  stop?: string[] | undefined;
}

/** Samples a task runs under `--debug` when its benchmark declares no `debugLimit`. */
export const defaultDebugLimit = 5;

/**
 * How many samples a task is asked for: its debug size under `debug`, else `limit` as the user gave it
 * (a count, or a share below 1); undefined for all. As recorded in the task's identity.
 */
export function requestedLimitOf(settings: RunSettings, task: TaskSelection): number | undefined {
  if (settings.debug) return task.benchmark.debugLimit ?? defaultDebugLimit;
  return settings.limit;
}

/** The samples a task of `size` samples runs: lm-evaluation-harness's `get_sample_size`. */
export function effectiveSampleCount(requested: number | undefined, size: number): number {
  if (requested === undefined) return size;
  const count = requested < 1 ? Math.ceil(size * requested) : Math.floor(requested);
  return Math.min(count, size);
}

/** The distinct judge backends of a run, in the order first named. */
export function judgeBackendsOf(settings: RunSettings): BackendV1[] {
  const backends = new Set<BackendV1>();
  for (const roles of Object.values(settings.judges ?? {}))
    for (const backend of Object.values(roles)) backends.add(backend);
  return [...backends];
}

/** The judge backend of each role of a task that is scored in this run (none in predict-only runs). */
export function judgesOf(settings: RunSettings, task: TaskSelection): Record<string, BackendV1> {
  const { benchmark } = task;
  const judges: Record<string, BackendV1> = {};
  if (settings.predictOnly) return judges;
  for (const role of Object.keys(judgeRolesOf(benchmark, task.options))) {
    const judge = settings.judges?.[benchmark.id]?.[role];
    if (judge !== undefined) judges[role] = judge;
  }
  return judges;
}

/**
 * The options a backend was created with, without those its provider declares `answerNeutralOptions`
 * (credentials, retries, timeouts, concurrency): what `RunSettings.answerOptions` holds for it.
 */
export function answerOptionsOf<Options>(
  provider: BackendProviderV1<Options>,
  options: Options,
): Record<string, unknown> {
  const neutral = new Set<string>(provider.answerNeutralOptions ?? []);
  return Object.fromEntries(
    Object.entries(options as Record<string, unknown>).filter(([key]) => !neutral.has(key)),
  );
}
