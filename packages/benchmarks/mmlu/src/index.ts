import { createMmlu } from './mmlu-benchmark.js';

export {
  createMmlu,
  MmluBenchmark,
  type MmluSample,
  type MmluSettings,
  mmluDataFile,
  mmluHubRevision,
  parseMmluRow,
} from './mmlu-benchmark.js';
export { type MmluOptions, mmluOptionsSchema } from './mmlu-options.js';
export {
  type MmluQuestion,
  mmluChatHistory,
  mmluChatInstruction,
  mmluContext,
  mmluDescription,
  mmluLetters,
  mmluQuestionText,
  pythonStrip,
} from './mmlu-prompt.js';
export {
  aggregateMmlu,
  argmaxIndex,
  extractMmluLetter,
  lmEvalGenerativeAnswer,
  pooledStandardError,
} from './mmlu-scorer.js';
export {
  type MmluCategory,
  type MmluSubject,
  mmluCategories,
  mmluCategoryOf,
  mmluSubjects,
  mmluSubjectTable,
} from './mmlu-subjects.js';
export { VERSION } from './version.js';

/** The mmlu benchmark with default settings: the plugin object the CLI loads. */
export default createMmlu();
