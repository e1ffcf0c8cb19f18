import { createDrop } from './drop-benchmark.js';

export { createDrop, DropBenchmark, type DropSettings, dropValidationFile } from './drop-benchmark.js';
export { type DropOptions, dropOptionsSchema } from './drop-options.js';
export {
  type DropQuestion,
  type DropScore,
  dropAnswerToBags,
  dropMetrics,
  dropPrompt,
  normalizeDropAnswer,
  parsePythonFloat,
  pythonFloatRepr,
  scoreDropPrediction,
} from './drop-scorer.js';
export { maxWeightAssignment } from './max-weight-assignment.js';
export { VERSION } from './version.js';

/** The drop benchmark with default settings: the plugin object the CLI loads. */
export default createDrop();
