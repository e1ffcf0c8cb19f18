import { type BackendProviderV1, backendLimitOptionNames, harnessOptionNames } from '@evalchemy/core';
import { AnthropicBackend } from './anthropic-backend.js';
import { type AnthropicOptions, anthropicOptionsSchema } from './anthropic-options.js';
import { VERSION } from './version.js';

export { AnthropicBackend, createAnthropicBackend } from './anthropic-backend.js';
export {
  type AnthropicOptions,
  type AnthropicOptionsInput,
  anthropicOptionsSchema,
} from './anthropic-options.js';
export { VERSION } from './version.js';

/** The anthropic backend plugin: Claude models through the Messages API, with the official `@anthropic-ai/sdk`. */
const anthropicProvider: BackendProviderV1<AnthropicOptions> = {
  specificationVersion: 'v1',
  kind: 'backend',
  id: 'anthropic',
  version: VERSION,
  optionsSchema: anthropicOptionsSchema as BackendProviderV1<AnthropicOptions>['optionsSchema'],
  // base_url may hold credentials; the runner identifies the server by the backend's credential-free endpoint.
  answerNeutralOptions: [
    ...harnessOptionNames,
    'api_key',
    'base_url',
    'max_retries',
    'timeout_ms',
    'concurrency',
    ...backendLimitOptionNames,
  ],
  createBackend: (options, context) => new AnthropicBackend(options, context),
};

export default anthropicProvider;
