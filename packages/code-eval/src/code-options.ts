import { ConfigurationError } from '@evalchemy/core';
import { z } from 'zod';

/**
 * Options every code benchmark accepts (spread into each benchmark's own schema). Sampling temperature
 * defaults to 0 (greedy) for `n` = 1 and to 0.8 otherwise, the setting of the Codex paper for pass@k, k > 1.
 */
export const codeBenchmarkOptionsShape = {
  /** Samples (generations) per problem. */
  n: z.number().int().min(1).max(1000).default(1),
  /** Sampling temperature; default 0 when n = 1, else 0.8. */
  temperature: z.number().min(0).max(2).optional(),
  /** k values of pass@k to report (each only when n ≥ k); pass@1 is always reported. */
  k: z.array(z.number().int().min(1)).default([1, 10, 100]),
  /** Maximum new tokens per generation. */
  maxTokens: z.number().int().min(1).optional(),
  /** Address-space limit of each sandbox execution, MiB. */
  memoryMb: z.number().int().min(64).default(4096),
};

/** The temperature to sample with: the user's, else greedy for one sample and 0.8 for several. */
export function samplingTemperature(options: { n: number; temperature?: number | undefined }): number {
  return options.temperature ?? (options.n === 1 ? 0 : 0.8);
}

/** How a code benchmark asks the model: an instruction to a chat model or a prompt to continue. */
export type GenerationMode = 'chat' | 'completion';

/**
 * The mode for a backend: the user's choice when the backend supports it, else (`auto`) chat when available,
 * then completion.
 */
export function chooseGenerationMode(
  mode: 'auto' | GenerationMode,
  capabilities: { chat: boolean; completion: boolean },
  benchmark: string,
): GenerationMode {
  if (mode === 'auto') {
    if (capabilities.chat) return 'chat';
    if (capabilities.completion) return 'completion';
  } else if (capabilities[mode]) return mode;
  throw new ConfigurationError(
    `${benchmark}: the backend supports neither ${mode === 'auto' ? 'chat nor completion' : `${mode} requests`}; set the ${benchmark} option "mode" to one it supports.`,
  );
}
