// `--model anthropic` through the built CLI against a local server that speaks the Anthropic Messages API
// (self-contained: the CLI's tests may not import a backend's fixtures).

import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, resultsIn } from './__fixtures__/evalchemy-cli.js';

const key = 'sk-ant-cli-test-secret-0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  body: { model?: unknown; max_tokens?: unknown; system?: unknown; messages?: { role: string }[] };
}

/** Answers `POST /v1/messages` as the API does; refuses any key but `accepted` with the API's 401, echoing it. */
async function startMessagesServer(accepted: string) {
  const requests: Received[] = [];
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Received['body'];
    requests.push({ headers: incoming.headers, body });
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    const given = incoming.headers['x-api-key'];
    if (given !== accepted) {
      return send(401, {
        type: 'error',
        error: { type: 'authentication_error', message: `invalid x-api-key: ${String(given)}` },
      });
    }
    const roles = (body.messages ?? []).map((message) => message.role);
    const alternating = roles.every((role, index) => role !== roles[index - 1] && role !== 'system');
    if (
      incoming.url !== '/v1/messages' ||
      typeof incoming.headers['anthropic-version'] !== 'string' ||
      typeof body.max_tokens !== 'number' ||
      roles.length === 0 ||
      !alternating
    ) {
      return send(400, { type: 'error', error: { type: 'invalid_request_error', message: 'bad request' } });
    }
    send(200, {
      id: `msg_${requests.length}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text: 'Let me think. The answer is 42.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      // 100 prompt tokens read from the prompt cache, 20 not (the API counts them apart).
      usage: { input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 8 },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('evalchemy run --model anthropic', () => {
  it('runs gsm8k against an Anthropic-wire server from ANTHROPIC_BASE_URL, with the key in no output', async () => {
    const server = await startMessagesServer(key);
    close = server.close;
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-anthropic-'));
    const result = await evalchemy(
      [
        'run',
        '--model',
        'anthropic',
        '--model_args',
        'model=claude-test-4-6',
        '--tasks',
        'gsm8k',
        '--limit',
        '3',
        '--output_path',
        output,
      ],
      { env: { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: server.url } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.body.model).toBe('claude-test-4-6');
      expect(typeof request.body.max_tokens).toBe('number');
    }
    const [folder] = await readdir(output);
    const { results } = await resultsIn(output, folder!);
    expect(JSON.stringify(results)).toContain('claude-test-4-6');
    expect(JSON.stringify(results)).toContain(server.url);
    for (const file of await filesUnder(output)) {
      expect(await readFile(file, 'utf8'), file).not.toContain(key);
    }
    expect(`${result.stdout}${result.stderr}`).not.toContain(key);
  });

  it('stops with exit code 5 when the server refuses the key (alias claude), without printing the key', async () => {
    const server = await startMessagesServer('sk-ant-another-key-000000');
    close = server.close;
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-anthropic-'));
    const result = await evalchemy([
      'run',
      '--model',
      'claude',
      '--model_args',
      `model=claude-test-4-6,base_url=${server.url},api_key=${key}`,
      '--tasks',
      'gsm8k',
      '--limit',
      '3',
      '--output_path',
      output,
    ]);
    expect(result.exitCode, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/401/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(key);
    for (const file of await filesUnder(output)) {
      expect(await readFile(file, 'utf8'), file).not.toContain(key);
    }
  });

  it('is where --model curator --model_name anthropic/… goes, priced at the list price with cached reads', async () => {
    const server = await startMessagesServer(key);
    close = server.close;
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-anthropic-'));
    const result = await evalchemy(
      [
        'run',
        '--model',
        'curator',
        '--model_name',
        'anthropic/claude-sonnet-4-5-20250929',
        '--model_args',
        `api_base=${server.url}`,
        '--tasks',
        'gsm8k',
        '--limit',
        '2',
        '--output_path',
        output,
      ],
      { env: { ANTHROPIC_API_KEY: key } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(server.requests.map((request) => request.body.model)).toEqual([
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-5-20250929',
    ]);
    const { results } = await resultsIn(output, 'claude-sonnet-4-5-20250929');
    expect(results.model).toMatchObject({
      backend: 'anthropic',
      price: { source: expect.stringMatching(/^built-in/) },
    });
    // Two requests of 20 uncached prompt tokens at $3, 100 cached at $0.30 and 8 completion tokens at $15 per
    // million: 2 × (60 + 30 + 120) micro-dollars.
    expect(results.usage).toMatchObject({
      requests_sent: 2,
      prompt_tokens: 240,
      cached_prompt_tokens: 200,
      completion_tokens: 16,
      cost_usd: 0.00042,
    });
  });
});
