export type { ConcurrencyChange, RateLimitFacts } from './adaptive-limit.js';
export { aggregateTask } from './aggregate.js';
export {
  createDatasetResolver,
  type DatasetResolverSettings,
  datasetResolverSettingsFromEnv,
} from './dataset-resolver.js';
export type { RunEvent } from './events.js';
export {
  checkShardedRun,
  findShardResults,
  groupShardRuns,
  type MergeOutcome,
  type MergeSettings,
  type MergeTaskPlugin,
  mergeShardedRun,
  type ShardedRun,
  type ShardResultsFile,
} from './merge-shards.js';
export { cacheDirectory } from './paths.js';
export { ResponseCache } from './response-cache.js';
export { type RunOutcome, runEvaluation, sanitizeModelName } from './run-evaluation.js';
export {
  answerOptionsOf,
  defaultDebugLimit,
  effectiveSampleCount,
  type GenerationOverrides,
  type RunSettings,
  requestedLimitOf,
  type TaskSelection,
} from './run-settings.js';
export { type RequestUsage, sumUsage, type TaskUsage } from './run-state.js';
export { assignGenerations, assignShards, contiguousShards } from './shard-assignment.js';
export {
  runIdFromName,
  type ShardOfRun,
  shardResultsFilePattern,
  shardSuffix,
} from './shard-files.js';
export { estimateSampleCost, partsOf } from './shard-selection.js';
export { stableStringify } from './stable-json.js';
export type { TaskOutcome } from './task-run.js';
