import type { DatasetFileV1 } from '@evalchemy/core';
import { BoxedMathBenchmark } from '@evalchemy/math-grading';
import { type Aime24Options, aime24OptionsSchema } from './aime24-options.js';
import { VERSION } from './version.js';

/**
 * The pinned data file (aime24/test.jsonl). The Hub commit and the parquet's sha256 come from public evaluation
 * code that downloads `HuggingFaceH4/aime_2024/resolve/2fe88a2f…/data/train-00000-of-00001.parquet` and checks
 * it against that hash (several other projects pin the same commit); not checked against the Hub from here.
 */
export const aime24Dataset: DatasetFileV1 = {
  hub: {
    repository: 'HuggingFaceH4/aime_2024',
    revision: '2fe88a2f1091d5048c0f36abc874fb997b3dd99a',
    path: 'data/train-00000-of-00001.parquet',
  },
  offlinePath: 'aime24/test.jsonl',
  sha256: {
    offline: 'af2b8bd2aa911b6333ad0df32f3ca05c7ae8ed10f1731f4372c8ae26990bf7ac',
    hub: '26139847601a5037c237d5928b195e7260ca8074cf4f264b794af42847f79ccf',
  },
};

/** Settings of `createAime24`. */
export interface Aime24Settings {
  /** Replaces the pinned data file (a mirror, a test fixture). */
  dataset?: DatasetFileV1;
}

/** AIME 2024: 30 integer-answer problems, 10 sampled runs, boxed answer graded by equivalence. */
export class Aime24Benchmark extends BoxedMathBenchmark<Aime24Options> {
  constructor(settings: Aime24Settings = {}) {
    super({
      id: 'aime24',
      version: VERSION,
      description:
        'AIME 2024: 30 integer-answer problems, 10 sampled runs, boxed answer graded by equivalence.',
      optionsSchema: aime24OptionsSchema,
      dataset: settings.dataset ?? aime24Dataset,
      size: settings.dataset ? undefined : 30,
      repeated: true,
      describeRow(row, index) {
        return { id: String(row.id ?? index), metadata: {} };
      },
    });
  }
}

/** A `aime24` benchmark; `settings.dataset` replaces the pinned data file. */
export function createAime24(settings: Aime24Settings = {}): Aime24Benchmark {
  return new Aime24Benchmark(settings);
}
