import { z } from 'zod';

/** Options of the gsm8k benchmark (`tasks.gsm8k` in `--config`). */
export const gsm8kOptionsSchema = z
  .object({
    /** Exemplars drawn from the train split before each question (lm-eval gsm8k: 5; `--num_fewshot`). */
    num_fewshot: z.number().int().min(0).max(100).default(5),
    /** Seed of the few-shot draws (lm-eval's `fewshot_random_seed`, the 4th value of its `--seed`): 1234. */
    fewshot_seed: z.number().int().min(0).default(1234),
  })
  .strict();

export type Gsm8kOptions = z.output<typeof gsm8kOptionsSchema>;
