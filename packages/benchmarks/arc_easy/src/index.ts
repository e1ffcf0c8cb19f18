import { createArcEasy } from './arc-easy-benchmark.js';

export {
  type ArcChallengeOptions as ArcEasyOptions,
  type ArcQuestion,
  arcChallengeOptionsSchema as arcEasyOptionsSchema,
  scoreArcLoglikelihoods,
} from '@evalchemy/benchmark-arc_challenge';
export {
  ArcEasyBenchmark,
  type ArcEasySettings,
  arcEasyTestFile,
  createArcEasy,
} from './arc-easy-benchmark.js';
export { VERSION } from './version.js';

/** The arc_easy benchmark with default settings: the plugin object the CLI loads. */
export default createArcEasy();
