import type { DatasetFileV1 } from '@evalchemy/core';
import { BoxedMathBenchmark } from '@evalchemy/math-grading';
import { type Amc23Options, amc23OptionsSchema } from './amc23-options.js';
import { VERSION } from './version.js';

/**
 * The pinned data file (amc23/test.jsonl). On the Hub the 40 problems are a parquet file; its commit comes from
 * public evaluation code that downloads `math-ai/amc23/resolve/80815d37…/test-00000-of-00001.parquet` (two
 * projects pin that commit and file); not checked against the Hub from here, so its sha256 is recorded on first
 * download.
 */
export const amc23Dataset: DatasetFileV1 = {
  hub: {
    repository: 'math-ai/amc23',
    revision: '80815d37005feb82cd7f8fbc6901d5d3eff43057',
    path: 'test-00000-of-00001.parquet',
  },
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
