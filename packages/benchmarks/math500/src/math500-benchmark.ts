import type { DatasetFileV1 } from '@evalchemy/core';
import { BoxedMathBenchmark } from '@evalchemy/math-grading';
import { type Math500Options, math500OptionsSchema } from './math500-options.js';
import { VERSION } from './version.js';

/** The pinned data file (math500/test.jsonl). */
export const math500Dataset: DatasetFileV1 = {
  hub: {
    repository: 'HuggingFaceH4/MATH-500',
    revision: '6e4ed1a2a79af7d8630a6b768ec859cb5af4d3be',
    path: 'test.jsonl',
  },
  offlinePath: 'math500/test.jsonl',
  sha256: { offline: '35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132' },
};

/** Settings of `createMath500`. */
export interface Math500Settings {
  /** Replaces the pinned data file (a mirror, a test fixture). */
  dataset?: DatasetFileV1;
}

/** MATH-500: 500 competition math problems (PRM800K test split), boxed final answer graded by equivalence. */
export class Math500Benchmark extends BoxedMathBenchmark<Math500Options> {
  constructor(settings: Math500Settings = {}) {
    super({
      id: 'math500',
      version: VERSION,
      description:
        'MATH-500: 500 competition math problems (PRM800K test split), boxed final answer graded by equivalence.',
      optionsSchema: math500OptionsSchema,
      dataset: settings.dataset ?? math500Dataset,
      size: settings.dataset ? undefined : 500,
      repeated: false,
      describeRow(row, index) {
        return {
          id: String(row.unique_id ?? index),
          metadata: { subject: String(row.subject ?? ''), level: Number(row.level ?? 0) },
        };
      },
    });
  }
}

/** A `math500` benchmark; `settings.dataset` replaces the pinned data file. */
export function createMath500(settings: Math500Settings = {}): Math500Benchmark {
  return new Math500Benchmark(settings);
}
