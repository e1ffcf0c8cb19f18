export type { RunEvent } from './events.js';
export { aggregateTask } from './aggregate.js';
export { createDatasetResolver, datasetResolverSettingsFromEnv, type DatasetResolverSettings } from './dataset-resolver.js';
export { readDatasetRows } from './dataset-rows.js';
export { cacheDirectory } from './paths.js';
export { ResponseCache } from './response-cache.js';
export {
  runEvaluation,
  sanitizeModelName,
  type RunOutcome,
  type RunSettings,
  type TaskOutcome,
  type TaskSelection,
} from './run-evaluation.js';
