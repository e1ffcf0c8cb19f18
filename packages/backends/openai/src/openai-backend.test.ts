import {
  BackendCallError,
  ConfigurationError,
  type GenerateRequestV1,
  type GenerationParametersV1,
  type RequestOriginV1,
} from '@evalchemy/core';
import {
  runBackendConformance,
  type ScriptedServer,
  type ScriptedServerSettings,
  scriptedTokenLogprob,
  startScriptedServer,
} from '@evalchemy/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import openAIProvider, { createOpenAIBackend, type OpenAIOptionsInput, VERSION } from './index.js';

const key = 'sk-test-secret-key-0123456789';
const origin: RequestOriginV1 = { task: 'test', sampleId: '0', turn: 0, generation: 0 };
const never = new AbortController().signal;

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(settings: ScriptedServerSettings = {}, options: Partial<OpenAIOptionsInput> = {}) {
  server = await startScriptedServer(settings);
  const backend = createOpenAIBackend({
    model: 'test-model',
    base_url: server.url,
    api_key: key,
    ...options,
  });
  return { server, backend };
}

function chat(content: string, parameters: GenerationParametersV1 = {}): GenerateRequestV1 {
  return { type: 'chat', messages: [{ role: 'user', content }], parameters, origin };
}

function completion(prompt: string, parameters: GenerationParametersV1 = {}): GenerateRequestV1 {
  return { type: 'completion', prompt, parameters, origin };
}

async function failure(promise: Promise<unknown>): Promise<BackendCallError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(BackendCallError.isInstance(error), String(error)).toBe(true);
  return error as BackendCallError;
}

describe('openai backend: generation', () => {
  it('sends chat requests to /chat/completions and maps text, usage and finish reason', async () => {
    const { server, backend } = await setup({ reply: () => 'four apples' });
    const result = await backend.doGenerate(
      {
        type: 'chat',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'how many?' },
        ],
        parameters: {},
        origin,
      },
      { signal: never },
    );
    expect(result).toEqual({
      text: 'four apples',
      finishReason: 'stop',
      usage: { promptTokens: 4, completionTokens: 2 },
      warnings: [],
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.body.model).toBe('test-model');
    expect(request?.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'how many?' },
    ]);
    expect(request?.headers.authorization).toBe(`Bearer ${key}`);
  });

  it('sends completion requests to /completions when api=completions', async () => {
    const { server, backend } = await setup({ reply: () => ' 42' }, { api: 'completions' });
    expect(backend.capabilities).toMatchObject({ chat: false, completion: true, loglikelihood: true });
    const result = await backend.doGenerate(completion('Answer:'), { signal: never });
    expect(result.text).toBe(' 42');
    expect(server.requests[0]?.path).toBe('/v1/completions');
    expect(server.requests[0]?.body.prompt).toBe('Answer:');
  });

  it('refuses a request type the configured API cannot serve, naming the fix', async () => {
    const { backend: chatBackend } = await setup();
    expect(chatBackend.capabilities).toMatchObject({ chat: true, completion: false, loglikelihood: false });
    await expect(chatBackend.doGenerate(completion('x'), { signal: never })).rejects.toThrow(
      /api=completions/,
    );
    await expect(
      chatBackend.doLoglikelihood(
        { type: 'loglikelihood', context: 'a', continuation: ' b', origin },
        { signal: never },
      ),
    ).rejects.toSatisfy(ConfigurationError.isInstance);
    const completionsBackend = createOpenAIBackend({ model: 'm', base_url: server!.url, api: 'completions' });
    await expect(completionsBackend.doGenerate(chat('x'), { signal: never })).rejects.toThrow(/api=chat/);
    expect(server!.requestCount).toBe(0);
  });

  it('normalises generation parameters into the OpenAI request body', async () => {
    const { server, backend } = await setup();
    const result = await backend.doGenerate(
      chat('hi', { maxTokens: 32, temperature: 0.7, topP: 0.9, stop: ['a', 'b', 'c', 'd', 'e'], seed: 7 }),
      { signal: never },
    );
    expect(server.requests[0]?.body).toMatchObject({
      max_tokens: 32,
      temperature: 0.7,
      top_p: 0.9,
      stop: ['a', 'b', 'c', 'd', 'e'],
      seed: 7,
    });
    // Only api.openai.com limits stop strings; a local server gets them all, without a warning.
    expect(result.warnings).toEqual([]);
  });

  it('uses max_completion_tokens when asked', async () => {
    const { server, backend } = await setup({}, { max_tokens_parameter: 'max_completion_tokens' });
    await backend.doGenerate(chat('hi', { maxTokens: 5 }), { signal: never });
    expect(server.requests[0]?.body.max_completion_tokens).toBe(5);
    expect(server.requests[0]?.body).not.toHaveProperty('max_tokens');
  });

  it('drops temperature and top_p for OpenAI reasoning models with warnings', async () => {
    const { server, backend } = await setup({}, { model: 'o3-mini' });
    const result = await backend.doGenerate(chat('hi', { temperature: 0, topP: 1, maxTokens: 100 }), {
      signal: never,
    });
    const body = server.requests[0]?.body;
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('top_p');
    expect(body?.max_completion_tokens).toBe(100);
    expect(result.warnings.map((warning) => [warning.type, warning.setting])).toEqual([
      ['unsupported-setting', 'temperature'],
      ['unsupported-setting', 'topP'],
    ]);
  });

  it('maps length and content-filter finish reasons', async () => {
    const { backend } = await setup({
      reply: (request) =>
        request.messages?.at(-1)?.content === 'filtered'
          ? { text: '', finishReason: 'content_filter' }
          : 'a b c d',
    });
    const cut = await backend.doGenerate(chat('long', { maxTokens: 2 }), { signal: never });
    expect(cut).toMatchObject({ text: 'a b', finishReason: 'length' });
    const filtered = await backend.doGenerate(chat('filtered'), { signal: never });
    expect(filtered.finishReason).toBe('content-filter');
  });

  it('reads base URL and key from the environment it is given, with EMPTY for keyless local servers', async () => {
    server = await startScriptedServer();
    const fromEnv = openAIProvider.createBackend(openAIProvider.optionsSchema.parse({ model: 'm' }), {
      env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: key },
      log: { info() {}, warn() {}, debug() {} },
    });
    await fromEnv.doGenerate(chat('hi'), { signal: never });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    const keyless = createOpenAIBackend({ model: 'm', base_url: server.url }, { env: {} });
    await keyless.doGenerate(chat('hi'), { signal: never });
    expect(server.requests[1]?.headers.authorization).toBe('Bearer EMPTY');
  });

  it("sends a base_url's query with every request, and keeps its values and password out of messages", async () => {
    const token = 'qs-token-0123456789';
    const password = 'pw-0123456789';
    server = await startScriptedServer({
      faultPlan: [
        { kind: 'status', status: 401, body: { error: { message: `bad token ${token} for ${password}` } } },
      ],
    });
    const url = `${server.url.replace('http://', `http://alice:${password}@`)}?api_key=${token}&region=eu`;
    const backend = createOpenAIBackend({ model: 'm', base_url: url });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.message).toContain('401');
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(password);
    expect(await backend.doGenerate(chat('hi'), { signal: never })).toMatchObject({ text: 'hi' });
    expect(server.requests.map((request) => [request.path, request.query])).toEqual([
      ['/v1/chat/completions', { api_key: token, region: 'eu' }],
      ['/v1/chat/completions', { api_key: token, region: 'eu' }],
    ]);
    expect(backend.endpoint).toBe(server.url);
  });

  it('rejects an OPENAI_BASE_URL that is not a URL without showing it', () => {
    const create = () =>
      openAIProvider.createBackend(openAIProvider.optionsSchema.parse({ model: 'm' }), {
        env: { OPENAI_BASE_URL: '127.0.0.1:8000/v1?key=pw-0123456789' },
        log: { info() {}, warn() {}, debug() {} },
      });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(/OPENAI_BASE_URL is not a valid URL/);
    expect(create).not.toThrow(/pw-0123456789/);
  });

  it('requires a key for api.openai.com', () => {
    expect(() => createOpenAIBackend({ model: 'gpt-4o-mini' }, { env: {} })).toThrow(/OPENAI_API_KEY/);
  });

  it('parses --model_args strings and rejects unknown keys', async () => {
    server = await startScriptedServer();
    const backend = createOpenAIBackend({
      model: 'm',
      base_url: server.url,
      concurrency: '8',
      max_retries: '2',
    } as unknown as OpenAIOptionsInput);
    expect(backend.capabilities.maxConcurrency).toBe(8);
    expect(backend.describe()).toMatchObject({ maxRetries: 2 });
    expect(() =>
      createOpenAIBackend({ model: 'm', temperatur: '1' } as unknown as OpenAIOptionsInput),
    ).toThrow(/unknown option "temperatur"/);
  });

  it('describes base URL, api and model, never the key or URL credentials', async () => {
    server = await startScriptedServer();
    const url = server.url.replace('http://', 'http://user:hunter2@');
    const backend = createOpenAIBackend({ model: 'm', base_url: url, api_key: key, api: 'completions' });
    const description = backend.describe();
    expect(backend.endpoint).toBe(server.url);
    expect(description).toMatchObject({ baseUrl: server.url, api: 'completions', model: 'm' });
    expect(JSON.stringify(description)).not.toContain(key);
    expect(JSON.stringify(description)).not.toContain('hunter2');
    expect(openAIProvider.version).toBe(VERSION);
  });
});

describe('openai backend: retries and failures', () => {
  it("does not retry a 429: it throws a rate-limited error with the server's retry-after, for the runner to resend", async () => {
    const { server, backend } = await setup({
      faultPlan: [
        { kind: 'status', status: 429, retryAfterSeconds: 2 },
        { kind: 'status', status: 429, retryAfterMs: 250 },
        { kind: 'status', status: 429 },
      ],
    });
    const seconds = await failure(backend.doGenerate(chat('again'), { signal: never }));
    expect(server.requestCount).toBe(1);
    expect(seconds).toMatchObject({ statusCode: 429, rateLimited: true, retryAfterMs: 2000 });
    expect(seconds.message).toContain('HTTP 429');
    expect(seconds.message).toContain(server.url);
    expect(seconds.message).not.toContain(key);
    const milliseconds = await failure(backend.doGenerate(chat('again'), { signal: never }));
    expect(milliseconds).toMatchObject({ rateLimited: true, retryAfterMs: 250 });
    const unsaid = await failure(backend.doGenerate(chat('again'), { signal: never }));
    expect(unsaid.rateLimited).toBe(true);
    expect(unsaid.retryAfterMs).toBeUndefined();
    expect(server.requestCount).toBe(3);
    // The next call is answered: nothing of the refusals stays behind.
    expect((await backend.doGenerate(chat('again'), { signal: never })).text).toBe('again');
  });

  it('still retries a 500 with retry-after itself, and its failures are not rate-limited', async () => {
    const { server, backend } = await setup(
      { faults: () => ({ kind: 'status', status: 503, retryAfterMs: 5 }) },
      { max_retries: 1 },
    );
    const error = await failure(backend.doGenerate(chat('x'), { signal: never }));
    expect(error).toMatchObject({ statusCode: 503, rateLimited: false, isRetryable: true });
    expect(server.requestCount).toBe(2);
  });

  it('takes requests_per_minute, tokens_per_minute and a price as capabilities, outside the answer identity', async () => {
    const { backend } = await setup({}, {
      requests_per_minute: '500',
      tokens_per_minute: '90000',
      price_input: '0.15',
      price_output: '0.6',
    } as unknown as Partial<OpenAIOptionsInput>);
    expect(backend.capabilities).toMatchObject({ requestsPerMinute: 500, tokensPerMinute: 90_000 });
    expect(backend.price).toEqual({ input: 0.15, output: 0.6 });
    expect(backend.describe()).toMatchObject({ requestsPerMinute: 500, tokensPerMinute: 90_000 });
    for (const name of ['requests_per_minute', 'tokens_per_minute', 'price_input', 'price_output'])
      expect(openAIProvider.answerNeutralOptions).toContain(name);
    expect(() =>
      createOpenAIBackend({ model: 'm', base_url: 'http://127.0.0.1:1/v1', price_input: 1 }),
    ).toThrow(ConfigurationError);
  });

  it('retries a 500, a connection reset and a malformed JSON answer', async () => {
    const { server, backend } = await setup({
      faultPlan: [
        { kind: 'status', status: 500, retryAfterMs: 10 },
        { kind: 'reset' },
        { kind: 'malformed-json' },
      ],
    });
    const result = await backend.doGenerate(chat('third time lucky'), { signal: never });
    expect(result.text).toBe('third time lucky');
    expect(server.requestCount).toBe(4);
  });

  it('retries an attempt that exceeds timeout_ms', async () => {
    const { server, backend } = await setup({ faultPlan: [{ kind: 'hang' }] }, { timeout_ms: 300 });
    const result = await backend.doGenerate(chat('late'), { signal: never });
    expect(result.text).toBe('late');
    expect(server.requestCount).toBe(2);
  });

  it('gives up after max_retries with a retryable BackendCallError naming status and base URL, not the key', async () => {
    const { server, backend } = await setup(
      { faults: () => ({ kind: 'status', status: 503, retryAfterMs: 5 }) },
      { max_retries: 2 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.statusCode).toBe(503);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('503');
    expect(error.message).toContain(server.url);
    expect(error.message).not.toContain(key);
    expect(server.requestCount).toBe(3);
  });

  it('gives up on repeated malformed JSON with a BackendCallError', async () => {
    const { server, backend } = await setup(
      { faults: () => ({ kind: 'malformed-json' }) },
      { max_retries: 1 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.message).toMatch(/malformed/);
    expect(error.isRetryable).toBe(true);
    expect(server.requestCount).toBe(2);
  });

  it('does not retry a 400, and keeps an echoed key out of the message', async () => {
    const { server, backend } = await setup({
      faults: () => ({
        kind: 'status',
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${key}` } },
      }),
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.statusCode).toBe(401);
    expect(error.isRetryable).toBe(false);
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain(key.slice(3));
    expect(server.requestCount).toBe(1);

    await server.close();
    const second = await setup({ faults: () => ({ kind: 'status', status: 400 }) });
    const badRequest = await failure(second.backend.doGenerate(chat('hi'), { signal: never }));
    expect(badRequest).toMatchObject({ statusCode: 400, isRetryable: false });
    expect(second.server.requestCount).toBe(1);
  });

  it('stops reading an answer larger than max_response_bytes and fails the call without retrying', async () => {
    const total = 256 * 1024 * 1024;
    const { server, backend } = await setup(
      { faults: () => ({ kind: 'huge-body', bytes: total }) },
      { max_response_bytes: 1024 * 1024 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.message).toMatch(/answer larger than max_response_bytes=1048576 bytes/);
    expect(error.isRetryable).toBe(false);
    expect(server.requestCount).toBe(1);
    // Reading stopped at the limit: the server got no further than what the connection's buffers held.
    expect(server.bytesSent).toBeLessThan(total / 8);
  });

  it('stops decompressing a gzip bomb at max_response_bytes', async () => {
    const { server, backend } = await setup(
      { faults: () => ({ kind: 'gzip-bomb', bytes: 256 * 1024 * 1024 }) },
      { max_response_bytes: 1024 * 1024 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.message).toMatch(/answer larger than max_response_bytes=1048576 bytes/);
    expect(error.isRetryable).toBe(false);
    expect(server.requestCount).toBe(1);
  });

  it('reports a server that cannot be reached', async () => {
    const unreachable = await startScriptedServer();
    const url = unreachable.url;
    await unreachable.close();
    const backend = createOpenAIBackend({ model: 'm', base_url: url, max_retries: 0 });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain(url);
  });

  it('rejects when the signal is aborted, before or during a call', async () => {
    const { server, backend } = await setup({ faults: () => ({ kind: 'hang' }) });
    const before = new AbortController();
    before.abort();
    await expect(backend.doGenerate(chat('hi'), { signal: before.signal })).rejects.toThrow();
    expect(server.requestCount).toBe(0);
    const during = new AbortController();
    const pending = backend.doGenerate(chat('hi'), { signal: during.signal });
    while (server.requestCount === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    during.abort();
    await expect(pending).rejects.toThrow();
    expect(server.requestCount).toBe(1);
  });
});

describe('openai backend: loglikelihood', () => {
  it('sums the continuation tokens of an echoed prompt and checks greedy', async () => {
    const { server, backend } = await setup({}, { api: 'completions' });
    const result = await backend.doLoglikelihood(
      { type: 'loglikelihood', context: 'The capital of France is', continuation: ' Paris', origin },
      { signal: never },
    );
    expect(result).toEqual({ logprob: scriptedTokenLogprob(' Paris'), isGreedy: true, warnings: [] });
    expect(server.requests[0]?.body).toMatchObject({
      prompt: 'The capital of France is Paris',
      echo: true,
      logprobs: 1,
      max_tokens: 0,
    });
  });

  it('is not greedy when a continuation token is not the top choice', async () => {
    const { backend } = await setup({}, { api: 'completions' });
    const result = await backend.doLoglikelihood(
      { type: 'loglikelihood', context: 'Is it?', continuation: ' NO it is', origin },
      { signal: never },
    );
    expect(result.logprob).toBeCloseTo(
      scriptedTokenLogprob(' NO') + scriptedTokenLogprob(' it') + scriptedTokenLogprob(' is'),
      12,
    );
    expect(result.isGreedy).toBe(false);
  });

  it('moves trailing context whitespace into the continuation, as lm-evaluation-harness does', async () => {
    const { server, backend } = await setup({}, { api: 'completions' });
    const result = await backend.doLoglikelihood(
      { type: 'loglikelihood', context: 'Answer: ', continuation: 'yes', origin },
      { signal: never },
    );
    expect(result.logprob).toBe(scriptedTokenLogprob(' yes'));
    expect(result.warnings).toEqual([]);
    expect(server.requests[0]?.body.prompt).toBe('Answer: yes');
  });
});

describe('openai backend plugin', () => {
  it('is a v1 backend provider with id openai', () => {
    expect(openAIProvider).toMatchObject({ specificationVersion: 'v1', kind: 'backend', id: 'openai' });
    expect(openAIProvider.optionsSchema.safeParse({}).success).toBe(false);
  });
});

let conformanceServer: ScriptedServer;
beforeAll(async () => {
  conformanceServer = await startScriptedServer();
});
afterAll(async () => {
  await conformanceServer.close();
});

runBackendConformance({
  name: 'openai (chat)',
  createBackend: () => createOpenAIBackend({ model: 'm', base_url: conformanceServer.url, api_key: key }),
  expectLoglikelihood: false,
});

runBackendConformance({
  name: 'openai (completions)',
  createBackend: () =>
    createOpenAIBackend({ model: 'm', base_url: conformanceServer.url, api_key: key, api: 'completions' }),
  expectLoglikelihood: true,
});
