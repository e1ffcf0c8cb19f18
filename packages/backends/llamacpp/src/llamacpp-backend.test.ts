import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackendCallError,
  ConfigurationError,
  type GenerateRequestV1,
  type GenerationParametersV1,
  type LoglikelihoodRequestV1,
} from '@evalchemy/core';
import { getModuleVersion } from '@evalchemy/node-llama-cpp';
import { runBackendConformance, sharedModelsDirectory } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import llamaCppProvider, { createLlamaCppBackend, type LlamaCppBackend } from './index.js';

const modelPath = join(sharedModelsDirectory(), 'stories260K.gguf');
const call = { signal: new AbortController().signal, directory: tmpdir() };
const origin = { task: 'test', sampleId: '0', turn: 0, generation: 0 };
// One thread: the 260K-parameter model gains nothing from more, and busy-waiting threads crawl on a loaded CI box.
const settings = { model: modelPath, threads: '1' };

function completion(prompt: string, parameters: GenerationParametersV1): GenerateRequestV1 {
  return { type: 'completion', prompt, parameters, origin };
}

function loglikelihood(context: string, continuation: string): LoglikelihoodRequestV1 {
  return { type: 'loglikelihood', context, continuation, origin };
}

async function startedBackend(options: Record<string, string> = {}): Promise<LlamaCppBackend> {
  const backend = createLlamaCppBackend({ ...settings, ...options });
  await backend.doStart(call);
  return backend;
}

describe('llamacpp backend with stories260K.gguf', () => {
  let backend: LlamaCppBackend;
  beforeAll(async () => {
    backend = await startedBackend();
  });
  afterAll(async () => {
    await backend.doStop();
    // The runner writes the description into the results file after stopping the backend.
    expect(backend.describe()).toMatchObject({ modelPath, parameterCount: 292_800 });
  });

  it('describes the model and claims completion and log-likelihood but not chat (no chat template)', () => {
    expect(backend.capabilities).toEqual({
      chat: false,
      completion: true,
      loglikelihood: true,
      cacheable: true,
      maxConcurrency: 1,
    });
    expect(backend.describe()).toMatchObject({
      modelPath,
      architecture: 'llama',
      parameterCount: 292_800,
      trainContextSize: 2048,
      contextSize: 2048,
      chatTemplate: false,
      computeBackend: 'cpu',
    });
  });

  it('continues the start token greedily into a story, the same way every time', async () => {
    const first = await backend.doGenerate(completion('', { maxTokens: 24, temperature: 0 }), call);
    expect(first.text.trimStart().startsWith('Once upon a time')).toBe(true);
    await backend.doGenerate(completion('The dog', { maxTokens: 5, temperature: 0 }), call);
    const second = await backend.doGenerate(completion('', { maxTokens: 24, temperature: 0 }), call);
    expect(second.text).toBe(first.text);
    expect(first.warnings).toEqual([]);
  });

  it('stops after maxTokens tokens with finishReason length', async () => {
    const result = await backend.doGenerate(
      completion('Once upon a time', { maxTokens: 7, temperature: 0 }),
      call,
    );
    expect(result.finishReason).toBe('length');
    expect(result.usage?.completionTokens).toBe(7);
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('ends at the first stop string and leaves it out of the text', async () => {
    const free = await backend.doGenerate(
      completion('Once upon a time', { maxTokens: 40, temperature: 0 }),
      call,
    );
    const cut = free.text.indexOf('.');
    expect(cut).toBeGreaterThan(0);
    const stopped = await backend.doGenerate(
      completion('Once upon a time', { maxTokens: 40, temperature: 0, stop: ['.', 'zebra'] }),
      call,
    );
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.text).toBe(free.text.slice(0, cut));
  });

  it('samples reproducibly with a seed at a temperature above 0', async () => {
    const parameters = { maxTokens: 20, temperature: 1, topP: 0.95, seed: 1234 };
    const first = await backend.doGenerate(completion('Once upon a time', parameters), call);
    const second = await backend.doGenerate(completion('Once upon a time', parameters), call);
    expect(second.text).toBe(first.text);
  });

  it('scores the greedy continuation as greedy, and another one as not greedy and less likely', async () => {
    const context = 'Once upon a time,';
    const greedy = await backend.doGenerate(completion(context, { maxTokens: 6, temperature: 0 }), call);
    const scored = await backend.doLoglikelihood(loglikelihood(context, greedy.text), call);
    expect(scored.isGreedy).toBe(true);
    expect(scored.logprob).toBeLessThan(0);
    const other = await backend.doLoglikelihood(loglikelihood(context, ' the big green frog'), call);
    expect(other.isGreedy).toBe(false);
    expect(other.logprob).toBeLessThan(scored.logprob);
  });

  it('gives a continuation the sum of the log-probabilities of its parts (chain rule)', async () => {
    const whole = await backend.doLoglikelihood(
      loglikelihood('Once upon a time,', ' there was a big dog'),
      call,
    );
    const head = await backend.doLoglikelihood(loglikelihood('Once upon a time,', ' there was'), call);
    const tail = await backend.doLoglikelihood(
      loglikelihood('Once upon a time, there was', ' a big dog'),
      call,
    );
    expect(whole.logprob).toBeCloseTo(head.logprob + tail.logprob, 4);
    // Each single token is its own step: the sum over steps equals the multi-token score.
    const steps = [' a', ' big', ' dog'];
    let sum = head.logprob;
    let context = 'Once upon a time, there was';
    for (const step of steps) {
      sum += (await backend.doLoglikelihood(loglikelihood(context, step), call)).logprob;
      context += step;
    }
    expect(whole.logprob).toBeCloseTo(sum, 4);
  });

  it('moves trailing spaces of the context into the continuation, as lm-evaluation-harness does', async () => {
    const spaced = await backend.doLoglikelihood(
      loglikelihood('Once upon a time, there was ', 'a big dog'),
      call,
    );
    const plain = await backend.doLoglikelihood(
      loglikelihood('Once upon a time, there was', ' a big dog'),
      call,
    );
    expect(spaced.logprob).toBeCloseTo(plain.logprob, 6);
  });

  it('scores from the start token when the context is empty', async () => {
    const result = await backend.doLoglikelihood(loglikelihood('', 'Once upon a time'), call);
    expect(result.isGreedy).toBe(true);
    expect(Number.isFinite(result.logprob)).toBe(true);
  });

  it('refuses chat requests for a model without a chat template, without retry', async () => {
    const failure = await backend
      .doGenerate({ type: 'chat', messages: [{ role: 'user', content: 'Hi' }], parameters: {}, origin }, call)
      .catch((error: unknown) => error);
    expect(BackendCallError.isInstance(failure)).toBe(true);
    expect((failure as BackendCallError).isRetryable).toBe(false);
    expect((failure as Error).message).toContain('chat template');
  });
});

describe('llamacpp backend with a small context', () => {
  let backend: LlamaCppBackend;
  beforeAll(async () => {
    // llama.cpp pads a context to a multiple of 256 tokens: 256 is the smallest it makes.
    backend = await startedBackend({ context_size: '256' });
  });
  afterAll(async () => {
    await backend.doStop();
  });

  const longPrompt =
    'Once upon a time, there was a little girl named Lily. She loved to play outside. '.repeat(20);

  it('keeps the last (context - maxTokens) prompt tokens and warns, instead of failing', async () => {
    const result = await backend.doGenerate(completion(longPrompt, { maxTokens: 16, temperature: 0 }), call);
    expect(backend.describe().contextSize).toBe(256);
    expect(result.usage?.promptTokens).toBe(256 - 16);
    expect(result.warnings).toContainEqual(expect.objectContaining({ type: 'truncated-prompt' }));
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('caps maxTokens that do not fit the context, with a warning', async () => {
    const result = await backend.doGenerate(completion('Once', { maxTokens: 500, temperature: 0 }), call);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ type: 'unsupported-setting', setting: 'maxTokens' }),
    );
    expect(result.usage?.completionTokens ?? 0).toBeLessThanOrEqual(255);
  });

  it('left-truncates context and continuation for log-likelihood, instead of failing', async () => {
    const result = await backend.doLoglikelihood(loglikelihood(longPrompt, ' there was a big dog'), call);
    expect(result.warnings).toContainEqual(expect.objectContaining({ type: 'truncated-prompt' }));
    expect(Number.isFinite(result.logprob)).toBe(true);
  });
});

describe('llamacpp backend configuration', () => {
  it('parses --model_args strings with CPU as the default', () => {
    expect(
      llamaCppProvider.optionsSchema.parse({ model: 'm.gguf', context_size: '512', threads: '2' }),
    ).toEqual({
      model: 'm.gguf',
      context_size: 512,
      threads: 2,
      gpu: 'false',
    });
    expect(() => createLlamaCppBackend({ model: 'm.gguf', gpu: 'tpu' as never })).toThrow('gpu');
    expect(() => createLlamaCppBackend({ model: 'm.gguf', ctx: '1' } as never)).toThrow(
      'unknown option "ctx"',
    );
  });

  it('runs on half the CPUs it may use by default (at least 1), so that a small busy machine still makes progress', async () => {
    const backend = createLlamaCppBackend({ model: modelPath });
    await backend.doStart(call);
    try {
      expect(backend.describe().threads).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
      const story = await backend.doGenerate(completion('Once upon a time', { maxTokens: 8 }), call);
      expect(story.text.length).toBeGreaterThan(0);
    } finally {
      await backend.doStop();
    }
  });

  it('names a missing GGUF file, and stops cleanly after the failed start', async () => {
    const backend = createLlamaCppBackend({ model: '/nonexistent/model.gguf' });
    const failure = await backend.doStart(call).catch((error: unknown) => error);
    expect(ConfigurationError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('/nonexistent/model.gguf');
    await backend.doStop();
    await backend.doStop();
  });

  // This repository, like a plain install of the backend, has only the CPU build for linux x64
  // (pnpm.ignoredOptionalDependencies in the root package.json).
  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    'names the packages and the command that add a missing GPU build, at the version node-llama-cpp needs',
    async () => {
      const backend = createLlamaCppBackend({ ...settings, gpu: 'cuda' });
      const failure = await backend.doStart(call).catch((error: unknown) => error);
      await backend.doStop();
      expect(ConfigurationError.isInstance(failure)).toBe(true);
      const version = await getModuleVersion();
      expect((failure as Error).message).toContain(
        `gpu=cuda on linux x64 (NoBinaryFoundError). Install it where @evalchemy/backend-llamacpp is installed: ` +
          `npm install @node-llama-cpp/linux-x64-cuda@${version} @node-llama-cpp/linux-x64-cuda-ext@${version} — or use gpu=false for the CPU.`,
      );
    },
  );

  it('fails fast and clearly when an hf: URI cannot be downloaded', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const uri = 'hf:evalchemy-test/missing-model-GGUF:Q4_K_M';
    const backend = createLlamaCppBackend(
      { model: uri },
      { env: { HF_ENDPOINT: endpoint, HF_TOKEN: 'hf_secretsecret' } },
    );
    const failure = await backend.doStart(call).catch((error: unknown) => error);
    await backend.doStop();
    expect(ConfigurationError.isInstance(failure)).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain(uri);
    expect(message).toContain(`${endpoint} is unreachable`);
    expect(message).not.toContain('hf_secretsecret');
  });
});

runBackendConformance({
  name: 'backend-llamacpp',
  createBackend: () => createLlamaCppBackend(settings),
  expectLoglikelihood: true,
});

/** A 127.0.0.1 port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
