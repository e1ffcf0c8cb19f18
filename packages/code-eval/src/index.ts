export {
  CodeBenchmark,
  type CodeBenchmarkOptions,
  type CodeGenerationDefaults,
  type EvalPlusBenchmarkOptions,
  EvalPlusCodeBenchmark,
  type EvalPlusProblem,
  evalPlusOptionsShape,
  scoreTestPrograms,
  type TestProgramBenchmarkOptions,
  TestProgramCodeBenchmark,
  testProgramOptionsShape,
} from './code-benchmark.js';
export {
  CodeExecutor,
  type EvalPlusTask,
  type ExecuteOptions,
  type TimeLimitSettings,
} from './code-executor.js';
export {
  extractHumanEvalChatCode,
  extractLmEvalCodeBlock,
  extractMbppChatCode,
  truncateAtStopSequences,
} from './code-extraction.js';
export {
  chooseGenerationMode,
  codeBenchmarkOptionsShape,
  type GenerationMode,
  samplingTemperature,
} from './code-options.js';
export { aggregatePassAtK } from './pass-at-k.js';
export {
  EVALCHEMY_PYTHON_IMPORTS,
  evalchemyHumanEvalProgram,
  humanEvalProgram,
  mbppProgram,
  type TestProgram,
} from './test-program.js';
export { type EvalPlusOutcome, isPassed, type ProgramOutcome, type Verdict } from './verdict.js';

/** Version of this package. */
export const VERSION = '0.1.0';
export { type EvalPlusRecord, parseEvalPlusRecord, readEvalPlusRecords } from './evalplus-records.js';
export {
  aggregateEvalPlus,
  evalPlusCompletionPrompt,
  evalPlusCompletionSolution,
  evalPlusStopSequences,
  scoreEvalPlusSolutions,
} from './evalplus-scoring.js';
export { formatMbppExample, type MbppPromptExample, mbppChatInstruction } from './mbpp-prompt.js';
