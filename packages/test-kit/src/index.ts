export { createRecordingLogger, sharedDatasetsDirectory, sharedModelsDirectory } from './shared-fixtures.js';
