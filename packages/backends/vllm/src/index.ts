import { type BackendProviderV1, backendLimitOptionNames } from '@evalchemy/core';
import { VERSION } from './version.js';
import { VllmBackend } from './vllm-backend.js';
import { type VllmOptions, vllmAnswerNeutralOptions, vllmOptionsSchema } from './vllm-options.js';

export { VERSION } from './version.js';
export { createVllmBackend, VllmBackend } from './vllm-backend.js';
export { type VllmOptions, type VllmOptionsInput, vllmOptionsSchema } from './vllm-options.js';
export {
  findGpus,
  type GpuInventory,
  parseNvidiaSmiList,
  planReplicas,
  type ReplicaPlan,
  resolveVllmBinary,
  serveArguments,
  splitArguments,
} from './vllm-plan.js';

/**
 * The vllm backend plugin (also `--model hf`): launches vLLM on this machine's GPUs and evaluates through its
 * OpenAI-compatible API.
 */
const vllmProvider: BackendProviderV1<VllmOptions> = {
  specificationVersion: 'v1',
  kind: 'backend',
  id: 'vllm',
  version: VERSION,
  optionsSchema: vllmOptionsSchema as BackendProviderV1<VllmOptions>['optionsSchema'],
  // How the model is spread over GPUs, how fast and from which binary: never what it answers.
  answerNeutralOptions: [...vllmAnswerNeutralOptions, ...backendLimitOptionNames],
  createBackend: (options, context) => new VllmBackend(options, context),
};

export default vllmProvider;
