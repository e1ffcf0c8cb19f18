import { z } from 'zod';

/** The eight MT-Bench categories, 10 questions each, in the order of question.jsonl. */
export const mtBenchCategories = [
  'writing',
  'roleplay',
  'reasoning',
  'math',
  'coding',
  'extraction',
  'stem',
  'humanities',
] as const;

export type MTBenchCategory = (typeof mtBenchCategories)[number];

/**
 * The options schema of the mtbench benchmark (`tasks.mtbench` in `--config`), with `defaults` in place of
 * the built-in defaults for keys the user leaves out.
 */
export function createMTBenchOptionsSchema(
  defaults: { categories?: MTBenchCategory[]; judge_max_tokens?: number } = {},
) {
  const categories = z.array(z.enum(mtBenchCategories)).min(1);
  return z
    .object({
      /** Run only the questions of these categories. Default: all eight (80 questions). */
      categories:
        defaults.categories === undefined ? categories.optional() : categories.default(defaults.categories),
      /** Upper bound on the judge's answer in tokens (FastChat's OpenAI judge: 2048). */
      judge_max_tokens: z
        .number()
        .int()
        .positive()
        .default(defaults.judge_max_tokens ?? 2048),
    })
    .strict();
}

/** Options of the mtbench benchmark with the built-in defaults. */
export const mtBenchOptionsSchema = createMTBenchOptionsSchema();

export type MTBenchOptions = z.output<typeof mtBenchOptionsSchema>;
