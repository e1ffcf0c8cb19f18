import { z } from 'zod';

/** Options of `gpqa_diamond` (`tasks.gpqa_diamond` in `--config`). Defaults are Evalchemy's except `choiceOrder`. */
export const gpqa_diamondOptionsSchema = z
  .object({
    /** Upper bound on generated tokens per answer. */
    maxTokens: z.number().int().positive().default(32768),
    /** Sampling temperature. */
    temperature: z.number().min(0).default(0.7),
    /** Runs over all 198 questions (Evalchemy: 3); each reported as `accuracy_run_<i>`. */
    repeats: z.number().int().positive().default(3),
    /**
     * `shuffled`: choices shuffled per question and run, from the run seed (see README). `evalchemy`: the one
     * order Evalchemy's `random.Random(42).shuffle` gives every question (the correct answer is always D).
     */
    choiceOrder: z.enum(['shuffled', 'evalchemy']).default('shuffled'),
  })
  .strict();

/** Parsed options of `gpqa_diamond`. */
export type GpqaDiamondOptions = z.infer<typeof gpqa_diamondOptionsSchema>;
