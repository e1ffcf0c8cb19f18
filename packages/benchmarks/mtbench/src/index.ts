import { createMTBench } from './mtbench-benchmark.js';

export {
  createMTBench,
  DEFAULT_JUDGE_MODEL,
  MAX_NEW_TOKENS,
  MTBenchBenchmark,
  type MTBenchSettings,
  opponentsOf,
  temperatureConfig,
  temperatureForCategory,
} from './mtbench-benchmark.js';
export {
  type JudgePromptSet,
  type JudgePromptTemplate,
  judgePromptsFile,
  loadJudgePrompts,
  loadPairwiseJudgePrompts,
  loadQuestions,
  type MTBenchQuestion,
  type OpponentAnswer,
  questionFile,
  referenceAnswerFile,
  referenceCategories,
} from './mtbench-data.js';
export {
  buildJudgeRequest,
  buildPairwiseJudgeRequest,
  formatTemplate,
  type JudgeRequest,
} from './mtbench-judge-prompt.js';
export {
  baselineAnswerFile,
  DEFAULT_BASELINE_MODEL,
  loadModelAnswers,
  modelAnswerFile,
  type PregeneratedModel,
  pregeneratedModels,
} from './mtbench-model-answers.js';
export {
  createMTBenchOptionsSchema,
  type MTBenchCategory,
  type MTBenchMode,
  type MTBenchOptionDefaults,
  type MTBenchOptions,
  mtBenchCategories,
  mtBenchModes,
  mtBenchOptionsSchema,
} from './mtbench-options.js';
export {
  aggregateMTBenchPairwise,
  gameOutcome,
  type PairwiseGame,
  type PairwiseJudgment,
  type PairwiseVerdict,
  type PairwiseWinner,
  parsePairwiseVerdict,
  scoreMTBenchPairwiseSample,
} from './mtbench-pairwise-scorer.js';
export { aggregateMTBench, parseRating, scoreMTBenchSample, type TurnJudgment } from './mtbench-scorer.js';
export { VERSION } from './version.js';

/** The mtbench plugin: an instance with default options. */
const mtBench = createMTBench();
export default mtBench;
