// The gemini backend through the built CLI as a user types it, against a local server that speaks the Gemini
// API's generateContent wire format (written here: the CLI's tests import no plugin package).
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, resultsIn } from './__fixtures__/evalchemy-cli.js';

const key = 'AIzaCliTestSecret0123456789abcdefgh';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    contents?: { role: string; parts: { text: string }[] }[];
    generationConfig?: Record<string, unknown>;
  };
}

/** Answers every generateContent with "The answer is 18." when the key header is right, else 400 API_KEY_INVALID. */
async function startGeminiServer(): Promise<{ url: string; requests: Received[]; server: Server }> {
  const requests: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Received['body'];
      requests.push({ path: request.url ?? '', headers: request.headers, body });
      response.setHeader('content-type', 'application/json');
      if (request.headers['x-goog-api-key'] !== key) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({
            error: {
              code: 400,
              message: `API key not valid: ${String(request.headers['x-goog-api-key'])}`,
              status: 'INVALID_ARGUMENT',
              details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
            },
          }),
        );
        return;
      }
      response.end(
        JSON.stringify({
          candidates: [
            {
              content: { role: 'model', parts: [{ text: 'The answer is 18.' }] },
              finishReason: 'STOP',
              index: 0,
            },
          ],
          usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 5, totalTokenCount: 55 },
          modelVersion: 'gemini-2.0-flash',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, requests, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('evalchemy run --model gemini', () => {
  it('runs gsm8k against a Gemini-API server from GEMINI_BASE_URL and keeps the key out of every file', async () => {
    const gemini = await startGeminiServer();
    servers.push(gemini.server);
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-gemini-'));
    const result = await evalchemy(
      [
        'run',
        '--model',
        'gemini',
        '--model_args',
        `model=gemini-2.0-flash,api_key=${key}`,
        '--tasks',
        'gsm8k',
        '--limit',
        '3',
        '--output_path',
        output,
      ],
      { env: { GEMINI_BASE_URL: gemini.url } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(gemini.requests).toHaveLength(3);
    expect(gemini.requests[0]!.path).toBe('/v1/models/gemini-2.0-flash:generateContent');
    expect(gemini.requests[0]!.body.contents?.at(-1)?.role).toBe('user');
    const modelDirectory = (await readdir(output))[0]!;
    const { results, files } = await resultsIn(output, modelDirectory);
    expect(results['n-samples']).toEqual({ gsm8k: { effective: 3, scored: 3, failed: 0 } });
    expect(JSON.stringify(results)).toContain(gemini.url);
    for (const name of files) {
      expect(await readFile(join(output, modelDirectory, name), 'utf8'), name).not.toContain(key);
    }
    expect(result.stdout + result.stderr).not.toContain(key);
  });

  it('stops with exit code 5 (refused credentials), without showing the key, when the server refuses it (alias google)', async () => {
    const gemini = await startGeminiServer();
    servers.push(gemini.server);
    const wrong = 'AIzaWrongCliKey0123456789abcdefghij';
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-gemini-'));
    const result = await evalchemy(
      [
        'run',
        '--model',
        'google',
        '--model_args',
        'model=gemini-2.0-flash',
        '--tasks',
        'gsm8k',
        '--limit',
        '3',
        '--output_path',
        output,
      ],
      { env: { GEMINI_BASE_URL: gemini.url, GEMINI_API_KEY: wrong } },
    );
    expect(result.exitCode, result.stderr).toBe(5);
    expect(result.stderr).toContain('API key not valid');
    expect(result.stdout + result.stderr).not.toContain(wrong);
  });
});
