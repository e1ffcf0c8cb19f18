import { createMath500 } from './math500-benchmark.js';

export {
  createMath500,
  Math500Benchmark,
  type Math500Settings,
  math500Dataset,
} from './math500-benchmark.js';
export { type Math500Options, math500OptionsSchema } from './math500-options.js';
export { VERSION } from './version.js';

/** The `math500` benchmark with default settings: the plugin object the CLI loads. */
export default createMath500();
