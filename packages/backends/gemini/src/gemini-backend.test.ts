import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
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
    expect(request?.body.generationConfig ?? {}).toEqual({});
  });

  it('merges consecutive turns of one role and gathers system messages wherever they stand', async () => {
    const { server, backend } = await setup();
    await backend.doGenerate(
      {
        type: 'chat',
        messages: [
          { role: 'system', content: 'Rule one.' },
          { role: 'user', content: 'first' },
          { role: 'user', content: 'second' },
          { role: 'system', content: 'Rule two.' },
          { role: 'assistant', content: 'a' },
          { role: 'assistant', content: 'b' },
          { role: 'user', content: 'third' },
        ],
        parameters: {},
        origin,
      },
      { signal: never },
    );
    const body = server.requests[0]!.body;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Rule one.' }, { text: 'Rule two.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'first' }, { text: 'second' }] },
      { role: 'model', parts: [{ text: 'a' }, { text: 'b' }] },
      { role: 'user', parts: [{ text: 'third' }] },
    ]);
  });

  it('maps every generation setting into generationConfig', async () => {
    const { server, backend } = await setup({ reply: () => '{"answer": 4}' });
    const result = await backend.doGenerate(
      chat('json please', {
        maxTokens: 64,
        temperature: 0.3,
        topP: 0.9,
        stop: ['\n\n', 'END'],
        seed: 1234,
        responseFormat: 'json',
      }),
      { signal: never },
    );
    expect(server.requests[0]!.body.generationConfig).toEqual({
      maxOutputTokens: 64,
      temperature: 0.3,
      topP: 0.9,
      stopSequences: ['\n\n', 'END'],
      seed: 1234,
      responseMimeType: 'application/json',
    });
    expect(result.warnings).toEqual([]);
    expect(result.text).toBe('{"answer": 4}');
    expect(backend.capabilities).toMatchObject({
      chat: true,
      completion: false,
      loglikelihood: false,
      json: true,
    });
  });

  it('sends the first five stop sequences and applies the others to the answer itself', async () => {
    const { server, backend } = await setup({ reply: () => 'one two SIX three' });
    const result = await backend.doGenerate(
      chat('count', { stop: ['ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX'] }),
      { signal: never },
    );
    expect((server.requests[0]!.body.generationConfig as { stopSequences: string[] }).stopSequences).toEqual([
      'ONE',
      'TWO',
      'THREE',
      'FOUR',
      'FIVE',
    ]);
    expect(result).toMatchObject({ text: 'one two ', finishReason: 'stop', warnings: [] });
  });

  it('does not send topLogprobs unless logprobs=true, and says so in a warning', async () => {
    const { server, backend } = await setup();
    expect(backend.capabilities.topLogprobs).toBeUndefined();
    const result = await backend.doGenerate(chat('hi', { topLogprobs: 3 }), { signal: never });
    expect(server.requests[0]!.body.generationConfig ?? {}).toEqual({});
    expect(result.logprobs).toBeUndefined();
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-setting', setting: 'topLogprobs' }),
    ]);
    expect(result.warnings[0]!.message).toContain('logprobs=true');
  });

  it('with logprobs=true asks for responseLogprobs and returns per-token logprobs, most likely first', async () => {
    const { server, backend } = await setup(
      {
        reply: () => ({
          text: 'Hi there',
          logprobsResult: {
            chosenCandidates: [
              { token: 'Hi', logProbability: -0.1 },
              { token: ' there', logProbability: -0.5 },
            ],
            topCandidates: [
              {
                candidates: [
                  { token: 'Hello', logProbability: -2.5 },
                  { token: 'Hi', logProbability: -0.1 },
                ],
              },
              { candidates: [{ token: ' there', logProbability: -0.5 }] },
            ],
          },
        }),
      },
      { logprobs: 'true', thinking_budget: 0 },
    );
    expect(backend.capabilities.topLogprobs).toBe(20);
    const result = await backend.doGenerate(chat('hi', { topLogprobs: 2 }), { signal: never });
    expect(server.requests[0]!.body.generationConfig).toEqual({
      responseLogprobs: true,
      logprobs: 2,
      thinkingConfig: { thinkingBudget: 0 },
    });
    expect(result.warnings).toEqual([]);
    expect(result.logprobs).toEqual([
      {
        token: 'Hi',
        logprob: -0.1,
        topLogprobs: [
          { token: 'Hi', logprob: -0.1 },
          { token: 'Hello', logprob: -2.5 },
        ],
      },
      { token: ' there', logprob: -0.5, topLogprobs: [{ token: ' there', logprob: -0.5 }] },
    ]);
  });

  it('refuses completion requests with a configuration error', async () => {
    const { server, backend } = await setup();
    const error = await failure(
      backend.doGenerate({ type: 'completion', prompt: 'Once', parameters: {}, origin }, { signal: never }),
    );
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error.message).toContain('completion');
    expect(server.requests).toHaveLength(0);
  });
});

describe('gemini backend: answers', () => {
  it('joins the text parts of the first candidate, skipping thoughts, and counts thinking tokens as completion', async () => {
    const { backend } = await setup({
      reply: () => ({
        parts: [
          { text: 'Let me think about apples.', thought: true },
          { text: 'Four ' },
          { text: 'apples.' },
        ],
        usageMetadata: {
          promptTokenCount: 120,
          candidatesTokenCount: 3,
          thoughtsTokenCount: 40,
          cachedContentTokenCount: 100,
          totalTokenCount: 163,
        },
      }),
    });
    const result = await backend.doGenerate(chat('how many?'), { signal: never });
    expect(result.text).toBe('Four apples.');
    expect(result.usage).toEqual({ promptTokens: 120, completionTokens: 43, cachedPromptTokens: 100 });
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content-filter'],
    ['RECITATION', 'content-filter'],
    ['BLOCKLIST', 'content-filter'],
    ['PROHIBITED_CONTENT', 'content-filter'],
    ['SPII', 'content-filter'],
    ['OTHER', 'other'],
    ['MALFORMED_FUNCTION_CALL', 'other'],
  ])('maps finishReason %s to %s', async (reason, expected) => {
    const { backend } = await setup({ reply: () => ({ text: 'x', finishReason: reason }) });
    const result = await backend.doGenerate(chat('hi'), { signal: never });
    expect(result.finishReason).toBe(expected);
  });

  it('reports MAX_TOKENS when the answer was cut at maxOutputTokens', async () => {
    const { backend } = await setup({ reply: () => 'one two three four five' });
    const result = await backend.doGenerate(chat('count', { maxTokens: 2 }), { signal: never });
    expect(result).toMatchObject({ text: 'one two', finishReason: 'length' });
  });

  it('turns a blocked prompt into an empty content-filter answer with a warning, not a failure', async () => {
    const { server, backend } = await setup({ faultPlan: [{ kind: 'blocked', blockReason: 'SAFETY' }] });
    const result = await backend.doGenerate(chat('something blocked'), { signal: never });
    expect(result.text).toBe('');
    expect(result.finishReason).toBe('content-filter');
    expect(result.usage).toEqual({ promptTokens: 2, completionTokens: 0 });
    expect(result.warnings).toEqual([expect.objectContaining({ type: 'other' })]);
    expect(result.warnings[0]!.message).toContain('SAFETY');
    expect(server.requests).toHaveLength(1);
  });
});

describe('gemini backend: rate limits, retries and errors', () => {
  it('does not retry a 429: one request, a rate-limited error with the RetryInfo delay', async () => {
    const { server, backend } = await setup({
      faultPlan: [{ kind: 'status', status: 429, statusText: 'RESOURCE_EXHAUSTED', retryDelay: '7s' }],
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(BackendCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 429,
      rateLimited: true,
      retryAfterMs: 7000,
      isRetryable: true,
    });
    expect(error.message).toContain('RESOURCE_EXHAUSTED');
    expect(server.requests).toHaveLength(1);
  });

  it('prefers the retry-after header, and leaves retryAfterMs unset when the server names no wait', async () => {
    const { server, backend } = await setup({
      faultPlan: [
        {
          kind: 'status',
          status: 429,
          statusText: 'RESOURCE_EXHAUSTED',
          retryDelay: '0.5s',
          retryAfterSeconds: 3,
        },
        { kind: 'status', status: 429, statusText: 'RESOURCE_EXHAUSTED', retryDelay: '1.5s' },
        { kind: 'status', status: 429, statusText: 'RESOURCE_EXHAUSTED' },
      ],
    });
    const errors = [];
    for (let i = 0; i < 3; i++) errors.push(await failure(backend.doGenerate(chat('hi'), { signal: never })));
    expect(errors.map((error) => (error as BackendCallError).retryAfterMs)).toEqual([3000, 1500, undefined]);
    expect(errors.every((error) => (error as BackendCallError).rateLimited)).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a 500 and answers', async () => {
    const { server, backend } = await setup({
      reply: () => 'recovered',
      faultPlan: [{ kind: 'status', status: 500, statusText: 'INTERNAL' }],
    });
    const result = await backend.doGenerate(chat('hi'), { signal: never });
    expect(result.text).toBe('recovered');
    expect(server.requests).toHaveLength(2);
  });

  it('retries a reset connection and a malformed answer', async () => {
    const { server, backend } = await setup({
      reply: () => 'recovered',
      faultPlan: [{ kind: 'reset' }, { kind: 'malformed-json' }],
    });
    const result = await backend.doGenerate(chat('hi'), { signal: never });
    expect(result.text).toBe('recovered');
    expect(server.requests).toHaveLength(3);
  });

  it('retries an attempt that outlives timeout_ms, then reports the timeout', async () => {
    const { server, backend } = await setup(
      { faultPlan: [{ kind: 'hang' }, { kind: 'hang' }] },
      { timeout_ms: 200, max_retries: 1 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(BackendCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true, rateLimited: false });
    expect(error.message).toContain('timeout_ms=200');
    expect(server.requests).toHaveLength(2);
  });

  it('stops a request in flight when the run is cancelled, with the cancellation as the reason', async () => {
    const { server, backend } = await setup({ faultPlan: [{ kind: 'hang' }] });
    const controller = new AbortController();
    const pending = backend.doGenerate(chat('hi'), { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('run cancelled'));
    await expect(pending).rejects.toThrow('run cancelled');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after max_retries with a retryable error that is not a rate limit', async () => {
    const { server, backend } = await setup(
      {
        faultPlan: [
          { kind: 'status', status: 503, statusText: 'UNAVAILABLE', message: 'The model is overloaded.' },
          { kind: 'status', status: 503, statusText: 'UNAVAILABLE', message: 'The model is overloaded.' },
        ],
      },
      { max_retries: 1 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({ statusCode: 503, isRetryable: true, rateLimited: false });
    expect(error.message).toContain('overloaded');
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry another 4xx', async () => {
    const { server, backend } = await setup({
      faultPlan: [
        { kind: 'status', status: 404, statusText: 'NOT_FOUND', message: 'models/nope is not found' },
      ],
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({ statusCode: 404, isRetryable: false });
    expect(error.message).toContain('Check the model name');
    expect(server.requests).toHaveLength(1);
  });

  it('turns a refused key (400 API_KEY_INVALID) into a 401 error that never shows the key, even when echoed', async () => {
    server = await startGeminiServer({ key: 'AIzaTheRightKey000000000000000' });
    const backend = createGeminiBackend({ model: 'gemini-2.0-flash', base_url: server.url, api_key: key });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({ statusCode: 401, isRetryable: false, rateLimited: false });
    expect(error.message).toContain('API key not valid');
    expect(error.message).toContain('GEMINI_API_KEY');
    expect(error.message).not.toContain(key);
    expect(server.requests[0]!.headers['x-goog-api-key']).toBe(key);
    expect(server.requests).toHaveLength(1);
  });

  it.each([401, 403])(
    'turns HTTP %i into a non-retried error of that status (the runner stops the run on it)',
    async (status) => {
      const { server, backend } = await setup({
        faultPlan: [
          {
            kind: 'status',
            status,
            statusText: status === 401 ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED',
            message: `denied for key ${key}`,
          },
        ],
      });
      const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
      expect(BackendCallError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: status, isRetryable: false });
      expect(error.message).not.toContain(key);
      expect(server.requests).toHaveLength(1);
    },
  );

  it('keeps the key out of a server error after retries', async () => {
    const { backend } = await setup(
      { faultPlan: [{ kind: 'status', status: 500, statusText: 'INTERNAL', message: `boom ${key}` }] },
      { max_retries: 0 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.message).toContain('boom');
    expect(error.message).not.toContain(key);
  });

  it('rejects a request whose signal is aborted, without sending it', async () => {
    const { server, backend } = await setup();
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(backend.doGenerate(chat('hi'), { signal: controller.signal })).rejects.toThrow('cancelled');
    expect(server.requests).toHaveLength(0);
  });
});

describe('gemini backend: options', () => {
  it.each([
    ['GEMINI_API_KEY', { GEMINI_API_KEY: key, GOOGLE_API_KEY: 'AIzaOtherKey0000000000' }],
    ['GOOGLE_API_KEY', { GOOGLE_API_KEY: key }],
  ])('takes the key from %s when api_key is not given', async (_name, env) => {
    server = await startGeminiServer({ key });
    const backend = createGeminiBackend({ model: 'm', base_url: server.url }, { env });
    await backend.doGenerate(chat('hi'), { signal: never });
    expect(server.requests[0]!.headers['x-goog-api-key']).toBe(key);
  });

  it('prefers api_key over the environment, and takes the server from GEMINI_BASE_URL', async () => {
    server = await startGeminiServer({ key });
    const backend = createGeminiBackend(
      { model: 'm', api_key: key },
      { env: { GEMINI_API_KEY: 'AIzaWrongKey00000000000', GEMINI_BASE_URL: server.url } },
    );
    expect(backend.endpoint).toBe(server.url);
    await backend.doGenerate(chat('hi'), { signal: never });
    expect(server.requests[0]!.headers['x-goog-api-key']).toBe(key);
  });

  it("takes lm-evaluation-harness's pretrained as the model, with the model's checks", () => {
    const backend = createGeminiBackend({ pretrained: 'gemini-2.5-pro', api_key: key, timeout: '30' });
    expect(backend.modelId).toBe('gemini-2.5-pro');
    expect(() => createGeminiBackend({ pretrained: '../models/x', api_key: key })).toThrow(
      /pretrained: a model name without/,
    );
  });

  it('names api_key and both variables when there is no key', () => {
    const error = (() => {
      try {
        createGeminiBackend({ model: 'm' }, { env: {} });
      } catch (error) {
        return error as Error;
      }
    })();
    expect(ConfigurationError.isInstance(error)).toBe(true);
    for (const name of ['api_key', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'])
      expect(error?.message).toContain(name);
  });

  it('keeps the key out of describe() and the endpoint, and strips credentials from base_url', () => {
    const backend = createGeminiBackend({
      model: 'gemini-2.5-pro',
      api_key: key,
      base_url: 'https://proxy:hunter2secret@gemini.example.com',
    });
    expect(backend.endpoint).toBe('https://gemini.example.com');
    const text = JSON.stringify(backend.describe());
    expect(text).not.toContain(key);
    expect(text).not.toContain('hunter2secret');
    expect(backend.describe()).toMatchObject({ api: 'gemini-api', model: 'gemini-2.5-pro', maxRetries: 5 });
    expect(createGeminiBackend({ model: 'm', api_key: key }).endpoint).toBe(
      'https://generativelanguage.googleapis.com',
    );
  });

  it("sends base_url's user and password as basic authentication, for a proxy", async () => {
    server = await startGeminiServer({ key });
    const url = new URL(server.url);
    url.username = 'proxy';
    url.password = 'hunter2secret';
    const backend = createGeminiBackend({ model: 'm', api_key: key, base_url: url.toString() });
    await backend.doGenerate(chat('hi'), { signal: never });
    expect(server.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('proxy:hunter2secret').toString('base64')}`,
    );
    expect(server.requests[0]!.headers['x-goog-api-key']).toBe(key);
  });

  it('takes GEMINI_BASE_URL for the Gemini API only, not for Vertex AI', () => {
    const env = { GEMINI_BASE_URL: 'http://127.0.0.1:9' };
    expect(createGeminiBackend({ model: 'm', api_key: key }, { env }).endpoint).toBe('http://127.0.0.1:9');
    expect(createGeminiBackend({ model: 'm', project_id: 'p', location: 'us-east5' }, { env }).endpoint).toBe(
      'https://us-east5-aiplatform.googleapis.com',
    );
  });

  it('refuses a base URL with a query string', () => {
    expect(() =>
      createGeminiBackend({ model: 'm', api_key: key, base_url: 'https://x.example.com/?key=abc' }),
    ).toThrow(/query string/);
  });

  it('sends Vertex AI requests to the project and location path of the base URL', async () => {
    server = await startGeminiServer({ key });
    const backend = createGeminiBackend({
      model: 'gemini-2.0-flash',
      project_id: 'my-project',
      location: 'us-central1',
      api_key: key,
      base_url: server.url,
    });
    const result = await backend.doGenerate(chat('hello vertex'), { signal: never });
    expect(result.text).toBe('hello vertex');
    expect(server.requests[0]!.path).toBe(
      '/v1beta1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent',
    );
    expect(backend.describe()).toMatchObject({
      api: 'vertex-ai',
      project: 'my-project',
      location: 'us-central1',
    });
  });

  it('uses the application-default credentials named by GOOGLE_APPLICATION_CREDENTIALS on Vertex AI', async () => {
    server = await startGeminiServer({ accessToken: 'ya29.scripted-access-token' });
    const directory = await mkdtemp(join(tmpdir(), 'gemini-adc-'));
    await writeFile(join(directory, 'subject-token'), 'scripted-subject-token');
    // Workload identity federation: a file-sourced subject token exchanged at token_url for an access token.
    await writeFile(
      join(directory, 'credentials.json'),
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/p',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${server.url}/token`,
        credential_source: { file: join(directory, 'subject-token') },
      }),
    );
    const backend = createGeminiBackend(
      { model: 'gemini-2.0-flash', project_id: 'my-project', location: 'europe-west4', base_url: server.url },
      { env: { GOOGLE_APPLICATION_CREDENTIALS: join(directory, 'credentials.json'), GEMINI_API_KEY: key } },
    );
    const result = await backend.doGenerate(chat('hello adc'), { signal: never });
    expect(result.text).toBe('hello adc');
    const [exchange, generate] = server.requests;
    expect(exchange?.path).toBe('/token');
    expect(generate?.path).toBe(
      '/v1beta1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent',
    );
    expect(generate?.headers.authorization).toBe('Bearer ya29.scripted-access-token');
    expect(generate?.headers['x-goog-api-key']).toBeUndefined();
  });

  it('picks the Vertex AI host of the location, and needs a project or a key', () => {
    const regional = createGeminiBackend({ model: 'm', project_id: 'p', location: 'europe-west4' });
    expect(regional.endpoint).toBe('https://europe-west4-aiplatform.googleapis.com');
    expect(createGeminiBackend({ model: 'm', project_id: 'p', location: 'us' }).endpoint).toBe(
      'https://aiplatform.us.rep.googleapis.com',
    );
    expect(
      createGeminiBackend({ model: 'm', vertexai: 'true' }, { env: { GOOGLE_CLOUD_PROJECT: 'p' } }).endpoint,
    ).toBe('https://aiplatform.googleapis.com');
    expect(() =>
      createGeminiBackend({ model: 'm', vertexai: 'true' }, { env: { GEMINI_API_KEY: key } }),
    ).toThrow(/project_id/);
  });

  it('sets price and rate-limit capabilities from the limit options, which do not change answers', () => {
    const backend = createGeminiBackend({
      model: 'm',
      api_key: key,
      price_input: '0.1',
      price_output: '0.4',
      requests_per_minute: '15',
      tokens_per_minute: '1000000',
      concurrency: '4',
    });
    expect(backend.price).toEqual({ input: 0.1, output: 0.4 });
    expect(backend.capabilities).toMatchObject({
      requestsPerMinute: 15,
      tokensPerMinute: 1_000_000,
      maxConcurrency: 4,
    });
    for (const name of [
      'api_key',
      'base_url',
      'project_id',
      'location',
      'max_retries',
      'price_input',
      'tokens_per_minute',
    ]) {
      expect(geminiProvider.answerNeutralOptions).toContain(name);
    }
    expect(geminiProvider.answerNeutralOptions).not.toContain('thinking_budget');
    expect(geminiProvider.version).toBe(VERSION);
  });

  it('rejects an unknown option, naming the accepted ones', () => {
    expect(() =>
      createGeminiBackend({ model: 'm', api_key: key, temprature: 1 } as GeminiOptionsInput),
    ).toThrow(/unknown option "temprature".*Accepted: .*thinking_budget/);
  });
});

let conformanceServer: GeminiServer;
beforeAll(async () => {
  conformanceServer = await startGeminiServer({ key });
});
afterAll(async () => {
  await conformanceServer.close();
});

runBackendConformance({
  name: 'backend-gemini',
  createBackend: () =>
    createGeminiBackend({ model: 'gemini-2.0-flash', base_url: conformanceServer.url, api_key: key }),
  expectLoglikelihood: false,
});
