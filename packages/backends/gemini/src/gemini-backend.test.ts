import {
  AuthenticationError,
  BackendCallError,
  ConfigurationError,
  type GenerateRequestV1,
  type GenerationParametersV1,
  type RequestOriginV1,
} from '@evalchemy/core';
import { runBackendConformance } from '@evalchemy/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type GeminiServer,
  type GeminiServerSettings,
  startGeminiServer,
} from './__fixtures__/gemini-server.js';
import geminiProvider, { createGeminiBackend, type GeminiOptionsInput, VERSION } from './index.js';

const key = 'AIzaTestSecretKey0123456789abcdef';
const origin: RequestOriginV1 = { task: 'test', sampleId: '0', turn: 0, generation: 0 };
const never = new AbortController().signal;

let server: GeminiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(settings: GeminiServerSettings = {}, options: Partial<GeminiOptionsInput> = {}) {
  server = await startGeminiServer({ key, ...settings });
  const backend = createGeminiBackend({
    model: 'gemini-2.0-flash',
    base_url: server.url,
    api_key: key,
    ...options,
  });
  return { server, backend };
}

function chat(content: string, parameters: GenerationParametersV1 = {}): GenerateRequestV1 {
  return { type: 'chat', messages: [{ role: 'user', content }], parameters, origin };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('gemini backend: requests', () => {
  it('sends generateContent with the key header, system instruction and user/model contents', async () => {
    const { server, backend } = await setup({ reply: () => 'four apples' });
    const result = await backend.doGenerate(
      {
        type: 'chat',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'how many?' },
          { role: 'assistant', content: 'three' },
          { role: 'user', content: 'and now?' },
        ],
        parameters: {},
        origin,
      },
      { signal: never },
    );
    expect(result).toEqual({
      text: 'four apples',
      finishReason: 'stop',
      usage: { promptTokens: 7, completionTokens: 2 },
      warnings: [],
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/models/gemini-2.0-flash:generateContent');
    expect(request?.headers['x-goog-api-key']).toBe(key);
    expect(request?.query).toEqual({});
    expect(request?.body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(request?.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'how many?' }] },
      { role: 'model', parts: [{ text: 'three' }] },
      { role: 'user', parts: [{ text: 'and now?' }] },
    ]);
    expect(request?.body.generationConfig).toBeUndefined();
  });
});
