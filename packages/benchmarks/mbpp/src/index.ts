import { createMbpp } from './mbpp-benchmark.js';

export {
  createMbpp,
  MbppBenchmark,
  type MbppProblem,
  type MbppSettings,
  mbppFullFile,
  mbppSanitizedFile,
} from './mbpp-benchmark.js';
export { type MbppOptions, mbppOptionsSchema } from './mbpp-options.js';
export { type MbppCompletionExample, mbppCompletionPrompt, mbppStopSequences } from './mbpp-prompt.js';
export { VERSION } from './version.js';

/** The mbpp benchmark with default settings: the plugin object the CLI loads. */
export default createMbpp();
