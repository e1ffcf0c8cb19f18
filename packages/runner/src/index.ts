export { createDatasetResolver, datasetResolverSettingsFromEnv, type DatasetResolverSettings } from './dataset-resolver.js';
export { cacheDirectory } from './paths.js';
