import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A local server that speaks the Anthropic Messages API wire format (`POST /v1/messages`), for tests: it checks
 * the credential and `anthropic-version` headers and the request body's shape as the API does (system as its own
 * field, alternating user/assistant turns, `max_tokens` present, no whitespace-only stop sequences), records
 * every request, answers like the API, and can be scripted to fail (429 with `retry-after`, 529 overloaded,
 * 5xx, 401, a reset connection, a malformed body) with error bodies in Anthropic's shape.
 */

/** A request as received. */
export interface AnthropicReceivedRequest {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Decoded JSON body (`{}` when it was not JSON). */
  body: Record<string, unknown>;
  /** The query string's parameters (`{}` without one). */
  query: Record<string, string>;
}

/** What the reply rule sees. */
export interface AnthropicReplyRequest {
  model: string;
  system: string | undefined;
  messages: { role: string; content: string }[];
  body: Record<string, unknown>;
}

/** A scripted answer; anything left out takes the default. */
export interface AnthropicReply {
  /** Generated text before `stop_sequences` and `max_tokens` apply. Default: the last user message. */
  text?: string;
  /** Content blocks sent as they are instead of one text block made from `text`. */
  content?: Record<string, unknown>[];
  /** `stop_reason`. Default `stop_sequence`, `max_tokens` or `end_turn` by what happened. */
  stopReason?: string;
  /** `usage` fields sent. Default: whitespace-delimited word counts of the prompt and the text. */
  usage?: Record<string, number>;
}

/** A failure sent instead of an answer. */
export type AnthropicFault =
  | {
      kind: 'status';
      status: number;
      /** `error.type` of the body. Default by status (`rate_limit_error`, `overloaded_error`, `api_error`, …). */
      errorType?: string;
      /** `error.message` of the body. */
      message?: string;
      /** `retry-after` header, in seconds. */
      retryAfterSeconds?: number;
    }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  /** Never answer (until the client gives up or `close()`). */
  | { kind: 'hang' };

export interface AnthropicServerSettings {
  /** The key the server accepts, as `x-api-key` or `Authorization: Bearer`. Default: any request is accepted. */
  apiKey?: string;
  /** Answers by rule. */
  reply?: (request: AnthropicReplyRequest) => string | AnthropicReply;
  /** Failures for the first requests, one each, in order; later requests are answered. */
  faults?: AnthropicFault[];
  /** Sampling fields the "model" refuses with a 400 `… is deprecated for this model.` (as newer Claude models do). */
  refuse?: ('temperature' | 'top_p')[];
}

export interface AnthropicServer {
  /** Base URL to give the SDK (`http://127.0.0.1:PORT`; the SDK appends `/v1/messages`). */
  url: string;
  requests: AnthropicReceivedRequest[];
  readonly requestCount: number;
  close(): Promise<void>;
}

const defaultErrorType: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export async function startAnthropicServer(settings: AnthropicServerSettings = {}): Promise<AnthropicServer> {
  const requests: AnthropicReceivedRequest[] = [];
  const faults = [...(settings.faults ?? [])];
  const sockets = new Set<Socket>();
  let counter = 0;

  const server = createServer((incoming, response) => {
    void handle(incoming, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    let json = true;
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
      else json = false;
    } catch {
      json = false;
    }
    const target = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const path = target.pathname;
    requests.push({
      index: requests.length,
      method: incoming.method ?? 'GET',
      path,
      headers: incoming.headers,
      body,
      query: Object.fromEntries(target.searchParams),
    });
    response.setHeader('request-id', `req_test_${++counter}`);

    const fault = faults.shift();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'reset') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'malformed-json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id": "msg_broken", "content": [');
      return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      return sendError(
        response,
        fault.status,
        fault.errorType,
        fault.message ?? `scripted HTTP ${fault.status}`,
        headers,
      );
    }

    if (incoming.method !== 'POST' || path !== '/v1/messages') {
      return sendError(response, 404, undefined, `Not found: ${incoming.method} ${path}`);
    }
    const key = incoming.headers['x-api-key'] ?? bearer(incoming.headers.authorization);
    if (settings.apiKey !== undefined && key !== settings.apiKey) {
      // The real API names the key it refused; a backend must not pass that on.
      return sendError(response, 401, undefined, `invalid x-api-key: ${String(key ?? '(none)')}`);
    }
    if (typeof incoming.headers['anthropic-version'] !== 'string') {
      return sendError(response, 400, undefined, 'anthropic-version: header is required');
    }
    if (!json) return sendError(response, 400, undefined, 'The request body is not valid JSON.');
    const problem = bodyProblem(body);
    if (problem !== undefined) return sendError(response, 400, undefined, problem);
    for (const field of settings.refuse ?? []) {
      if (body[field] !== undefined) {
        return sendError(response, 400, undefined, `\`${field}\` is deprecated for this model.`);
      }
    }

    const messages = (body.messages as { role: string; content: unknown }[]).map((message) => ({
      role: message.role,
      content: contentText(message.content),
    }));
    const system = body.system === undefined ? undefined : contentText(body.system);
    const scripted = settings.reply?.({ model: String(body.model), system, messages, body });
    const reply: AnthropicReply = typeof scripted === 'string' ? { text: scripted } : (scripted ?? {});
    let text =
      reply.text ?? [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    let stopReason = 'end_turn';
    let stopSequence: string | null = null;
    for (const stop of (body.stop_sequences as string[] | undefined) ?? []) {
      const index = text.indexOf(stop);
      if (index >= 0) {
        text = text.slice(0, index);
        stopReason = 'stop_sequence';
        stopSequence = stop;
      }
    }
    const words = text.split(/(?<=\s)(?=\S)/);
    if (words.length > (body.max_tokens as number)) {
      text = words.slice(0, body.max_tokens as number).join('');
      stopReason = 'max_tokens';
    }
    const promptWords = [system ?? '', ...messages.map((message) => message.content)].join(' ');
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `msg_test_${counter}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: reply.content ?? [{ type: 'text', text }],
        stop_reason: reply.stopReason ?? stopReason,
        stop_sequence: stopSequence,
        usage: reply.usage ?? {
          input_tokens: countWords(promptWords),
          output_tokens: countWords(text),
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      }),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the test server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    get requestCount() {
      return requests.length;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendError(
  response: ServerResponse,
  status: number,
  type: string | undefined,
  message: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(
    JSON.stringify({
      type: 'error',
      error: { type: type ?? defaultErrorType[status] ?? 'api_error', message },
      request_id: response.getHeader('request-id'),
    }),
  );
}

function bearer(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((block) => (typeof block?.text === 'string' ? block.text : '')).join('');
  }
  return '';
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** What the API would refuse in a request body, as its 400 message; undefined when the body is valid. */
function bodyProblem(body: Record<string, unknown>): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)
    return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'messages: at least one message is required';
  let previous: string | undefined;
  for (const [index, message] of (body.messages as { role?: unknown; content?: unknown }[]).entries()) {
    if (message.role !== 'user' && message.role !== 'assistant') {
      return `messages.${index}.role: Input should be 'user' or 'assistant' (system prompts go in the top-level system field)`;
    }
    if (message.role === previous)
      return `messages: roles must alternate between "user" and "assistant" (at ${index})`;
    if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
      return `messages.${index}.content: Input should be a valid string or list`;
    }
    previous = message.role;
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
    return 'system: Input should be a valid string or list';
  }
  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences)) return 'stop_sequences: Input should be a valid list';
    for (const stop of body.stop_sequences) {
      if (typeof stop !== 'string' || stop.trim() === '') {
        return 'stop_sequences: each stop sequence must contain non-whitespace';
      }
    }
  }
  if (
    body.temperature !== undefined &&
    !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 1)
  ) {
    return 'temperature: Input should be between 0 and 1';
  }
  if (body.top_p !== undefined && !(typeof body.top_p === 'number' && body.top_p > 0 && body.top_p <= 1)) {
    return 'top_p: Input should be between 0 and 1';
  }
  for (const field of ['seed', 'n', 'logprobs', 'top_logprobs', 'response_format', 'stop']) {
    if (body[field] !== undefined) return `${field}: Extra inputs are not permitted`;
  }
  return undefined;
}
