import { z } from 'zod';

/** The reference models whose answers WildBench publishes for WB-Reward (`allenai/WildBench-V2-Model-Outputs`). */
export const referenceModels = [
  'gpt-4-turbo-2024-04-09',
  'claude-3-haiku-20240307',
  'Llama-2-70b-chat-hf',
] as const;

export type WildBenchReferenceModel = (typeof referenceModels)[number];

const sha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a sha256 is 64 hex digits')
  .transform((value) => value.toLowerCase());

/** Built-in defaults of the wildbench options. */
export const wildBenchDefaults = {
  mode: 'score',
  reference_model: 'gpt-4-turbo-2024-04-09',
  length_penalty: 500,
  max_words: 1000,
  judge_max_tokens: 4096,
  seed: 42,
} as const;

/**
 * The options schema of the wildbench benchmark (`tasks.wildbench` in `--config`), with `defaults` in place of
 * the built-in defaults for keys the user leaves out.
 */
export function createWildBenchOptionsSchema(defaults: Partial<WildBenchOptions> = {}) {
  const merged = { ...wildBenchDefaults, ...defaults };
  return z
    .object({
      /** `score` (WB-Score, each answer rated 1-10) or `reward` (WB-Reward, pairwise against `reference_model`). */
      mode: z.enum(['score', 'reward']).default(merged.mode),
      /** Reward mode: whose published answers the model is compared with. */
      reference_model: z.enum(referenceModels).default(merged.reference_model),
      /** Reward mode: K, the length margin in characters that turns a slight win of the longer answer into a tie; -1 disables. */
      length_penalty: z.number().int().min(-1).default(merged.length_penalty),
      /** Words (split on single spaces) of history, query and answers shown to the judge; longer text is cut. */
      max_words: z.number().int().positive().default(merged.max_words),
      /** `max_tokens` of each judge call (Evalchemy: 4096). */
      judge_max_tokens: z.number().int().positive().default(merged.judge_max_tokens),
      /** Reward mode: seed of Python's `random` that decides which answer is A (WildBench: 42). */
      seed: z.number().int().min(0).default(merged.seed),
      /** sha256 of your offline copy of the v2 test parquet, when the built-in pin does not match it. */
      dataset_sha256:
        merged.dataset_sha256 === undefined ? sha256.optional() : sha256.default(merged.dataset_sha256),
      /** sha256 of your offline copy of the reference model's answers parquet. */
      reference_sha256:
        merged.reference_sha256 === undefined ? sha256.optional() : sha256.default(merged.reference_sha256),
    })
    .strict();
}

export interface WildBenchOptions {
  mode: 'score' | 'reward';
  reference_model: WildBenchReferenceModel;
  length_penalty: number;
  max_words: number;
  judge_max_tokens: number;
  seed: number;
  dataset_sha256?: string | undefined;
  reference_sha256?: string | undefined;
}

/** Options of the wildbench benchmark with the built-in defaults. */
export const wildBenchOptionsSchema = createWildBenchOptionsSchema();
