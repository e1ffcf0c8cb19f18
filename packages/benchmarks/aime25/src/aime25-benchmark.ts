import type { DatasetFileV1 } from '@evalchemy/core';
import { BoxedMathBenchmark } from '@evalchemy/math-grading';
import { type Aime25Options, aime25OptionsSchema } from './aime25-options.js';
import { VERSION } from './version.js';

/**
 * The pinned data file (aime25/test.jsonl). The Hub commit and `test.jsonl`'s sha256 come from public evaluation
 * code that downloads `math-ai/aime25/resolve/563bb840…/test.jsonl` and checks it against that hash (other
 * projects pin the same commit and file); not checked against the Hub from here.
 */
export const aime25Dataset: DatasetFileV1 = {
  hub: {
    repository: 'math-ai/aime25',
    revision: '563bb8404243c5f09de6ec262f2db674fe5bce9b',
    path: 'test.jsonl',
  },
  offlinePath: 'aime25/test.jsonl',
  sha256: {
    offline: '19a9f25a12e89abaeea9f7e214f8b6f6eae43285e9d8df7a3818ca0408df4b07',
    hub: 'b4e273c02d3e7fe1b74b59eae768fc8230bfb0f79539890cb56f4361caac0331',
  },
};

/** Settings of `createAime25`. */
export interface Aime25Settings {
  /** Replaces the pinned data file (a mirror, a test fixture). */
  dataset?: DatasetFileV1;
}

/** AIME 2025: 30 integer-answer problems, 10 sampled runs, boxed answer graded by equivalence. */
export class Aime25Benchmark extends BoxedMathBenchmark<Aime25Options> {
  constructor(settings: Aime25Settings = {}) {
    super({
      id: 'aime25',
      version: VERSION,
      description:
        'AIME 2025: 30 integer-answer problems, 10 sampled runs, boxed answer graded by equivalence.',
      optionsSchema: aime25OptionsSchema,
      dataset: settings.dataset ?? aime25Dataset,
      size: settings.dataset ? undefined : 30,
      repeated: true,
      describeRow(row, index) {
        return { id: String(row.id ?? index), metadata: {} };
      },
    });
  }
}

/** A `aime25` benchmark; `settings.dataset` replaces the pinned data file. */
export function createAime25(settings: Aime25Settings = {}): Aime25Benchmark {
  return new Aime25Benchmark(settings);
}
