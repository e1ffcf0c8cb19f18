import type { DatasetFileV1 } from '@evalchemy/core';

/** The Hub commit of `EleutherAI/hendrycks_math` the test files are pinned to (the parquet conversion). */
export const hendrycksMathRevision = '21a5633873b6a120296cce3e2df9d5550074f4a3';

/**
 * The seven subject tasks of lm-eval's `hendrycks_math` group: the task name, the Hub dataset config and the
 * number of test problems (5000 in all).
 */
export const hendrycksMathSubjects = [
  { task: 'hendrycks_math_algebra', config: 'algebra', size: 1187 },
  { task: 'hendrycks_math_counting_and_prob', config: 'counting_and_probability', size: 474 },
  { task: 'hendrycks_math_geometry', config: 'geometry', size: 479 },
  { task: 'hendrycks_math_intermediate_algebra', config: 'intermediate_algebra', size: 903 },
  { task: 'hendrycks_math_num_theory', config: 'number_theory', size: 540 },
  { task: 'hendrycks_math_prealgebra', config: 'prealgebra', size: 871 },
  { task: 'hendrycks_math_precalc', config: 'precalculus', size: 546 },
] as const;

/** An lm-eval subject task name (`hendrycks_math_algebra`, …). */
export type HendrycksMathSubject = (typeof hendrycksMathSubjects)[number]['task'];

/** The subject task names, in lm-eval's group order. */
export const hendrycksMathSubjectTasks = hendrycksMathSubjects.map((subject) => subject.task) as [
  HendrycksMathSubject,
  ...HendrycksMathSubject[],
];

/** A split of the MATH data: `test` is scored, `train` holds lm-eval's few-shot exemplars. */
export type HendrycksMathSplit = 'test' | 'train';

/**
 * A split of one subject on the Hub. There is no offline copy in shared/datasets and no published sha256: the
 * Hub hash is recorded on first download; an offline copy must be this same parquet file.
 */
export function hendrycksMathFile(subject: HendrycksMathSubject, split: HendrycksMathSplit): DatasetFileV1 {
  const config = hendrycksMathSubjects.find((entry) => entry.task === subject)?.config ?? subject;
  return {
    hub: {
      repository: 'EleutherAI/hendrycks_math',
      revision: hendrycksMathRevision,
      path: `${config}/${split}-00000-of-00001.parquet`,
    },
    offlinePath: `hendrycks_math/${config}/${split}-00000-of-00001.parquet`,
    sha256: { offline: '' },
  };
}

/** The test split of one subject (`hendrycksMathFile(subject, 'test')`). */
export function hendrycksMathTestFile(subject: HendrycksMathSubject): DatasetFileV1 {
  return hendrycksMathFile(subject, 'test');
}
