import { z } from 'zod';

/** The options schema with the given defaults (what `createIfeval(settings)` uses). */
export function ifevalOptionsSchemaWith(
  defaults: { maxTokens?: number; startIndex?: number; endIndex?: number } = {},
) {
  return z
    .object({
      /** Upper bound on generated tokens per response; Evalchemy's IFEval uses 512 (lm-evaluation-harness 1280). */
      maxTokens: z
        .number()
        .int()
        .positive()
        .default(defaults.maxTokens ?? 512),
      /** First prompt (0-based row of input_data.jsonl) to evaluate. Evalchemy evaluates rows 10–509. */
      startIndex: z
        .number()
        .int()
        .min(0)
        .default(defaults.startIndex ?? 0),
      /** One past the last prompt to evaluate; default: to the end (541). */
      endIndex: z
        .number()
        .int()
        .positive()
        .optional()
        .transform((value) => value ?? defaults.endIndex),
    })
    .strict();
}

/** Options of the IFEval benchmark (`tasks.ifeval` in `--config`). */
export const ifevalOptionsSchema = ifevalOptionsSchemaWith();

/** Parsed IFEval options. */
export type IfevalOptions = z.infer<typeof ifevalOptionsSchema>;
