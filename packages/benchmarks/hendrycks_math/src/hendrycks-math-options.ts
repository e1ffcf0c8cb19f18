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
     * Solved train problems before the problem (lm-eval `--num_fewshot`; default 0, as lm-eval's yaml sets none),
     * drawn as lm-eval draws them: `random.Random(fewshot_seed).sample(train, n)` per subject, in turn for each
     * test problem in order.
     */
    num_fewshot: z.number().int().min(0).default(0),
    /** Seed of the few-shot sampler (lm-eval's fewshot random seed, the fourth value of its `--seed`). */
    fewshot_seed: z.number().int().min(0).default(1234),
  })
  .strict();

export type HendrycksMathOptions = z.output<typeof hendrycksMathOptionsSchema>;
