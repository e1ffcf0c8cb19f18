import { z } from 'zod';

/** Options of `amc23` (`tasks.amc23` in `--config`). Defaults are Evalchemy's. */
export const amc23OptionsSchema = z
  .object({
    /** Upper bound on generated tokens per answer. */
    maxTokens: z.number().int().positive().default(32768),
    /** Sampling temperature. */
    temperature: z.number().min(0).default(0.7),
    /** `equivalent`: lm-eval's is_equiv plus value, list and unit equivalences; `is_equiv`: exactly lm-eval's. */
    grading: z.enum(['equivalent', 'is_equiv']).default('equivalent'),
    /** Independent sampled runs per problem (Evalchemy: 10); each reported as `accuracy_run_<i>`. */
    repeats: z.number().int().positive().default(10),
  })
  .strict();

/** Parsed options of `amc23`. */
export type Amc23Options = z.infer<typeof amc23OptionsSchema>;
