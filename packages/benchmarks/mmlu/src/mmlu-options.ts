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
    /**
     * Number of `dev` examples of the same subject put before each question. lm-eval 0.4's `mmlu` sets none, so 0
     * (zero-shot) unless `--num_fewshot` says otherwise; the MMLU paper's setting is 5.
     */
    num_fewshot: z.number().int().min(0).max(5).default(0),
  })
  .strict();

export type MmluOptions = z.output<typeof mmluOptionsSchema>;
