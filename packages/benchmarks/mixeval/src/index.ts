import { createMixEval } from './mixeval-benchmark.js';

export {
  BASE_MODEL_MAX_NEW_TOKENS,
  CHAT_MAX_NEW_TOKENS,
  createMixEval,
  DEFAULT_JUDGE_MODEL,
  MixEvalBenchmark,
  type MixEvalSettings,
} from './mixeval-benchmark.js';
export {
  loadMixEvalSplit,
  type MixEvalBenchmarkName,
  type MixEvalItem,
  type MixEvalVersion,
  mixEvalFile,
  mixEvalSplits,
  mixEvalVersions,
} from './mixeval-data.js';
export {
  createMixEvalOptionsSchema,
  type MixEvalOptionDefaults,
  type MixEvalOptions,
  mixEvalOptionsSchema,
} from './mixeval-options.js';
export {
  extractBaseModelResponse,
  isValidJudgeScore,
  parseJudgeOption,
  parseJudgeScore,
  pythonRound,
} from './mixeval-parser.js';
export {
  buildBaseModelPrompt,
  buildFreeFormJudgeMessages,
  buildFreeFormPrompt,
  buildMultipleChoiceJudgeMessages,
  buildMultipleChoicePrompt,
  formatOptions,
  type MixEvalPromptFields,
  type MixEvalSplit,
} from './mixeval-prompts.js';
export {
  aggregateMixEval,
  fallbackVerdict,
  judgeRoles,
  type MixEvalSampleData,
  scoreMixEvalSample,
} from './mixeval-scorer.js';
export { VERSION } from './version.js';

/** The mixeval plugin: an instance with default options. */
const mixEval = createMixEval();
export default mixEval;
