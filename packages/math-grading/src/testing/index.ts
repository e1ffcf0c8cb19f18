export {
  type BoxedMathBenchmarkSuiteSettings,
  runBoxedMathBenchmarkSuite,
} from './boxed-math-benchmark-suite.js';
