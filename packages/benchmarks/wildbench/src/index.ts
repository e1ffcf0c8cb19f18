import { createWildBench } from './wildbench-benchmark.js';

export { VERSION } from './version.js';
export {
  createWildBench,
  DEFAULT_JUDGE_MODEL,
  MAX_NEW_TOKENS,
  WildBenchBenchmark,
  type WildBenchSettings,
} from './wildbench-benchmark.js';
export {
  loadReferenceOutputs,
  loadTasks,
  referenceOutputsFile,
  taskCategoryOfTag,
  taskCategorySlugs,
  taskCategoryWeights,
  type WildBenchTask,
  wildBenchTestFile,
} from './wildbench-data.js';
export {
  buildPairwisePrompt,
  buildScorePrompt,
  clearOutput,
  formatChecklist,
  formatHistory,
  type PairwiseOrder,
  type PairwisePrompt,
  shorten,
} from './wildbench-judge-prompt.js';
export {
  createWildBenchOptionsSchema,
  referenceModels,
  type WildBenchOptions,
  type WildBenchReferenceModel,
  wildBenchOptionsSchema,
} from './wildbench-options.js';
export {
  aggregateRewards,
  aggregateScores,
  outcomeOf,
  scoreWithRating,
  scoreWithReward,
  type WildBenchSampleData,
} from './wildbench-scorer.js';
export { pairwiseTemplateV2, scoreTemplateV2 } from './wildbench-templates.js';
export {
  type PairwiseChoice,
  parseChoice,
  parseJudgment,
  parseScore,
  pythonFloat,
} from './wildbench-verdict.js';

/** The wildbench plugin: an instance with default options (WB-Score). */
const wildBench = createWildBench();
export default wildBench;
