import { createMTBench } from './mtbench-benchmark.js';

export {
  createMTBench,
  DEFAULT_JUDGE_MODEL,
  MAX_NEW_TOKENS,
  MTBenchBenchmark,
  type MTBenchSettings,
  temperatureConfig,
  temperatureForCategory,
} from './mtbench-benchmark.js';
export {
  type JudgePromptSet,
  type JudgePromptTemplate,
  judgePromptsFile,
  loadJudgePrompts,
  loadQuestions,
  type MTBenchQuestion,
  questionFile,
  referenceAnswerFile,
  referenceCategories,
} from './mtbench-data.js';
export { buildJudgeRequest, formatTemplate, type JudgeRequest } from './mtbench-judge-prompt.js';
export {
  createMTBenchOptionsSchema,
  type MTBenchCategory,
  type MTBenchOptions,
  mtBenchCategories,
  mtBenchOptionsSchema,
} from './mtbench-options.js';
export { aggregateMTBench, parseRating, scoreMTBenchSample, type TurnJudgment } from './mtbench-scorer.js';
export { VERSION } from './version.js';

/** The mtbench plugin: an instance with default options. */
const mtBench = createMTBench();
export default mtBench;
