import { z } from 'zod';
import { type PregeneratedModel, pregeneratedModels } from './mtbench-model-answers.js';

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

/** FastChat's `gen_judgment.py --mode` values. */
export const mtBenchModes = ['single', 'pairwise-baseline', 'pairwise-all'] as const;

export type MTBenchMode = (typeof mtBenchModes)[number];

/** Defaults `createMTBenchOptionsSchema` puts in place of the built-in ones. */
export interface MTBenchOptionDefaults {
  categories?: MTBenchCategory[];
  judge_max_tokens?: number;
  mode?: MTBenchMode;
  baseline_model?: PregeneratedModel;
  opponents?: PregeneratedModel[];
}

function withDefault<T extends z.ZodType>(schema: T, value: z.output<T> | undefined) {
  // `.default` types its argument through zod's util types; the cast keeps one optional-or-default shape.
  return value === undefined
    ? schema.optional()
    : (schema.default(value as never) as unknown as z.ZodOptional<T>);
}

/**
 * The options schema of the mtbench benchmark (`tasks.mtbench` in `--config`), with `defaults` in place of
 * the built-in defaults for keys the user leaves out. Keys left out without a default stay absent (`mode`:
 * single, `baseline_model`: gpt-3.5-turbo, `opponents`: every pregenerated model).
 */
export function createMTBenchOptionsSchema(defaults: MTBenchOptionDefaults = {}) {
  const opponents = z
    .array(z.enum(pregeneratedModels))
    .min(1)
    .refine((models) => new Set(models).size === models.length, 'each opponent once');
  return z
    .object({
      /** Run only the questions of these categories. Default: all eight (80 questions). */
      categories: withDefault(z.array(z.enum(mtBenchCategories)).min(1), defaults.categories),
      /** Upper bound on the judge's answer in tokens (FastChat's OpenAI judge: 2048). */
      judge_max_tokens: z
        .number()
        .int()
        .positive()
        .default(defaults.judge_max_tokens ?? 2048),
      /**
       * FastChat's `--mode`: `single` (rate each answer 1-10, the default), `pairwise-baseline` (compare with
       * `baseline_model`'s answers) or `pairwise-all` (compare with each of `opponents`).
       */
      mode: withDefault(z.enum(mtBenchModes), defaults.mode),
      /** pairwise-baseline: the pregenerated model compared with. Default `gpt-3.5-turbo` (FastChat's). */
      baseline_model: withDefault(z.enum(pregeneratedModels), defaults.baseline_model),
      /** pairwise-all: the pregenerated models compared with. Default: all 31. */
      opponents: withDefault(opponents, defaults.opponents),
    })
    .strict();
}

/** Options of the mtbench benchmark with the built-in defaults. */
export const mtBenchOptionsSchema = createMTBenchOptionsSchema();

export type MTBenchOptions = z.output<typeof mtBenchOptionsSchema>;
