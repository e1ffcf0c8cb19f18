import { createAlpacaEval } from './alpaca-eval-benchmark.js';

export { aggregateAlpacaEval } from './alpaca-eval-aggregate.js';
export {
  AlpacaEvalBenchmark,
  type AlpacaEvalSettings,
  createAlpacaEval,
  lengthControlledUnavailableMessage,
} from './alpaca-eval-benchmark.js';
export {
  type AlpacaEvalInstruction,
  baselineOutputsFile,
  evalSetFile,
  gamedAnnotationsFile,
  instructionDifficultyFile,
  loadInstructions,
} from './alpaca-eval-data.js';
export {
  type AnnotatorConfiguration,
  alpacaEvalClfTemplate,
  alpacaEvalGpt4Template,
  annotatorConfiguration,
  buildJudgeMessages,
  DEFAULT_JUDGE_MODEL,
  formatTemplate,
  promptToChatml,
} from './alpaca-eval-judge-prompt.js';
export { describeHead2Head, pairwiseSum, type WinRateMetrics } from './alpaca-eval-metrics.js';
export {
  type AlpacaEvalOptions,
  alpacaEvalOptionsSchema,
  createAlpacaEvalOptionsSchema,
} from './alpaca-eval-options.js';
export { parseLogprobPreference, parsePythonLiteral, parseRankingPreference } from './alpaca-eval-parsers.js';
export { isSwitched, pythonLength, scoreAlpacaEvalSample } from './alpaca-eval-scorer.js';
export {
  type GamedRow,
  type GlmWeights,
  type LengthControlledResult,
  type LengthControlRow,
  lengthControlledWinRate,
  logistic,
  parseGamedRows,
  predictWinRate,
} from './length-controlled.js';
export { fitLogisticRegressionCV } from './logistic-regression-cv.js';
export { VERSION } from './version.js';

/** The alpaca_eval plugin: an instance with default options. */
const alpacaEval = createAlpacaEval();
export default alpacaEval;
