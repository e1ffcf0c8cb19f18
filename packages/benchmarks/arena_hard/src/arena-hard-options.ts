import { z } from 'zod';

/** Defaults `createArenaHard` may set in place of the built-in ones. */
export interface ArenaHardOptionDefaults {
  version?: 'v0.1' | 'v2.0';
  style_control?: boolean;
  bootstrap_rounds?: number;
  bootstrap_seed?: number;
  judge_max_tokens?: number;
  weight?: number;
}

/**
 * The options schema of the arena_hard benchmark (`tasks.arena_hard` in `--config`), with `defaults` in
 * place of the built-in defaults for keys the user leaves out.
 */
export function createArenaHardOptionsSchema(defaults: ArenaHardOptionDefaults = {}) {
  const seed = z.number().int().min(0).max(0xffffffff);
  const maxTokens = z.number().int().positive();
  return z
    .object({
      /** `v0.1` (500 questions, baseline gpt-4-0314) or `v2.0` (its 500 hard prompts, baseline o3-mini). */
      version: z.enum(['v0.1', 'v2.0']).default(defaults.version ?? 'v0.1'),
      /** Also report the style-controlled score (show_result `--style-control`; v0.1 only). */
      style_control: z.boolean().default(defaults.style_control ?? false),
      /** Bootstrap resamples of the battles (show_result `--num-rounds`). */
      bootstrap_rounds: z
        .number()
        .int()
        .positive()
        .default(defaults.bootstrap_rounds ?? 100),
      /** Seed of the bootstrap; default: the run's `--seed`. 42 is the reference's `np.random.seed(42)`. */
      bootstrap_seed:
        defaults.bootstrap_seed === undefined ? seed.optional() : seed.default(defaults.bootstrap_seed),
      /** The judge's answer limit in tokens; default 4096 (v0.1) or 16000 (v2.0), as the reference configs. */
      judge_max_tokens:
        defaults.judge_max_tokens === undefined
          ? maxTokens.optional()
          : maxTokens.default(defaults.judge_max_tokens),
      /** Battles a significant verdict (`A>>B`) counts for (show_result `--weight`). */
      weight: z
        .number()
        .int()
        .positive()
        .default(defaults.weight ?? 3),
    })
    .strict()
    .refine((options) => !(options.style_control && options.version === 'v2.0'), {
      message: 'style_control is implemented for version v0.1 only (v2.0 style control is not supported).',
      path: ['style_control'],
    });
}

/** Options of the arena_hard benchmark with the built-in defaults. */
export const arenaHardOptionsSchema = createArenaHardOptionsSchema();

export type ArenaHardOptions = z.output<typeof arenaHardOptionsSchema>;
