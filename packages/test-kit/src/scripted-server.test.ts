import { afterEach, describe, expect, it } from 'vitest';
import {
  type ScriptedServer,
  type ScriptedServerSettings,
  scriptedIsTopToken,
  scriptedTokenLogprob,
  scriptedTokens,
  startScriptedServer,
} from './scripted-server.js';

let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(settings: ScriptedServerSettings = {}): Promise<ScriptedServer> {
  server = await startScriptedServer(settings);
  return server;
}

async function post(base: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** The fields of OpenAI answers these tests read. */
interface AnswerJson {
  choices: {
    message: { role: string; content: string };
    text: string;
    finish_reason: string;
    logprobs: {
      tokens: string[];
      token_logprobs: (number | null)[];
      top_logprobs: (Record<string, number> | null)[];
      text_offset: number[];
    };
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  data: { id: string }[];
}

async function json(response: Response | Promise<Response>): Promise<AnswerJson> {
  return (await (await response).json()) as AnswerJson;
}

const chatBody = {
  model: 'm',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hello there friend' },
  ],
};

describe('startScriptedServer', () => {
  it('echoes the last user message on chat completions, with whitespace token usage', async () => {
    const { url } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await post(url, '/chat/completions', chatBody);
    expect(response.status).toBe(200);
    const answer = await json(response);
    expect(answer.choices[0]?.message).toEqual({ role: 'assistant', content: 'hello there friend' });
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    expect(answer.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('echoes the prompt on completions and lists models', async () => {
    const { url } = await start({ models: ['a', 'b'] });
    const answer = await json(post(url, '/completions', { model: 'm', prompt: 'one two' }));
    expect(answer.choices[0]!.text).toBe('one two');
    const models = await json(fetch(`${url}/models`));
    expect(models.data.map((model) => model.id)).toEqual(['a', 'b']);
  });

  it('answers by rule and applies stop strings and max_tokens', async () => {
    const { url } = await start({
      reply: (request) =>
        request.path === '/v1/completions'
          ? { text: 'alpha beta gamma delta', usage: { promptTokens: 7, completionTokens: 9 } }
          : 'The answer is 4. Done.',
    });
    const stopped = await json(post(url, '/chat/completions', { ...chatBody, stop: ['.'] }));
    expect(stopped.choices[0]?.message.content).toBe('The answer is 4');
    const cut = await json(post(url, '/completions', { model: 'm', prompt: 'x', max_tokens: 2 }));
    expect(cut.choices[0]?.text).toBe('alpha beta');
    expect(cut.choices[0]?.finish_reason).toBe('length');
    expect(cut.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 9 });
  });

  it('records every request with its path, query, headers and body', async () => {
    const { url, requests } = await start({ faultPlan: [{ kind: 'status', status: 500 }] });
    await post(url, '/chat/completions?key=k1&region=eu', chatBody);
    await post(url, '/completions', { model: 'm', prompt: 'p' });
    expect(server?.requestCount).toBe(2);
    expect(requests.map((request) => request.path)).toEqual(['/v1/chat/completions', '/v1/completions']);
    expect(requests.map((request) => request.query)).toEqual([{ key: 'k1', region: 'eu' }, {}]);
    expect(requests[0]?.headers.authorization).toBe('Bearer test-key');
    expect(requests[1]?.body).toEqual({ model: 'm', prompt: 'p' });
  });

  it('only counts requests with recordRequests: false, so that long benchmark runs do not grow its memory', async () => {
    const { url, requests } = await start({ recordRequests: false });
    await post(url, '/chat/completions', chatBody);
    await post(url, '/chat/completions', chatBody);
    expect(server?.requestCount).toBe(2);
    expect(requests).toEqual([]);
  });

  it('injects status faults from the plan, with retry-after, then answers normally', async () => {
    const { url } = await start({
      faultPlan: [
        { kind: 'status', status: 429, retryAfterSeconds: 3 },
        { kind: 'status', status: 401, body: { error: { message: 'bad key' } } },
      ],
    });
    const first = await post(url, '/chat/completions', chatBody);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    const second = await post(url, '/chat/completions', chatBody);
    expect(second.status).toBe(401);
    expect(await second.json()).toEqual({ error: { message: 'bad key' } });
    expect((await post(url, '/chat/completions', chatBody)).status).toBe(200);
  });

  it('injects faults by rule: reset connections and malformed JSON', async () => {
    const { url } = await start({
      faults: (index) =>
        index === 0 ? { kind: 'reset' } : index === 1 ? { kind: 'malformed-json' } : undefined,
    });
    await expect(post(url, '/chat/completions', chatBody)).rejects.toThrow();
    const malformed = await post(url, '/chat/completions', chatBody);
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow(SyntaxError);
    expect((await post(url, '/chat/completions', chatBody)).status).toBe(200);
  });

  it('sends huge answers, plain or as a gzip bomb, and counts the bytes it sent', async () => {
    const bytes = 3 * 1024 * 1024 + 5;
    const { url } = await start({
      faultPlan: [
        { kind: 'huge-body', bytes },
        { kind: 'gzip-bomb', bytes },
      ],
    });
    const plain = await json(post(url, '/chat/completions', chatBody));
    expect(plain.choices[0]!.message.content).toBe('a'.repeat(bytes));
    const sentPlain = server!.bytesSent;
    expect(sentPlain).toBeGreaterThan(bytes);

    const bomb = await post(url, '/chat/completions', chatBody);
    expect(bomb.headers.get('content-encoding')).toBe('gzip');
    expect((await json(bomb)).choices[0]!.message.content).toBe('a'.repeat(bytes));
    expect(server!.bytesSent - sentPlain).toBeLessThan(bytes / 100);
  });

  it('hangs until the client gives up, and close() ends hanging requests', async () => {
    const { url } = await start({
      faults: (_index, request) => (request.path === '/v1/chat/completions' ? { kind: 'hang' } : undefined),
    });
    const controller = new AbortController();
    const pending = post(url, '/chat/completions', chatBody, controller.signal);
    let settled = false;
    void pending.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    // Let a fast answer, if any, arrive before checking that none did.
    expect((await fetch(`${url}/models`)).status).toBe(200);
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toThrow();
    const second = post(url, '/chat/completions', chatBody);
    await server?.close();
    await expect(second).rejects.toThrow();
  });

  it('delays answers by latencyMs', async () => {
    const { url } = await start({ latencyMs: 150 });
    const started = performance.now();
    await post(url, '/chat/completions', chatBody);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('never answers before latencyMs, even a fractional one (timers drop fractions)', async () => {
    const { url } = await start({ latencyMs: 10.5 });
    for (let index = 0; index < 10; index++) {
      const started = performance.now();
      await post(url, '/chat/completions', chatBody);
      expect(performance.now() - started).toBeGreaterThanOrEqual(10.5);
    }
  });

  it('returns per-token logprobs of the echoed prompt for loglikelihood requests', async () => {
    const { url } = await start();
    const prompt = 'The capital of France is Paris';
    const answer = await json(
      post(url, '/completions', { model: 'm', prompt, echo: true, logprobs: 1, max_tokens: 0 }),
    );
    const choice = answer.choices[0]!;
    expect(choice.text).toBe(prompt);
    const { tokens, token_logprobs, top_logprobs, text_offset } = choice.logprobs;
    expect(tokens).toEqual(['The', ' capital', ' of', ' France', ' is', ' Paris']);
    expect(tokens.join('')).toBe(prompt);
    expect(text_offset).toEqual([0, 3, 11, 14, 21, 24]);
    expect(token_logprobs[0]).toBeNull();
    expect(token_logprobs[5]).toBe(scriptedTokenLogprob(' Paris'));
    expect(top_logprobs[5]).toEqual({ ' Paris': scriptedTokenLogprob(' Paris') });
    // The same text always gets the same logprob; different texts (almost always) differ.
    expect(scriptedTokenLogprob(' Paris')).toBe(scriptedTokenLogprob(' Paris'));
    expect(scriptedTokenLogprob(' Paris')).not.toBe(scriptedTokenLogprob(' London'));
  });

  it('reports upper-case tokens as not the top choice', async () => {
    const { url } = await start();
    const answer = await json(
      post(url, '/completions', { model: 'm', prompt: 'Answer: NO', echo: true, logprobs: 2, max_tokens: 0 }),
    );
    const top = answer.choices[0]?.logprobs.top_logprobs[1] ?? {};
    const best = Object.entries(top).sort((a, b) => b[1] - a[1])[0]?.[0];
    expect(best).toBe(' no');
    expect(scriptedIsTopToken(' NO')).toBe(false);
    expect(scriptedIsTopToken(' No')).toBe(true);
  });

  it('splits text into tokens that join back to the text', () => {
    for (const text of ['', 'a', ' a  b\n', 'x\ty z ']) expect(scriptedTokens(text).join('')).toBe(text);
  });

  it('answers 404 for an unknown route', async () => {
    const { url } = await start();
    expect((await post(url, '/embeddings', {})).status).toBe(404);
  });
  it('admits at most admitAtMost requests at a time and refuses the rest at once with 429 and retry-after', async () => {
    const { url } = await start({ admitAtMost: 2, latencyMs: 100, rateLimitRetryAfterMs: 1500 });
    const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const first = [post(url, '/chat/completions', chat), post(url, '/chat/completions', chat)];
    while (server!.requestCount < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await post(url, '/chat/completions', chat);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after-ms')).toBe('1500');
    expect(refused.headers.get('retry-after')).toBe('2');
    expect((await Promise.all(first)).map((response) => response.status)).toEqual([200, 200]);
    expect((await post(url, '/chat/completions', chat)).status).toBe(200);
    expect(server!.rateLimitedCount).toBe(1);
    expect(server!.maxInFlight).toBe(2);
    expect(server!.requests.map(({ inFlight, rateLimited }) => ({ inFlight, rateLimited }))).toEqual([
      { inFlight: 0, rateLimited: false },
      { inFlight: 1, rateLimited: false },
      { inFlight: 2, rateLimited: true },
      { inFlight: 0, rateLimited: false },
    ]);
    const times = server!.requests.map((request) => request.receivedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
