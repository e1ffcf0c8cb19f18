// Top logprobs and JSON output, which judges ask for (AlpacaEval-style logprob judges, WildBench's JSON).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GenerateRequestV1, GenerationParametersV1 } from '@evalchemy/core';
import { type ScriptedServer, scriptedTokenLogprob, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIBackend } from './index.js';
import { normaliseParameters } from './openai-parameters.js';

const origin = { task: 'test', sampleId: '0', turn: 0, generation: 0 };
const never = new AbortController().signal;

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function chat(parameters: GenerationParametersV1): GenerateRequestV1 {
  return { type: 'chat', messages: [{ role: 'user', content: 'Is it right?' }], parameters, origin };
}

function completion(parameters: GenerationParametersV1): GenerateRequestV1 {
  return { type: 'completion', prompt: 'Is it right?', parameters, origin };
}

const lp = scriptedTokenLogprob;

describe('openai backend: capabilities judges need', () => {
  it('declares 20 top logprobs and JSON output on chat; on completions no JSON, and 5 at api.openai.com', () => {
    const local = 'http://127.0.0.1:9/v1';
    expect(createOpenAIBackend({ model: 'm', base_url: local }).capabilities).toMatchObject({
      topLogprobs: 20,
      json: true,
    });
    expect(
      createOpenAIBackend({ model: 'm', base_url: local, api: 'completions' }).capabilities,
    ).toMatchObject({ topLogprobs: 20, json: false });
    expect(
      createOpenAIBackend({ model: 'm', api: 'completions', api_key: 'sk-x' }).capabilities,
    ).toMatchObject({ topLogprobs: 5, json: false });
  });
});

describe('openai backend: top logprobs', () => {
  it('asks chat for logprobs and top_logprobs and returns each token with its alternatives', async () => {
    server = await startScriptedServer({ reply: () => 'The answer: YES' });
    const backend = createOpenAIBackend({ model: 'm', base_url: server.url });
    const result = await backend.doGenerate(chat({ topLogprobs: 2 }), { signal: never });
    expect(server.requests[0]?.body).toMatchObject({ logprobs: true, top_logprobs: 2 });
    expect(result.text).toBe('The answer: YES');
    expect(result.logprobs).toEqual([
      { token: 'The', logprob: lp('The'), topLogprobs: [{ token: 'The', logprob: lp('The') }] },
      {
        token: ' answer:',
        logprob: lp(' answer:'),
        topLogprobs: [{ token: ' answer:', logprob: lp(' answer:') }],
      },
      {
        token: ' YES',
        logprob: lp(' YES'),
        topLogprobs: [
          { token: ' yes', logprob: lp(' YES') / 2 },
          { token: ' YES', logprob: lp(' YES') },
        ],
      },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('sends the legacy integer logprobs on completions and sorts alternatives most likely first', async () => {
    server = await startScriptedServer({ reply: () => ' NO' });
    const backend = createOpenAIBackend({ model: 'm', base_url: server.url, api: 'completions' });
    const result = await backend.doGenerate(completion({ topLogprobs: 3 }), { signal: never });
    expect(server.requests[0]?.body).toMatchObject({ logprobs: 3 });
    expect(result.logprobs).toEqual([
      {
        token: ' NO',
        logprob: lp(' NO'),
        topLogprobs: [
          { token: ' no', logprob: lp(' NO') / 2 },
          { token: ' NO', logprob: lp(' NO') },
        ],
      },
    ]);
  });

  it('returns no logprobs field when none were asked for', async () => {
    server = await startScriptedServer({ reply: () => 'fine' });
    const backend = createOpenAIBackend({ model: 'm', base_url: server.url });
    const result = await backend.doGenerate(chat({}), { signal: never });
    expect(server.requests[0]?.body).not.toHaveProperty('logprobs');
    expect(result).not.toHaveProperty('logprobs');
  });

  it('warns when a server ignores the request for logprobs', async () => {
    const plain: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ choices: [{ message: { content: 'yes' }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = plain.address() as AddressInfo;
      const backend = createOpenAIBackend({ model: 'm', base_url: `http://127.0.0.1:${port}/v1` });
      const result = await backend.doGenerate(chat({ topLogprobs: 5 }), { signal: never });
      expect(result.text).toBe('yes');
      expect(result).not.toHaveProperty('logprobs');
      expect(result.warnings).toEqual([
        expect.objectContaining({ type: 'unsupported-setting', setting: 'topLogprobs' }),
      ]);
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it('asks api.openai.com completions for at most 5 alternatives, with a warning', () => {
    const { body, warnings } = normaliseParameters(
      { topLogprobs: 10 },
      {
        model: 'gpt-3.5-turbo-instruct',
        baseUrl: 'https://api.openai.com/v1',
        maxTokensParameter: 'max_tokens',
        requestType: 'completion',
      },
    );
    expect(body).toEqual({ logprobs: 5 });
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-setting', setting: 'topLogprobs' }),
    ]);
  });
});

describe('openai backend: JSON output', () => {
  it('asks chat for response_format json_object', async () => {
    server = await startScriptedServer({ reply: () => '{"score": 7}' });
    const backend = createOpenAIBackend({ model: 'm', base_url: server.url });
    const result = await backend.doGenerate(chat({ responseFormat: 'json' }), { signal: never });
    expect(server.requests[0]?.body.response_format).toEqual({ type: 'json_object' });
    expect(result).toMatchObject({ text: '{"score": 7}', warnings: [] });
  });

  it('sends nothing for responseFormat text', async () => {
    server = await startScriptedServer();
    const backend = createOpenAIBackend({ model: 'm', base_url: server.url });
    await backend.doGenerate(chat({ responseFormat: 'text' }), { signal: never });
    expect(server.requests[0]?.body).not.toHaveProperty('response_format');
  });

  it('warns on completions, which have no JSON mode, and sends no response_format', async () => {
    server = await startScriptedServer({ reply: () => ' {}' });
    const backend = createOpenAIBackend({ model: 'm', base_url: server.url, api: 'completions' });
    const result = await backend.doGenerate(completion({ responseFormat: 'json' }), { signal: never });
    expect(server.requests[0]?.body).not.toHaveProperty('response_format');
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported-setting', setting: 'responseFormat' }),
    ]);
  });
});
