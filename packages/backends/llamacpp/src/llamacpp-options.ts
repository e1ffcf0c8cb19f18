import { z } from 'zod';

/** GPU choices of the `gpu` option; `false` runs on the CPU and needs no GPU build. */
export const llamaCppGpuChoices = ['auto', 'false', 'cuda', 'vulkan', 'metal'] as const;

/** `--model_args` of the llamacpp backend. Values arrive as strings from the command line; numbers are coerced. */
export const llamaCppOptionsSchema = z.object({
  /** Path of a GGUF file, or an `hf:` URI (`hf:user/repo:Q4_K_M`, `hf:user/repo/file.gguf`) downloaded to node-llama-cpp's cache. */
  model: z.string().min(1),
  /** Context window in tokens. Default: the model's training context, capped at 4096. */
  context_size: z.coerce.number().int().positive().optional(),
  /** Compute backend. Default `false` (CPU). `auto` picks the best installed GPU binary, else the CPU. */
  gpu: z
    .preprocess((value) => (value === false ? 'false' : value), z.enum(llamaCppGpuChoices))
    .default('false'),
  /** CPU threads for evaluation. Default: half the CPUs this process may use, at least 1 (see `defaultThreads`). */
  threads: z.coerce.number().int().positive().optional(),
  /** Tokens evaluated per batch. Default: node-llama-cpp's choice for the context size. */
  batch_size: z.coerce.number().int().positive().optional(),
});

/** Parsed options of the llamacpp backend. */
export type LlamaCppOptions = z.output<typeof llamaCppOptionsSchema>;
/** Options as a caller may write them (defaults may be left out). */
export type LlamaCppOptionsInput = z.input<typeof llamaCppOptionsSchema>;
