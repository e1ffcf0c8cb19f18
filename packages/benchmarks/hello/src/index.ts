// What a new benchmark changes here: nothing but the names, unless it adds exports (prompt builders, data
// files) that users or tests need. The default export is the plugin object the CLI loads.
import { createHello } from './hello-benchmark.js';

export {
  createHello,
  HelloBenchmark,
  type HelloProblem,
  type HelloSettings,
  helloExemplars,
  helloInstruction,
  helloProblems,
} from './hello-benchmark.js';
export { type HelloOptions, helloOptionsSchema } from './hello-options.js';
export { type HelloVerdict, normalizeHelloAnswer, scoreHelloResponse } from './hello-scorer.js';
export { VERSION } from './version.js';

/** The hello benchmark with default settings. */
export default createHello();
