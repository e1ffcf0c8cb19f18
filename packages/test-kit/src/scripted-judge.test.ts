import { describe, expect, it } from 'vitest';
import { createScriptedJudge } from './scripted-judge.js';

const signal = new AbortController().signal;
const ask = (content: string, parameters = {}) => ({
  messages: [{ role: 'user' as const, content }],
  parameters,
});

describe('createScriptedJudge', () => {
  it('answers each request from its script and keeps the requests', async () => {
    const judge = createScriptedJudge({
      role: 'grader',
      answer: (request, index) =>
        request.messages[0]!.content.includes('good') ? `[[A]] #${index}` : '[[B]]',
    });
    expect(judge).toMatchObject({ role: 'grader', backendId: 'scripted', modelId: 'scripted-judge' });
    expect((await judge.judge(ask('a good answer'), { signal })).text).toBe('[[A]] #0');
    expect(await judge.judge(ask('a bad one'), { signal })).toEqual({
      text: '[[B]]',
      finishReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 1 },
      warnings: [],
    });
    expect(judge.requests.map((request) => request.messages[0]!.content)).toEqual([
      'a good answer',
      'a bad one',
    ]);
  });

  it('gives per-token logprobs when a request asks for top logprobs, unless the script gives its own', async () => {
    const derived = createScriptedJudge({ answer: 'Output (a)' });
    const answer = await derived.judge(ask('which?', { topLogprobs: 5 }), { signal });
    expect(answer.logprobs?.map((entry) => entry.token)).toEqual(['Output', ' (a)']);
    for (const entry of answer.logprobs ?? []) {
      expect(entry.topLogprobs[0]).toEqual({ token: entry.token, logprob: entry.logprob });
    }
    const own = [{ token: 'm', logprob: -0.1, topLogprobs: [{ token: 'm', logprob: -0.1 }] }];
    const scripted = createScriptedJudge({ answer: { text: 'm', logprobs: own } });
    expect((await scripted.judge(ask('which?', { topLogprobs: 5 }), { signal })).logprobs).toEqual(own);
  });

  it('rejects a request whose signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    const judge = createScriptedJudge({ answer: 'x' });
    await expect(judge.judge(ask('q'), { signal: controller.signal })).rejects.toThrow('stopped');
    expect(judge.requests).toEqual([]);
  });
});
