import { z } from 'zod';

/** `--model_args` of the replay backend. */
export const replayOptionsSchema = z.object({
  /** File of precomputed responses: JSONL (evalchemy records, samples files, FastChat MT-Bench answers) or an AlpacaEval outputs JSON array. */
  path: z.string().min(1),
  /** Model name for the results. Default: the file's base name without `.jsonl`/`.json`, or its folder's name for `model_outputs.json` and samples files. */
  model: z.string().min(1).optional(),
  /** Task that FastChat MT-Bench answer lines belong to. Default `mtbench`. */
  task: z.string().min(1).default('mtbench'),
});

/** Parsed options of the replay backend. */
export type ReplayOptions = z.output<typeof replayOptionsSchema>;
/** Options as a caller may write them (defaults may be left out). */
export type ReplayOptionsInput = z.input<typeof replayOptionsSchema>;
