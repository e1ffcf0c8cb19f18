export { aggregateTask } from './aggregate.js';
export {
  createDatasetResolver,
  type DatasetResolverSettings,
  datasetResolverSettingsFromEnv,
} from './dataset-resolver.js';
export { readDatasetRows } from './dataset-rows.js';
export type { RunEvent } from './events.js';
export { cacheDirectory } from './paths.js';
export { ResponseCache } from './response-cache.js';
export {
  type RunOutcome,
  type RunSettings,
  runEvaluation,
  sanitizeModelName,
  type TaskOutcome,
  type TaskSelection,
} from './run-evaluation.js';
