import { BackendCallError, type GenerateRequestV1 } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { runBackendConformance } from './conformance/backend-conformance.js';
import { createMockBackend } from './mock-backend.js';

const signal = new AbortController().signal;
const origin = { task: 't', sampleId: '0', turn: 0, generation: 0 };
const chat = (content: string, parameters = {}): GenerateRequestV1 => ({
  type: 'chat',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content },
  ],
  parameters,
  origin,
});

runBackendConformance({
  name: 'mock backend',
  createBackend: () => createMockBackend({ loglikelihood: -1.5 }),
  expectLoglikelihood: true,
});

describe('createMockBackend', () => {
  it('echoes the last user message or the prompt by default, with word counts as usage', async () => {
    const backend = createMockBackend();
    expect(await backend.doGenerate(chat('two words'), { signal })).toEqual({
      text: 'two words',
      finishReason: 'stop',
      usage: { promptTokens: 4, completionTokens: 2 },
      warnings: [],
    });
    const completion = await backend.doGenerate(
      { type: 'completion', prompt: 'Q: 1+1?\nA:', parameters: {}, origin },
      { signal },
    );
    expect(completion.text).toBe('Q: 1+1?\nA:');
  });

  it('answers from a script of the request and its arrival index, and keeps every request', async () => {
    const backend = createMockBackend({
      generate: (request, index) =>
        request.type === 'chat' && index === 1 ? { text: 'cut', finishReason: 'length' } : `answer ${index}`,
    });
    const answers = [];
    for (const question of ['a', 'b', 'c'])
      answers.push(await backend.doGenerate(chat(question), { signal }));
    expect(answers.map(({ text, finishReason }) => [text, finishReason])).toEqual([
      ['answer 0', 'stop'],
      ['cut', 'length'],
      ['answer 2', 'stop'],
    ]);
    expect(
      backend.requests.map((request) => request.type === 'chat' && request.messages[1]!.content),
    ).toEqual(['a', 'b', 'c']);
  });

  it('passes on what the script throws, as a backend that failed after its retries', async () => {
    const backend = createMockBackend({
      generate: () => {
        throw new BackendCallError('HTTP 400 from the scripted model', { statusCode: 400 });
      },
    });
    await expect(backend.doGenerate(chat('x'), { signal })).rejects.toSatisfy(BackendCallError.isInstance);
  });

  it('refuses a request type its capabilities exclude, naming it', async () => {
    const backend = createMockBackend({ id: 'chat-only', capabilities: { completion: false } });
    await expect(
      backend.doGenerate({ type: 'completion', prompt: 'x', parameters: {}, origin }, { signal }),
    ).rejects.toThrow(
      'The mock backend chat-only got a completion request, but its capabilities.completion is false.',
    );
    expect(backend.doLoglikelihood).toBeUndefined();
  });

  it("gives the scripted server's per-token logprobs when a request asks for top logprobs", async () => {
    const backend = createMockBackend({ capabilities: { topLogprobs: 5 }, generate: 'Hello YES' });
    const result = await backend.doGenerate(chat('x', { topLogprobs: 2 }), { signal });
    expect(result.logprobs?.map((entry) => entry.token)).toEqual(['Hello', ' YES']);
    // An all-upper-case token ranks below its lower-case spelling.
    expect(result.logprobs?.[1]?.topLogprobs.map((entry) => entry.token)).toEqual([' yes', ' YES']);
    expect((await backend.doGenerate(chat('x'), { signal })).logprobs).toBeUndefined();
  });

  it('scores continuations as the scripted server does, or from a script', async () => {
    const scripted = createMockBackend({
      loglikelihood: (request) => (request.continuation === ' Paris' ? -0.5 : -9),
    });
    const request = {
      type: 'loglikelihood' as const,
      context: 'The capital is',
      continuation: ' Paris',
      origin,
    };
    expect(await scripted.doLoglikelihood!(request, { signal })).toEqual({
      logprob: -0.5,
      isGreedy: true,
      warnings: [],
    });
    const derived = createMockBackend({ capabilities: { loglikelihood: true } });
    const upper = await derived.doLoglikelihood!({ ...request, continuation: ' PARIS' }, { signal });
    expect(upper.isGreedy).toBe(false);
    expect(upper.logprob).toBeLessThan(0);
  });
});
