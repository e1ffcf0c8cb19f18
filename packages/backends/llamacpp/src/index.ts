import type { BackendProviderV1 } from '@evalchemy/core';
import { LlamaCppBackend } from './llamacpp-backend.js';
import { type LlamaCppOptions, llamaCppOptionsSchema } from './llamacpp-options.js';
import { VERSION } from './version.js';

export {
  createLlamaCppBackend,
  defaultContextCap,
  defaultMaxTokens,
  LlamaCppBackend,
} from './llamacpp-backend.js';
export {
  type LlamaCppOptions,
  type LlamaCppOptionsInput,
  llamaCppGpuChoices,
  llamaCppOptionsSchema,
} from './llamacpp-options.js';
export { VERSION } from './version.js';

/** The llamacpp backend plugin: GGUF models in-process with node-llama-cpp. */
const llamaCppProvider: BackendProviderV1<LlamaCppOptions> = {
  specificationVersion: 'v1',
  kind: 'backend',
  id: 'llamacpp',
  version: VERSION,
  optionsSchema: llamaCppOptionsSchema,
  // `gpu` is not listed: another compute backend computes other logits, and greedy answers can differ.
  answerNeutralOptions: ['threads', 'batch_size'],
  createBackend: (options, context) => new LlamaCppBackend(options, context),
};

export default llamaCppProvider;
