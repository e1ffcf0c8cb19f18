import { createAmc23 } from './amc23-benchmark.js';

export { Amc23Benchmark, type Amc23Settings, amc23Dataset, createAmc23 } from './amc23-benchmark.js';
export { type Amc23Options, amc23OptionsSchema } from './amc23-options.js';
export { VERSION } from './version.js';

/** The `amc23` benchmark with default settings: the plugin object the CLI loads. */
export default createAmc23();
