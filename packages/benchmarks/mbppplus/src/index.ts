import { createMbppPlus } from './mbppplus-benchmark.js';

export {
  createMbppPlus,
  MbppPlusBenchmark,
  type MbppPlusProblem,
  type MbppPlusSettings,
  mbppPlusFile,
  mbppPlusOriginalFormatFile,
} from './mbppplus-benchmark.js';
export { type MbppPlusOptions, mbppPlusOptionsSchema } from './mbppplus-options.js';
export { mbppPlusStopSequences } from './mbppplus-prompt.js';
export { VERSION } from './version.js';

/** The mbppplus benchmark with default settings: the plugin object the CLI loads. */
export default createMbppPlus();
