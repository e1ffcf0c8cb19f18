export { expressionValues } from './expression-value.js';
export {
  extractBoxedAnswer,
  hendrycksIsEquiv,
  hendrycksStripString,
  lastBoxedOnlyString,
  removeBoxed,
} from './hendrycks-equivalence.js';
export { isEquivalentAnswer, normalizeAnswer } from './math-equivalence.js';
export { type SplitResponse, splitReasoningTrace } from './reasoning-trace.js';
export { aggregateRepeatedAccuracy, runMetricName } from './repeated-accuracy.js';

/** Version of this package (equal to package.json's). */
export const VERSION = '0.1.0';
export {
  BoxedMathBenchmark,
  type BoxedMathDefinition,
  type BoxedMathOptions,
  boxedMathPrompt,
  type MathProblem,
} from './boxed-math-benchmark.js';
