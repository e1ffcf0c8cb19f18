import { type BackendProviderV1, backendLimitOptionNames, harnessOptionNames } from '@evalchemy/core';
import { GeminiBackend } from './gemini-backend.js';
import { type GeminiOptions, geminiOptionsSchema } from './gemini-options.js';
import { VERSION } from './version.js';

export { createGeminiBackend, GeminiBackend } from './gemini-backend.js';
export { type GeminiOptions, type GeminiOptionsInput, geminiOptionsSchema } from './gemini-options.js';
export { VERSION } from './version.js';

/** The gemini backend plugin: Google's Gemini models on the Gemini API or Vertex AI, through `@google/genai`. */
const geminiProvider: BackendProviderV1<GeminiOptions> = {
  specificationVersion: 'v1',
  kind: 'backend',
  id: 'gemini',
  version: VERSION,
  optionsSchema: geminiOptionsSchema as BackendProviderV1<GeminiOptions>['optionsSchema'],
  // Where the model is reached is recorded as the backend's endpoint (and project/location in describe()).
  answerNeutralOptions: [
    ...harnessOptionNames,
    'api_key',
    'base_url',
    'vertexai',
    'project_id',
    'location',
    'max_retries',
    'timeout_ms',
    'concurrency',
    ...backendLimitOptionNames,
  ],
  createBackend: (options, context) => new GeminiBackend(options, context),
};

export default geminiProvider;
