import { createAime24 } from './aime24-benchmark.js';

export { Aime24Benchmark, type Aime24Settings, aime24Dataset, createAime24 } from './aime24-benchmark.js';
export { type Aime24Options, aime24OptionsSchema } from './aime24-options.js';
export { VERSION } from './version.js';

/** The `aime24` benchmark with default settings: the plugin object the CLI loads. */
export default createAime24();
