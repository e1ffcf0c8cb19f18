import { createArcChallenge } from './arc-challenge-benchmark.js';

export {
  ArcBenchmark,
  ArcChallengeBenchmark,
  type ArcChallengeSettings,
  type ArcSetDefinition,
  arcChallengeTestFile,
  createArcChallenge,
} from './arc-challenge-benchmark.js';
export { type ArcChallengeOptions, arcChallengeOptionsSchema } from './arc-challenge-options.js';
export {
  type ArcQuestion,
  arcChatPrompt,
  arcGoldIndex,
  arcQuestionText,
  extractArcLetter,
  scoreArcLoglikelihoods,
} from './arc-challenge-scorer.js';
export { VERSION } from './version.js';

/** The arc_challenge benchmark with default settings: the plugin object the CLI loads. */
export default createArcChallenge();
