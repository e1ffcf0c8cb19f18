import { createAime25 } from './aime25-benchmark.js';

export { Aime25Benchmark, type Aime25Settings, aime25Dataset, createAime25 } from './aime25-benchmark.js';
export { type Aime25Options, aime25OptionsSchema } from './aime25-options.js';
export { VERSION } from './version.js';

/** The `aime25` benchmark with default settings: the plugin object the CLI loads. */
export default createAime25();
