// A local server that speaks the Gemini API's generateContent wire format (and Vertex AI's path for it), for
// the tests: it checks the key header, validates and records each body, and answers by rule or by fault.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

export interface GeminiReply {
  /** The answer's text (one part). Default: echo of the last user turn's text. */
  text?: string;
  /** Parts as sent, instead of `text` (thought parts of thinking models, several text parts). */
  parts?: { text: string; thought?: boolean }[];
  finishReason?: string;
  usageMetadata?: Record<string, number>;
  logprobsResult?: unknown;
}

export type GeminiFault =
  | {
      kind: 'status';
      status: number;
      /** Google's `error.status`, e.g. `RESOURCE_EXHAUSTED`. */
      statusText: string;
      message?: string;
      /** google.rpc.RetryInfo `retryDelay`, e.g. `"7s"`. */
      retryDelay?: string;
      /** `retry-after` header, in seconds. */
      retryAfterSeconds?: number;
      /** google.rpc.ErrorInfo `reason`, e.g. `API_KEY_INVALID`. */
      reason?: string;
    }
  | { kind: 'blocked'; blockReason: string }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  /** Never answer (until `close()`). */
  | { kind: 'hang' };

export interface GeminiRequestRecord {
  method: string;
  path: string;
  /** The model named in the path. */
  model: string;
  headers: IncomingHttpHeaders;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export interface GeminiServer {
  /** Server root, e.g. `http://127.0.0.1:40123` (the SDK appends `/v1beta/models/...`). */
  readonly url: string;
  readonly requests: GeminiRequestRecord[];
  close(): Promise<void>;
}

export interface GeminiServerSettings {
  /** The key the server accepts in `x-goog-api-key`; another answers 400 API_KEY_INVALID, echoing it. */
  key?: string;
  /**
   * An OAuth access token: `POST /token` (an STS token exchange, as Google's workload identity federation
   * does it) hands it out, and generateContent then wants it as `authorization: Bearer …` (401 otherwise).
   */
  accessToken?: string;
  reply?: (request: GeminiRequestRecord) => string | GeminiReply;
  /** Faults consumed one per request, in order, before normal answers. */
  faultPlan?: GeminiFault[];
}

const pathPattern =
  /^\/(v\d+[a-z0-9]*)\/(?:projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/)?models\/([^/:]+):generateContent$/;
const generationConfigKeys = new Set([
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'stopSequences',
  'seed',
  'responseMimeType',
  'responseLogprobs',
  'logprobs',
  'thinkingConfig',
  'candidateCount',
]);

/** Whitespace-delimited words: the server's tokens. */
function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** Why a generateContent body is invalid, as Google would say (400 INVALID_ARGUMENT), or undefined. */
function invalidBody(body: Record<string, unknown>): string | undefined {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return 'contents is not specified';
  let previous: unknown;
  for (const content of contents as Record<string, unknown>[]) {
    if (content.role !== 'user' && content.role !== 'model') return `invalid role ${String(content.role)}`;
    if (content.role === previous) return 'roles must alternate between user and model';
    previous = content.role;
    const parts = content.parts;
    if (!Array.isArray(parts) || parts.length === 0) return 'contents.parts must not be empty';
    if (parts.some((part) => typeof (part as { text?: unknown }).text !== 'string'))
      return 'part without text';
  }
  const config = (body.generationConfig ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!generationConfigKeys.has(key))
      return `Invalid JSON payload received. Unknown name "${key}" at 'generation_config'`;
  }
  const stops = config.stopSequences;
  if (Array.isArray(stops) && stops.length > 5) return 'stopSequences: at most 5 are allowed';
  return undefined;
}

export async function startGeminiServer(settings: GeminiServerSettings = {}): Promise<GeminiServer> {
  const requests: GeminiRequestRecord[] = [];
  const faults = [...(settings.faultPlan ?? [])];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {}
      const match = pathPattern.exec(url.pathname);
      const record: GeminiRequestRecord = {
        method: request.method ?? '',
        path: url.pathname,
        model: match?.[2] ?? '',
        headers: request.headers,
        query: Object.fromEntries(url.searchParams),
        body,
      };
      requests.push(record);
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
        response.end(JSON.stringify(payload));
      };
      const googleError = (status: number, statusText: string, message: string, details: unknown[] = []) => ({
        error: { code: status, message, status: statusText, ...(details.length > 0 ? { details } : {}) },
      });
      if (request.method === 'POST' && url.pathname === '/token' && settings.accessToken !== undefined) {
        send(200, {
          access_token: settings.accessToken,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        });
        return;
      }
      if (request.method !== 'POST' || !match) {
        send(404, googleError(404, 'NOT_FOUND', `no route for ${request.method} ${url.pathname}`));
        return;
      }
      if (
        settings.accessToken !== undefined &&
        request.headers.authorization !== `Bearer ${settings.accessToken}`
      ) {
        send(401, googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'));
        return;
      }
      const key = request.headers['x-goog-api-key'];
      if (settings.key !== undefined && key !== settings.key) {
        send(
          400,
          googleError(
            400,
            'INVALID_ARGUMENT',
            `API key not valid: ${String(key)}. Please pass a valid API key.`,
            [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
          ),
        );
        return;
      }
      const fault = faults.shift();
      if (fault?.kind === 'reset') {
        request.socket.destroy();
        return;
      }
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'malformed-json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"candidates": [');
        return;
      }
      if (fault?.kind === 'status') {
        const details: unknown[] = [];
        if (fault.reason)
          details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: fault.reason });
        if (fault.retryDelay) {
          details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: fault.retryDelay });
        }
        send(
          fault.status,
          googleError(
            fault.status,
            fault.statusText,
            fault.message ?? `${fault.statusText} (scripted)`,
            details,
          ),
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
        );
        return;
      }
      const problem = invalidBody(body);
      if (problem) {
        send(400, googleError(400, 'INVALID_ARGUMENT', problem));
        return;
      }
      const contents = body.contents as { role: string; parts: { text: string }[] }[];
      const system = (body.systemInstruction as { parts?: { text: string }[] } | undefined)?.parts ?? [];
      const promptText = [...system, ...contents.flatMap((content) => content.parts)]
        .map((part) => part.text)
        .join(' ');
      if (fault?.kind === 'blocked') {
        send(200, {
          promptFeedback: { blockReason: fault.blockReason },
          usageMetadata: {
            promptTokenCount: words(promptText).length,
            totalTokenCount: words(promptText).length,
          },
        });
        return;
      }
      const lastUser = [...contents].reverse().find((content) => content.role === 'user');
      const scripted = settings.reply?.(record) ?? {};
      const reply: GeminiReply = typeof scripted === 'string' ? { text: scripted } : scripted;
      const config = (body.generationConfig ?? {}) as { maxOutputTokens?: number; stopSequences?: string[] };
      let text = reply.text ?? lastUser?.parts.map((part) => part.text).join('\n') ?? '';
      let finishReason = reply.finishReason ?? 'STOP';
      for (const stop of config.stopSequences ?? []) {
        const index = text.indexOf(stop);
        if (index !== -1) text = text.slice(0, index);
      }
      if (config.maxOutputTokens !== undefined && words(text).length > config.maxOutputTokens) {
        text = words(text).slice(0, config.maxOutputTokens).join(' ');
        finishReason = reply.finishReason ?? 'MAX_TOKENS';
      }
      const parts = reply.parts ?? [{ text }];
      send(200, {
        candidates: [
          {
            content: { role: 'model', parts },
            finishReason,
            index: 0,
            ...(reply.logprobsResult !== undefined ? { logprobsResult: reply.logprobsResult } : {}),
          },
        ],
        usageMetadata: reply.usageMetadata ?? {
          promptTokenCount: words(promptText).length,
          candidatesTokenCount: words(text).length,
          totalTokenCount: words(promptText).length + words(text).length,
        },
        modelVersion: record.model,
        responseId: 'scripted',
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
