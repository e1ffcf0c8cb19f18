import { z } from 'zod';
import { hendrycksMathSubjectTasks } from './hendrycks-math-subjects.js';

/** Options of the hendrycks_math benchmark (`tasks.hendrycks_math` in `--config`). */
export const hendrycksMathOptionsSchema = z
  .object({
    /**
     * The subject tasks to run (lm-eval's names, `hendrycks_math_algebra`, …); default all seven, lm-eval's
     * `hendrycks_math` group. With fewer, the group metric covers the subjects run.
     */
    subjects: z
      .array(z.enum(hendrycksMathSubjectTasks))
      .min(1)
      .default([...hendrycksMathSubjectTasks]),
    /**
     * Exemplars before the problem. lm-eval's default is 0 (its yaml sets none); drawing few-shot exemplars
     * from the train split as lm-eval does is not implemented, so 0 is the only value accepted.
     */
    num_fewshot: z.literal(0).default(0),
  })
  .strict();

export type HendrycksMathOptions = z.output<typeof hendrycksMathOptionsSchema>;
