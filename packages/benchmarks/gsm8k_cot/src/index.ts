import { createGsm8kCot } from './gsm8k-cot-benchmark.js';

export {
  createGsm8kCot,
  Gsm8kCotBenchmark,
  type Gsm8kCotProblem,
  type Gsm8kCotSettings,
  gsm8kTestFile,
} from './gsm8k-cot-benchmark.js';
export { type Gsm8kCotOptions, gsm8kCotOptionsSchema } from './gsm8k-cot-options.js';
export {
  gsm8kCotChatHistory,
  gsm8kCotCompletionPrompt,
  gsm8kCotExemplars,
  gsm8kCotMaxTokens,
  gsm8kCotQuestionText,
  gsm8kCotStopStrings,
} from './gsm8k-cot-prompt.js';
export {
  applyRegexFilter,
  flexibleAnswerPattern,
  gsm8kExactMatch,
  gsm8kGoldAnswer,
  invalidAnswer,
  normalizeGsm8kAnswer,
  scoreGsm8kCotResponse,
  strictAnswerPattern,
} from './gsm8k-cot-scorer.js';
export { VERSION } from './version.js';

/** The gsm8k_cot benchmark with default settings: the plugin object the CLI loads. */
export default createGsm8kCot();
