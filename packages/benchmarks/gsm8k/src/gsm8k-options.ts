import { z } from 'zod';

/** Options of the gsm8k benchmark (`tasks.gsm8k` in `--config`). */
export const gsm8kOptionsSchema = z
  .object({
    /** Number of the fixed chain-of-thought exemplars put before the question (lm-eval gsm8k_cot: 8). */
    num_fewshot: z.number().int().min(0).max(8).default(8),
  })
  .strict();

export type Gsm8kOptions = z.output<typeof gsm8kOptionsSchema>;
