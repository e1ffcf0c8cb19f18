import { createHumanEvalPlus } from './humanevalplus-benchmark.js';

export {
  createHumanEvalPlus,
  HumanEvalPlusBenchmark,
  type HumanEvalPlusProblem,
  type HumanEvalPlusSettings,
  humanEvalPlusFile,
} from './humanevalplus-benchmark.js';
export { type HumanEvalPlusOptions, humanEvalPlusOptionsSchema } from './humanevalplus-options.js';
export { humanEvalPlusChatInstruction, humanEvalPlusStopSequences } from './humanevalplus-prompt.js';
export { VERSION } from './version.js';

/** The humanevalplus benchmark with default settings: the plugin object the CLI loads. */
export default createHumanEvalPlus();
