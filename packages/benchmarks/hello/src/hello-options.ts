import { z } from 'zod';

// What a new benchmark changes here: the settings a user may change under `tasks.<id>` in `--config`, named
// as the reference implementation names them (lm-eval's `num_fewshot`, Evalchemy's `temperature`). Every
// option has a default, so `{}` is valid; `.strict()` turns an unknown key into an error naming it.

/** Options of the hello benchmark (`tasks.hello` in `--config`). */
export const helloOptionsSchema = z
  .object({
    /** Worked examples (`helloExemplars`) asked and answered before the question: 0 to 2, default 0. */
    num_fewshot: z.number().int().min(0).max(2).default(0),
  })
  .strict();

/** Parsed options of the hello benchmark. */
export type HelloOptions = z.output<typeof helloOptionsSchema>;
