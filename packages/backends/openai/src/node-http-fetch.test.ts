import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { GenerateRequestV1 } from '@evalchemy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOpenAIBackend } from './index.js';

const never = new AbortController().signal;
const request: GenerateRequestV1 = {
  type: 'chat',
  messages: [{ role: 'user', content: 'Hi' }],
  parameters: { maxTokens: 4 },
  origin: { task: 'test', sampleId: '0', turn: 0, generation: 0 },
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server on 127.0.0.1 that answers every chat request with `text`, gzip-compressed when asked for. */
async function startServer(text: string) {
  const seen = { connections: 0, closed: 0, acceptEncoding: [] as (string | undefined)[] };
  server = createServer((incoming, outgoing) => {
    seen.acceptEncoding.push(incoming.headers['accept-encoding']);
    incoming.resume();
    incoming.on('end', () => {
      const body = JSON.stringify({
        choices: [{ message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 2 },
      });
      if (/\bgzip\b/.test(incoming.headers['accept-encoding'] ?? '')) {
        outgoing.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        outgoing.end(gzipSync(body));
      } else {
        outgoing.writeHead(200, { 'content-type': 'application/json' });
        outgoing.end(body);
      }
    });
  });
  server.on('connection', (socket) => {
    seen.connections += 1;
    socket.on('close', () => {
      seen.closed += 1;
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, seen };
}

describe('openai backend HTTP transport', () => {
  it('reads gzip-compressed answers, as OpenAI and proxies send them', async () => {
    const { url, seen } = await startServer('Grüße, 世界');
    const backend = createOpenAIBackend({ model: 'm', base_url: url });
    const result = await backend.doGenerate(request, { signal: never });
    expect(seen.acceptEncoding[0]).toMatch(/gzip/);
    expect(result).toMatchObject({ text: 'Grüße, 世界', usage: { promptTokens: 1, completionTokens: 2 } });
  });

  it('sends one request after another over one kept-alive connection', async () => {
    const { url, seen } = await startServer('ok');
    const backend = createOpenAIBackend({ model: 'm', base_url: url });
    for (let index = 0; index < 10; index++) {
      expect((await backend.doGenerate(request, { signal: never })).text).toBe('ok');
    }
    expect(seen.connections).toBe(1);
  });

  it('closes its connections when stopped, and opens a new one when used again', async () => {
    const { url, seen } = await startServer('ok');
    const backend = createOpenAIBackend({ model: 'm', base_url: url });
    await backend.doGenerate(request, { signal: never });
    await backend.doStop();
    await vi.waitFor(() => expect(seen.closed).toBe(1));
    expect((await backend.doGenerate(request, { signal: never })).text).toBe('ok');
    expect(seen.connections).toBe(2);
  });
});
