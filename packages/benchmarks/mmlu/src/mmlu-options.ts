import { z } from 'zod';
import { type MmluSubject, mmluSubjects } from './mmlu-subjects.js';

/** Options of the mmlu benchmark (`tasks.mmlu` in `--config`). */
export const mmluOptionsSchema = z
  .object({
    /** Subjects to evaluate (Hub config names such as `abstract_algebra`); default all 57. */
    subjects: z
      .array(z.enum(mmluSubjects as [MmluSubject, ...MmluSubject[]]))
      .min(1)
      .optional(),
    /** Number of `dev` examples of the same subject put before each question (lm-eval: 5). */
    num_fewshot: z.number().int().min(0).max(5).default(5),
  })
  .strict();

export type MmluOptions = z.output<typeof mmluOptionsSchema>;
