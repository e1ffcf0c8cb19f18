import { z } from 'zod';

/** Options of the gsm8k_cot benchmark (`tasks.gsm8k_cot` in `--config`). */
export const gsm8kCotOptionsSchema = z
  .object({
    /** Number of the fixed chain-of-thought exemplars put before the question (lm-eval gsm8k_cot: 8). */
    num_fewshot: z.number().int().min(0).max(8).default(8),
  })
  .strict();

export type Gsm8kCotOptions = z.output<typeof gsm8kCotOptionsSchema>;
