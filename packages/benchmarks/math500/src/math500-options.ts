import { z } from 'zod';

/** Options of `math500` (`tasks.math500` in `--config`). Defaults are Evalchemy's. */
export const math500OptionsSchema = z
  .object({
    /** Upper bound on generated tokens per answer. */
    maxTokens: z.number().int().positive().default(32768),
    /** Sampling temperature. */
    temperature: z.number().min(0).default(0.7),
    /** `equivalent`: lm-eval's is_equiv plus value, list and unit equivalences; `is_equiv`: exactly lm-eval's. */
    grading: z.enum(['equivalent', 'is_equiv']).default('equivalent'),
  })
  .strict();

/** Parsed options of `math500`. */
export type Math500Options = z.infer<typeof math500OptionsSchema>;
