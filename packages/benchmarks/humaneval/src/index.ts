import { createHumanEval } from './humaneval-benchmark.js';

export {
  createHumanEval,
  HumanEvalBenchmark,
  type HumanEvalProblem,
  type HumanEvalSettings,
  humanEvalFile,
} from './humaneval-benchmark.js';
export { type HumanEvalOptions, humanEvalOptionsSchema } from './humaneval-options.js';
export { humanEvalChatInstruction, humanEvalStopSequences } from './humaneval-prompt.js';
export { VERSION } from './version.js';

/** The humaneval benchmark with default settings: the plugin object the CLI loads. */
export default createHumanEval();
