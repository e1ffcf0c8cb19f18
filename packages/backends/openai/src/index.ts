import { type BackendProviderV1, backendLimitOptionNames } from '@evalchemy/core';
import { OpenAIBackend } from './openai-backend.js';
import { type OpenAIOptions, openAIOptionsSchema } from './openai-options.js';
import { VERSION } from './version.js';

export { createOpenAIBackend, OpenAIBackend } from './openai-backend.js';
export { type OpenAIOptions, type OpenAIOptionsInput, openAIOptionsSchema } from './openai-options.js';
export { VERSION } from './version.js';

/** The openai backend plugin: any OpenAI-compatible server, through the official `openai` SDK. */
const openAIProvider: BackendProviderV1<OpenAIOptions> = {
  specificationVersion: 'v1',
  kind: 'backend',
  id: 'openai',
  version: VERSION,
  optionsSchema: openAIOptionsSchema as BackendProviderV1<OpenAIOptions>['optionsSchema'],
  // base_url may hold credentials; the runner identifies the server by the backend's credential-free endpoint.
  answerNeutralOptions: [
    'base_url',
    'api_key',
    'max_retries',
    'timeout_ms',
    'max_response_bytes',
    'concurrency',
    'tokenized_requests',
    'revision',
    ...backendLimitOptionNames,
  ],
  createBackend: (options, context) => new OpenAIBackend(options, context),
};

export default openAIProvider;
