export {
  createDatasetResolver,
  type DatasetResolverSettings,
  datasetResolverSettingsFromEnv,
} from './dataset-resolver.js';
export { cacheDirectory } from './paths.js';
