import type { DatasetFileV1 } from '@evalchemy/core';
import { BoxedMathBenchmark } from '@evalchemy/math-grading';
import { type Amc23Options, amc23OptionsSchema } from './amc23-options.js';
import { VERSION } from './version.js';

/** The pinned data file (amc23/test.jsonl). */
export const amc23Dataset: DatasetFileV1 = {
  hub: { repository: 'math-ai/amc23', revision: 'main', path: 'test-00000-of-00001.jsonl' },
  offlinePath: 'amc23/test.jsonl',
  sha256: { offline: '43707e1ca784602d8479de24ee8ce36609dbebc46dd152b0b12a46611aa898a4' },
};

/** Settings of `createAmc23`. */
export interface Amc23Settings {
  /** Replaces the pinned data file (a mirror, a test fixture). */
  dataset?: DatasetFileV1;
}

/** AMC 2023: 40 problems (12A/12B), 10 sampled runs, boxed answer graded by equivalence. */
export class Amc23Benchmark extends BoxedMathBenchmark<Amc23Options> {
  constructor(settings: Amc23Settings = {}) {
    super({
      id: 'amc23',
      version: VERSION,
      description: 'AMC 2023: 40 problems (12A/12B), 10 sampled runs, boxed answer graded by equivalence.',
      optionsSchema: amc23OptionsSchema,
      dataset: settings.dataset ?? amc23Dataset,
      size: settings.dataset ? undefined : 40,
      repeated: true,
      describeRow(row, index) {
        return { id: String(row.id ?? index), metadata: {} };
      },
    });
  }
}

/** A `amc23` benchmark; `settings.dataset` replaces the pinned data file. */
export function createAmc23(settings: Amc23Settings = {}): Amc23Benchmark {
  return new Amc23Benchmark(settings);
}
