import { z } from 'zod';

/** What `preset: evalchemy` changes: Evalchemy's IFEval evaluates rows 10–509 with 512 new tokens. */
export const ifevalEvalchemyPreset = { maxTokens: 512, startIndex: 10, endIndex: 510 } as const;

/** lm-evaluation-harness's `ifeval` (and Google's definition): every prompt, `max_gen_toks` 1280. */
export const ifevalDefaults = { maxTokens: 1280, startIndex: 0 } as const;

/** Parsed IFEval options: the preset's values, then the user's. */
export interface IfevalOptions {
  /** `evalchemy`: Evalchemy's IFEval (rows 10–509, 512 tokens); absent: the benchmark's definition. */
  preset?: 'evalchemy';
  /** Upper bound on generated tokens per response. */
  maxTokens: number;
  /** First prompt (0-based row of input_data.jsonl) to evaluate. */
  startIndex: number;
  /** One past the last prompt to evaluate; absent: to the end (541). */
  endIndex?: number;
}

/**
 * The options schema with the given defaults (what `createIfeval(settings)` uses). A value the user gives wins
 * over the preset's, which wins over `defaults`, which win over lm-eval's.
 */
export function ifevalOptionsSchemaWith(
  defaults: { maxTokens?: number; startIndex?: number; endIndex?: number } = {},
) {
  const schema = z
    .object({
      /** `evalchemy` reproduces Evalchemy's IFEval number (see README, "Differences from Evalchemy"). */
      preset: z.enum(['evalchemy']).optional(),
      /** Upper bound on generated tokens per response: 1280 (lm-eval), 512 with the evalchemy preset. */
      maxTokens: z.number().int().positive().optional(),
      /** First prompt (0-based row of input_data.jsonl): 0, 10 with the evalchemy preset. */
      startIndex: z.number().int().min(0).optional(),
      /** One past the last prompt: the end (541), 510 with the evalchemy preset. */
      endIndex: z.number().int().positive().optional(),
    })
    .strict()
    // `overwrite` keeps the object schema (the runner lists its keys in the unknown-option message).
    .overwrite((given) => {
      const stated = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
      return {
        ...ifevalDefaults,
        ...defaults,
        ...(given.preset === 'evalchemy' ? ifevalEvalchemyPreset : {}),
        ...stated,
      };
    });
  return schema as unknown as z.ZodType<IfevalOptions, z.input<typeof schema>> & {
    shape: typeof schema.shape;
  };
}

/** Options of the IFEval benchmark (`tasks.ifeval` in `--config`). */
export const ifevalOptionsSchema = ifevalOptionsSchemaWith();
