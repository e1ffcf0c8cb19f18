import { createHendrycksMath } from './hendrycks-math-benchmark.js';

export {
  createHendrycksMath,
  HendrycksMathBenchmark,
  type HendrycksMathSettings,
} from './hendrycks-math-benchmark.js';
export { type HendrycksMathOptions, hendrycksMathOptionsSchema } from './hendrycks-math-options.js';
export {
  aggregateHendrycksMath,
  type HendrycksMathExemplar,
  type HendrycksMathProblem,
  hendrycksMathGoldAnswer,
  hendrycksMathPrompt,
  hendrycksMathResponseAnswer,
  scoreHendrycksMathResponse,
  subjectMetricName,
} from './hendrycks-math-scorer.js';
export {
  type HendrycksMathSplit,
  type HendrycksMathSubject,
  hendrycksMathFile,
  hendrycksMathRevision,
  hendrycksMathSubjects,
  hendrycksMathSubjectTasks,
  hendrycksMathTestFile,
} from './hendrycks-math-subjects.js';
export { VERSION } from './version.js';

/** The hendrycks_math benchmark with default settings: the plugin object the CLI loads. */
export default createHendrycksMath();
