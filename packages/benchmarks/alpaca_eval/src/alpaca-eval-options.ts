import { z } from 'zod';

/**
 * The options schema of the alpaca_eval benchmark (`tasks.alpaca_eval` in `--config`), with `defaults` in
 * place of the built-in defaults for keys the user leaves out.
 */
export function createAlpacaEvalOptionsSchema(
  defaults: { temperature?: number; max_tokens?: number; length_controlled?: boolean } = {},
) {
  return z
    .object({
      /** Sampling temperature of the evaluated model (Evalchemy's AlpacaBenchmark: 0.5, sampling on). */
      temperature: z
        .number()
        .min(0)
        .default(defaults.temperature ?? 0.5),
      /** New tokens per answer (Evalchemy's `max_tokens`: 1024). */
      max_tokens: z
        .number()
        .int()
        .positive()
        .default(defaults.max_tokens ?? 1024),
      /**
       * Fit the length-controlled GLM and report `length_controlled_winrate` / `lc_standard_error` (needs
       * alpaca_eval's `df_gamed.csv` and `instruction_difficulty.csv`).
       */
      length_controlled: z.boolean().default(defaults.length_controlled ?? true),
    })
    .strict();
}

/** Options of the alpaca_eval benchmark with the built-in defaults. */
export const alpacaEvalOptionsSchema = createAlpacaEvalOptionsSchema();

export type AlpacaEvalOptions = z.output<typeof alpacaEvalOptionsSchema>;
