import { z } from 'zod';

/** Parsed options of `gpqa_diamond`. */
export interface GpqaDiamondOptions {
  /** `evalchemy`: Evalchemy's GPQADiamond (its fixed choice order); absent: choices shuffled per question and run. */
  preset?: 'evalchemy';
  maxTokens: number;
  temperature: number;
  repeats: number;
  choiceOrder: 'shuffled' | 'evalchemy';
}

const schema = z
  .object({
    /** `evalchemy` reproduces Evalchemy's number: `choiceOrder: evalchemy` unless given (README). */
    preset: z.enum(['evalchemy']).optional(),
    /** Upper bound on generated tokens per answer. */
    maxTokens: z.number().int().positive().default(32768),
    /** Sampling temperature. */
    temperature: z.number().min(0).default(0.7),
    /** Runs over all 198 questions (Evalchemy: 3); each reported as `accuracy_run_<i>`. */
    repeats: z.number().int().positive().default(3),
    /**
     * `shuffled` (default): choices shuffled per question and run, from the run seed (see README). `evalchemy`
     * (the preset's): the one order Evalchemy's `random.Random(42).shuffle` gives every question (the correct
     * answer is always D).
     */
    choiceOrder: z.enum(['shuffled', 'evalchemy']).optional(),
  })
  .strict()
  // `overwrite` keeps the object schema (the runner lists its keys in the unknown-option message).
  .overwrite((given) => ({
    ...given,
    choiceOrder: given.choiceOrder ?? (given.preset === 'evalchemy' ? 'evalchemy' : 'shuffled'),
  }));

/** Options of `gpqa_diamond` (`tasks.gpqa_diamond` in `--config`). Defaults are Evalchemy's except `choiceOrder`. */
export const gpqa_diamondOptionsSchema = schema as unknown as z.ZodType<
  GpqaDiamondOptions,
  z.input<typeof schema>
> & {
  shape: typeof schema.shape;
};
