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
  type AnthropicServer,
  type AnthropicServerSettings,
  startAnthropicServer,
} from './__fixtures__/anthropic-server.js';
import anthropicProvider, { type AnthropicOptionsInput, createAnthropicBackend, VERSION } from './index.js';

const key = 'sk-ant-test-secret-key-0123456789';
const origin: RequestOriginV1 = { task: 'test', sampleId: '0', turn: 0, generation: 0 };
const never = new AbortController().signal;

let server: AnthropicServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(settings: AnthropicServerSettings = {}, options: Partial<AnthropicOptionsInput> = {}) {
  server = await startAnthropicServer({ apiKey: key, ...settings });
  const backend = createAnthropicBackend({
    model: 'claude-test',
    base_url: server.url,
    api_key: key,
    ...options,
  });
  return { server, backend };
}

function chat(content: string, parameters: GenerationParametersV1 = {}): GenerateRequestV1 {
  return { type: 'chat', messages: [{ role: 'user', content }], parameters, origin };
}

async function failure(promise: Promise<unknown>): Promise<BackendCallError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(BackendCallError.isInstance(error), String(error)).toBe(true);
  return error as BackendCallError;
}

describe('anthropic backend: requests', () => {
  it('sends system messages as the system field, merges same-role turns, and always sends max_tokens', async () => {
    const { server, backend } = await setup({ reply: () => 'four apples' });
    const result = await backend.doGenerate(
      {
        type: 'chat',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'system', content: 'Answer in English.' },
          { role: 'user', content: 'I have two apples.' },
          { role: 'user', content: 'I buy two more.' },
          { role: 'assistant', content: 'Noted.' },
          { role: 'user', content: 'How many?' },
        ],
        parameters: {},
        origin,
      },
      { signal: never },
    );
    expect(result).toEqual({
      text: 'four apples',
      finishReason: 'stop',
      usage: { promptTokens: 16, completionTokens: 2 },
      warnings: [],
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(key);
    expect(request?.headers.authorization).toBe(`Bearer ${key}`);
    expect(request?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(request?.body).toEqual({
      model: 'claude-test',
      max_tokens: 4096,
      system: 'Be brief.\n\nAnswer in English.',
      messages: [
        { role: 'user', content: 'I have two apples.\n\nI buy two more.' },
        { role: 'assistant', content: 'Noted.' },
        { role: 'user', content: 'How many?' },
      ],
    });
  });

  it('maps maxTokens, stop, temperature and topP; the max_tokens option is the default', async () => {
    const { server, backend } = await setup({}, { max_tokens: 123 });
    const result = await backend.doGenerate(
      chat('hi', { maxTokens: 32, temperature: 0.7, topP: 0.9, stop: ['Question:', '</s>'] }),
      { signal: never },
    );
    expect(result.warnings).toEqual([]);
    expect(server.requests[0]?.body).toEqual({
      model: 'claude-test',
      max_tokens: 32,
      messages: [{ role: 'user', content: 'hi' }],
      stop_sequences: ['Question:', '</s>'],
      temperature: 0.7,
      top_p: 0.9,
    });
    await backend.doGenerate(chat('again'), { signal: never });
    expect(server.requests[1]?.body.max_tokens).toBe(123);
    expect(server.requests[1]?.body).not.toHaveProperty('temperature');
  });

  it('warns for seed, topLogprobs and JSON mode, which the Messages API cannot honour, and sends none of them', async () => {
    const { server, backend } = await setup();
    const result = await backend.doGenerate(
      chat('hi', { seed: 7, topLogprobs: 5, responseFormat: 'json', temperature: 0 }),
      { signal: never },
    );
    expect(result.text).toBe('hi');
    expect(result.warnings.map((warning) => [warning.type, warning.setting])).toEqual([
      ['unsupported-setting', 'seed'],
      ['unsupported-setting', 'topLogprobs'],
      ['unsupported-setting', 'responseFormat'],
    ]);
    expect(result).not.toHaveProperty('logprobs');
    expect(Object.keys(server.requests[0]?.body ?? {}).sort()).toEqual([
      'max_tokens',
      'messages',
      'model',
      'temperature',
    ]);
  });

  it('sends a temperature above 1 as 1, the API maximum, with a warning', async () => {
    const { server, backend } = await setup();
    const result = await backend.doGenerate(chat('hi', { temperature: 1.5 }), { signal: never });
    expect(server.requests[0]?.body.temperature).toBe(1);
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-setting', setting: 'temperature' }),
    ]);
  });

  it('cuts at whitespace-only stop strings itself, as the API refuses them, with a warning', async () => {
    const { server, backend } = await setup({ reply: () => 'line one\n\nline two Question: three' });
    const result = await backend.doGenerate(chat('go', { stop: ['\n\n', 'Question:'] }), { signal: never });
    expect(server.requests[0]?.body.stop_sequences).toEqual(['Question:']);
    expect(result.text).toBe('line one');
    expect(result.finishReason).toBe('stop');
    expect(result.warnings).toEqual([
      expect.objectContaining({
        type: 'unsupported-setting',
        setting: 'stop',
        message: expect.stringContaining('"\\n\\n"'),
      }),
    ]);
  });

  it('leaves out temperature and top_p once the model refuses them, with a warning, and sends them no more', async () => {
    const { server, backend } = await setup({ refuse: ['temperature', 'top_p'] });
    const first = await backend.doGenerate(chat('one', { temperature: 0, topP: 0.5 }), { signal: never });
    expect(first.text).toBe('one');
    expect(first.warnings.map((warning) => warning.setting)).toEqual(['temperature', 'topP']);
    expect(server.requestCount).toBe(3);
    const second = await backend.doGenerate(chat('two', { temperature: 0, topP: 0.5 }), { signal: never });
    expect(second.text).toBe('two');
    expect(second.warnings.map((warning) => warning.setting)).toEqual(['temperature', 'topP']);
    expect(server.requestCount).toBe(4);
    expect(server.requests[3]?.body).not.toHaveProperty('temperature');
    expect(server.requests[3]?.body).not.toHaveProperty('top_p');
    expect(backend.describe().refusedSettings).toEqual(['temperature', 'topP']);
  });

  it('refuses completion requests and claims chat only', async () => {
    const { server, backend } = await setup();
    expect(backend.capabilities).toMatchObject({
      chat: true,
      completion: false,
      loglikelihood: false,
      json: false,
    });
    const request: GenerateRequestV1 = { type: 'completion', prompt: 'x', parameters: {}, origin };
    await expect(backend.doGenerate(request, { signal: never })).rejects.toSatisfy(
      ConfigurationError.isInstance,
    );
    expect(server.requestCount).toBe(0);
  });
});

describe('anthropic backend: answers', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content-filter'],
    ['tool_use', 'other'],
  ] as const)('maps stop_reason %s to %s', async (stopReason, finishReason) => {
    const { backend } = await setup({ reply: () => ({ text: 'x', stopReason }) });
    const result = await backend.doGenerate(chat('hi'), { signal: never });
    expect(result.finishReason).toBe(finishReason);
  });

  it('reports length when the server stops at max_tokens, and stop at a stop sequence', async () => {
    const { backend } = await setup({ reply: () => 'one two three four five' });
    const cut = await backend.doGenerate(chat('hi', { maxTokens: 2 }), { signal: never });
    expect(cut).toMatchObject({ text: 'one two ', finishReason: 'length' });
    const stopped = await backend.doGenerate(chat('hi', { stop: ['three'] }), { signal: never });
    expect(stopped).toMatchObject({ text: 'one two ', finishReason: 'stop' });
  });

  it('joins the text blocks of the answer and skips thinking blocks', async () => {
    const { backend } = await setup({
      reply: () => ({
        content: [
          { type: 'thinking', thinking: 'let me see', signature: 'abc' },
          { type: 'text', text: 'The answer ' },
          { type: 'text', text: 'is 4.' },
        ],
      }),
    });
    expect((await backend.doGenerate(chat('hi'), { signal: never })).text).toBe('The answer is 4.');
  });

  it('counts cache reads and writes into the prompt size and reports the reads as cached', async () => {
    const { backend } = await setup({
      reply: () => ({
        text: 'ok',
        usage: {
          input_tokens: 10,
          output_tokens: 3,
          cache_read_input_tokens: 1000,
          cache_creation_input_tokens: 24,
        },
      }),
    });
    const result = await backend.doGenerate(chat('hi'), { signal: never });
    expect(result.usage).toEqual({ promptTokens: 1034, completionTokens: 3, cachedPromptTokens: 1000 });
  });
});

describe('anthropic backend: failures and retries', () => {
  it('does not retry a 429: one request, a rate-limited error with the server retry-after', async () => {
    const { server, backend } = await setup({
      faults: [{ kind: 'status', status: 429, retryAfterSeconds: 7 }],
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({
      statusCode: 429,
      rateLimited: true,
      retryAfterMs: 7000,
      isRetryable: true,
    });
    expect(error.message).toMatch(/429 rate_limit_error/);
    expect(server.requestCount).toBe(1);
  });

  it('does not retry a 529 overloaded_error: one request, a rate-limited error', async () => {
    const { server, backend } = await setup({
      faults: [{ kind: 'status', status: 529, message: 'Overloaded', retryAfterSeconds: 2 }],
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({ statusCode: 529, rateLimited: true, retryAfterMs: 2000 });
    expect(error.message).toMatch(/overloaded_error/);
    expect(server.requestCount).toBe(1);
  });

  it('retries a 500, a reset connection and a malformed answer, then answers', async () => {
    const { server, backend } = await setup({
      faults: [
        { kind: 'status', status: 500, retryAfterSeconds: 0 },
        { kind: 'reset' },
        { kind: 'malformed-json' },
      ],
      reply: () => 'recovered',
    });
    const result = await backend.doGenerate(chat('hi'), { signal: never });
    expect(result.text).toBe('recovered');
    expect(server.requestCount).toBe(4);
  });

  it('gives up after max_retries with the status in the error', async () => {
    const { server, backend } = await setup(
      {
        faults: [
          { kind: 'status', status: 503, retryAfterSeconds: 0 },
          { kind: 'status', status: 502, retryAfterSeconds: 0 },
        ],
      },
      { max_retries: 1 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({ statusCode: 502, isRetryable: true, rateLimited: false });
    expect(error.message).toMatch(/HTTP 502 .*2 attempts/);
    expect(server.requestCount).toBe(2);
  });

  it('fails a 400 at once, naming what the server said', async () => {
    const { server, backend } = await setup({
      faults: [{ kind: 'status', status: 400, message: 'messages: text content blocks must be non-empty' }],
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({ statusCode: 400, isRetryable: false });
    expect(error.message).toMatch(
      /HTTP 400 invalid_request_error.*: messages: text content blocks must be non-empty/,
    );
    expect(server.requestCount).toBe(1);
  });

  it('turns a 401 into an authentication error without the key, even when the server echoes it', async () => {
    server = await startAnthropicServer({ apiKey: 'sk-ant-the-right-key-000000' });
    const backend = createAnthropicBackend({ model: 'claude-test', base_url: server.url, api_key: key });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 401, isRetryable: false });
    expect(error.message).toMatch(/401 authentication_error/);
    expect(error.message).toMatch(/ANTHROPIC_API_KEY/);
    expect(`${error.message} ${String(error.stack)}`).not.toContain(key);
    expect(`${error.message}`).not.toContain('secret-key');
    expect(server.requestCount).toBe(1);
  });

  it('turns a 403 into an authentication error too', async () => {
    const { backend } = await setup({
      faults: [
        {
          kind: 'status',
          status: 403,
          message: 'Your API key does not have permission to use the specified resource.',
        },
      ],
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 403, isRetryable: false });
    expect(error.message).toMatch(/403 permission_error/);
  });

  it('keeps an echoed key out of rate-limit and server-error messages', async () => {
    const { backend } = await setup(
      {
        faults: [
          { kind: 'status', status: 429, message: `too many requests for key ${key}` },
          { kind: 'status', status: 500, message: `internal error for ${key}` },
        ],
      },
      { max_retries: 0 },
    );
    const limited = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(limited.rateLimited).toBe(true);
    expect(limited.message).not.toContain(key);
    const broken = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(broken.statusCode).toBe(500);
    expect(broken.message).toContain('internal error for sk-ant-***');
    expect(broken.message).not.toContain(key);
  });

  it('retries a request the server never answers, up to max_retries, naming timeout_ms', async () => {
    const { server, backend } = await setup(
      { faults: [{ kind: 'hang' }, { kind: 'hang' }] },
      { timeout_ms: 300, max_retries: 1 },
    );
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error).toMatchObject({ isRetryable: true, rateLimited: false });
    expect(error.message).toMatch(/did not answer within timeout_ms=300 \(2 attempts\)/);
    expect(server.requestCount).toBe(2);
  });

  it('stops at once, without retrying, when the run is cancelled mid-request', async () => {
    const { server, backend } = await setup({ faults: [{ kind: 'hang' }] });
    const controller = new AbortController();
    const pending = backend.doGenerate(chat('hi'), { signal: controller.signal });
    while (server.requestCount === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error('cancelled by the user'));
    await expect(pending).rejects.toThrow('cancelled by the user');
    expect(server.requestCount).toBe(1);
  });

  it('keeps the base URL password and query values out of errors, endpoint and describe()', async () => {
    server = await startAnthropicServer({
      faults: [{ kind: 'status', status: 400, message: 'echo token=querysecret99 x' }],
    });
    const url = new URL(server.url);
    const backend = createAnthropicBackend({
      model: 'claude-test',
      base_url: `http://user:passwordsecret@${url.host}/v1?token=querysecret99`,
      api_key: key,
    });
    const error = await failure(backend.doGenerate(chat('hi'), { signal: never }));
    expect(error.message).not.toContain('querysecret99');
    expect(server.requests[0]?.path).toBe('/v1/messages');
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('user:passwordsecret').toString('base64')}`,
    );
    expect(server.requests[0]?.headers['x-api-key']).toBe(key);
    expect(server.requests[0]?.query).toEqual({ token: 'querysecret99' });
    expect(backend.endpoint).toBe(`http://${url.host}`);
    const described = JSON.stringify(backend.describe());
    for (const secret of [key, 'passwordsecret', 'querysecret99']) expect(described).not.toContain(secret);
  });
});

describe('anthropic backend: configuration', () => {
  it('takes the key and server from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL', async () => {
    server = await startAnthropicServer({ apiKey: key });
    const backend = createAnthropicBackend(
      { model: 'claude-test' },
      { env: { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: server.url } },
    );
    expect(backend.endpoint).toBe(server.url);
    expect((await backend.doGenerate(chat('hello'), { signal: never })).text).toBe('hello');
    expect(server.requests[0]?.headers['x-api-key']).toBe(key);
  });

  it('prefers api_key and base_url to the environment', async () => {
    server = await startAnthropicServer({ apiKey: key });
    const preferred = createAnthropicBackend(
      { model: 'claude-test', api_key: key, base_url: server.url },
      { env: { ANTHROPIC_API_KEY: 'sk-ant-other', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' } },
    );
    expect((await preferred.doGenerate(chat('yes'), { signal: never })).text).toBe('yes');
  });

  it('sends no credential header to a keyless local server, and reads no key from process.env', async () => {
    server = await startAnthropicServer();
    const saved = { key: process.env.ANTHROPIC_API_KEY, token: process.env.ANTHROPIC_AUTH_TOKEN };
    process.env.ANTHROPIC_API_KEY = 'sk-ant-from-the-process-environment';
    process.env.ANTHROPIC_AUTH_TOKEN = 'token-from-the-process-environment';
    try {
      const backend = createAnthropicBackend({ model: 'claude-test', base_url: server.url }, { env: {} });
      expect((await backend.doGenerate(chat('free'), { signal: never })).text).toBe('free');
    } finally {
      for (const [name, value] of [
        ['ANTHROPIC_API_KEY', saved.key],
        ['ANTHROPIC_AUTH_TOKEN', saved.token],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(server.requests[0]?.headers).not.toHaveProperty('x-api-key');
    expect(server.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('refuses api.anthropic.com without a key, naming both ways to give one', () => {
    expect(() => createAnthropicBackend({ model: 'claude-sonnet-4-6' }, { env: {} })).toThrow(
      /ANTHROPIC_API_KEY.*api_key=/,
    );
    expect(() => createAnthropicBackend({ model: 'claude-sonnet-4-6' }, { env: {} })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError' }),
    );
  });

  it('sends anthropic_version as the anthropic-version header', async () => {
    const { server, backend } = await setup({}, { anthropic_version: '2023-06-01' });
    await backend.doGenerate(chat('v'), { signal: never });
    expect(server.requests[0]?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('sets price and rate limits from the limit options, and describes itself without the key', () => {
    const backend = createAnthropicBackend({
      model: 'claude-test',
      api_key: key,
      price_input: 3,
      price_output: 15,
      price_cached_input: 0.3,
      requests_per_minute: 50,
      tokens_per_minute: 40000,
      concurrency: 4,
    });
    expect(backend.price).toEqual({ input: 3, output: 15, cachedInput: 0.3 });
    expect(backend.capabilities).toMatchObject({
      requestsPerMinute: 50,
      tokensPerMinute: 40000,
      maxConcurrency: 4,
    });
    expect(backend.endpoint).toBe('https://api.anthropic.com');
    expect(backend.describe()).toEqual({
      baseUrl: 'https://api.anthropic.com',
      model: 'claude-test',
      maxTokens: 4096,
      maxRetries: 5,
      timeoutMs: 600000,
      concurrency: 4,
    });
    expect(JSON.stringify(backend.describe())).not.toContain(key);
  });

  it('is the plugin anthropic, whose neutral options are credentials, server, retries, timeouts and limits', () => {
    expect(anthropicProvider).toMatchObject({ id: 'anthropic', kind: 'backend', version: VERSION });
    expect([...(anthropicProvider.answerNeutralOptions ?? [])].sort()).toEqual(
      [
        'api_key',
        'base_url',
        'concurrency',
        'max_retries',
        'price_cached_input',
        'price_input',
        'price_output',
        'requests_per_minute',
        'revision',
        'timeout_ms',
        'tokenized_requests',
        'tokens_per_minute',
      ].sort(),
    );
    expect(() => createAnthropicBackend({ model: 'm', api_key: key, price_input: 1 })).toThrow(
      /price_output/,
    );
    expect(() => createAnthropicBackend({ model: 'm', api_key: key, tempreature: 1 } as never)).toThrow(
      /tempreature/,
    );
  });
});

describe('anthropic backend: conformance', () => {
  let shared: AnthropicServer;
  beforeAll(async () => {
    shared = await startAnthropicServer({ apiKey: key });
  });
  afterAll(async () => {
    await shared.close();
  });
  runBackendConformance({
    name: 'backend-anthropic',
    createBackend: () => createAnthropicBackend({ model: 'claude-test', base_url: shared.url, api_key: key }),
    expectLoglikelihood: false,
  });
});
