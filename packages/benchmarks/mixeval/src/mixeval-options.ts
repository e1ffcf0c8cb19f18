import { z } from 'zod';
import { mixEvalVersions } from './mixeval-data.js';

/** Built-in defaults of the mixeval and mixeval_hard options. */
export interface MixEvalOptionDefaults {
  version?: (typeof mixEvalVersions)[number];
  temperature?: number;
  max_tokens?: number;
  judge_max_tokens?: number;
  parse_rounds?: number;
  extract_base_model_response?: boolean;
}

/**
 * The options schema of mixeval / mixeval_hard (`tasks.<id>` in `--config`), with `defaults` in place of the
 * built-in defaults for keys the user leaves out.
 */
export function createMixEvalOptionsSchema(defaults: MixEvalOptionDefaults = {}) {
  return z
    .object({
      /** Data release. Default 2024-06-01, Evalchemy's. */
      version: z.enum(mixEvalVersions).default(defaults.version ?? '2024-06-01'),
      /** Sampling temperature of the model's answers. Default 0: MixEval's local chat models decode greedily. */
      temperature: z
        .number()
        .min(0)
        .default(defaults.temperature ?? 0),
      /**
       * New tokens per answer. Default: MixEval's, 512 for a chat model, 399 for a base model (completion
       * backend).
       */
      max_tokens:
        defaults.max_tokens === undefined
          ? z.number().int().positive().optional()
          : z.number().int().positive().default(defaults.max_tokens),
      /** Upper bound on the parser judge's answer in tokens (MixEval: 999). */
      judge_max_tokens: z
        .number()
        .int()
        .positive()
        .default(defaults.judge_max_tokens ?? 999),
      /**
       * How many times an item is sent to the parser judge until its verdict parses (MixEval's
       * `MAX_RETRY_NUM`: 10). An item still unparsed gets a seeded random score or option, as in MixEval.
       */
      parse_rounds: z
        .number()
        .int()
        .positive()
        .default(defaults.parse_rounds ?? 10),
      /**
       * For base models (completion backends): judge only the answer before the model starts a new question
       * (MixEval's `--extract_base_model_response`). Default true.
       */
      extract_base_model_response: z.boolean().default(defaults.extract_base_model_response ?? true),
    })
    .strict();
}

/** Options of mixeval / mixeval_hard with the built-in defaults. */
export const mixEvalOptionsSchema = createMixEvalOptionsSchema();

export type MixEvalOptions = z.output<typeof mixEvalOptionsSchema>;
