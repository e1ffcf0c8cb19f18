import { createIfeval } from './ifeval-benchmark.js';

export { createIfeval, IFEVAL_INPUT_DATA, IfevalBenchmark, type IfevalSettings } from './ifeval-benchmark.js';
export {
  type IfevalOptions,
  ifevalDefaults,
  ifevalEvalchemyPreset,
  ifevalOptionsSchema,
  ifevalOptionsSchemaWith,
} from './ifeval-options.js';
export { evaluateResponse, type IfevalItem, type IfevalVerdicts, looseVariants } from './ifeval-scorer.js';
export {
  INSTRUCTION_IDS,
  InstructionArgumentError,
  type InstructionArguments,
  type InstructionChecker,
  instructionChecker,
} from './instruction-checkers.js';
export { detectLanguage, detectLanguages, NoLanguageFeaturesError } from './language-detector.js';
export { countSentences, countWords, nltkWordTokenize } from './nltk-tokenizers.js';
export { VERSION } from './version.js';

/** IFEval with default options. */
export default createIfeval();
