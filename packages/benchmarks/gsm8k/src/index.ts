import { createGsm8k } from './gsm8k-benchmark.js';

export {
  createGsm8k,
  Gsm8kBenchmark,
  type Gsm8kSample,
  type Gsm8kSettings,
  gsm8kTestFile,
  gsm8kTrainFile,
} from './gsm8k-benchmark.js';
export { gsm8kFewshotIndices, lmEvalFewshotSeed } from './gsm8k-fewshot.js';
export { type Gsm8kOptions, gsm8kOptionsSchema } from './gsm8k-options.js';
export {
  type Gsm8kProblem,
  gsm8kChatHistory,
  gsm8kCompletionPrompt,
  gsm8kMaxTokens,
  gsm8kQuestionText,
  gsm8kStopStrings,
} from './gsm8k-prompt.js';
export {
  applyRegexFilter,
  flexibleAnswerPattern,
  gsm8kExactMatch,
  gsm8kGoldAnswer,
  invalidAnswer,
  normalizeGsm8kAnswer,
  scoreGsm8kResponse,
  strictAnswerPattern,
} from './gsm8k-scorer.js';
export { VERSION } from './version.js';

/** The gsm8k benchmark with default settings: the plugin object the CLI loads. */
export default createGsm8k();
