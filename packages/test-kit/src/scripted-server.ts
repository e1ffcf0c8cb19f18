import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/** One message of a chat request as the scripted server sees it (content parts joined to text). */
export interface ScriptedMessage {
  role: string;
  content: string;
}

/** What a `reply` rule and a `faults` rule are given about a request. */
export interface ScriptedReplyRequest {
  /** Request path, e.g. `/v1/chat/completions`. */
  path: string;
  /** The decoded JSON body. */
  body: Record<string, unknown>;
  /** The chat messages, for `/v1/chat/completions`. */
  messages?: ScriptedMessage[];
  /** The prompt, for `/v1/completions` (the first one when a list of prompts was sent). */
  prompt?: string;
}

/** A scripted answer. Anything left out takes the server's default. */
export interface ScriptedReply {
  /** The generated text (before `max_tokens` and `stop` are applied). Default: echo of the last user message or prompt. */
  text?: string;
  /** OpenAI finish reason (`stop`, `length`, `content_filter`, …). Default: `length` when cut at `max_tokens`, else `stop`. */
  finishReason?: string;
  /** Token counts to report. Default: whitespace-delimited token counts of the prompt and the text. */
  usage?: { promptTokens: number; completionTokens: number };
}

/** A failure the server produces instead of an answer. */
export type Fault =
  | {
      /** Answer with an HTTP error status. */
      kind: 'status';
      status: 400 | 401 | 403 | 404 | 408 | 409 | 429 | 500 | 502 | 503;
      /** Sent as the `retry-after` header (seconds). */
      retryAfterSeconds?: number;
      /** Sent as the `retry-after-ms` header (milliseconds). */
      retryAfterMs?: number;
      /** Response body; default an OpenAI-style `{ error: { message, type, code } }`. */
      body?: unknown;
    }
  /** Destroy the connection without answering. */
  | { kind: 'reset' }
  /** Answer 200 with a body that is not valid JSON. */
  | { kind: 'malformed-json' }
  /** Never answer (until `close()`). */
  | { kind: 'hang' }
  /**
   * Answer 200 with a chat completion whose text is `bytes` long, written as fast as the client reads it;
   * writing stops when the client hangs up (`bytesSent` tells how far it got).
   */
  | { kind: 'huge-body'; bytes: number }
  /**
   * Answer 200 with a gzip-encoded chat completion whose text decompresses to `bytes`, from about a
   * thousandth of that on the wire: a compression bomb.
   */
  | { kind: 'gzip-bomb'; bytes: number };

/** A request as received, for assertions. */
export interface ReceivedRequest {
  /** 0-based arrival index. */
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The decoded JSON body (`{}` for a GET or an undecodable body). */
  body: Record<string, unknown>;
  /** The query string's parameters (`{}` without one). */
  query: Record<string, string>;
  /** When the request's body was in: milliseconds since the epoch, sub-millisecond, monotonic within a server. */
  receivedAt: number;
  /** Requests the server was still answering when this one arrived (not counting it; refused ones excluded). */
  inFlight: number;
  /** Refused by `admitAtMost` with a 429. */
  rateLimited: boolean;
}

export interface ScriptedServerSettings {
  /** Answers by rule. Default: echo the last user message (chat) or the prompt (completions). */
  reply?: (request: ScriptedReplyRequest) => string | ScriptedReply;
  /** Fixed delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Faults consumed one per request, in order, before `faults` and normal answers apply. */
  faultPlan?: Fault[];
  /** Decides a fault by the request's 0-based arrival index; `undefined` answers normally. */
  faults?: (requestIndex: number, request: ScriptedReplyRequest) => Fault | undefined;
  /**
   * A server with a concurrency limit: while this many requests are being answered, any further one is refused
   * at once with HTTP 429 and `retry-after-ms: rateLimitRetryAfterMs` (and `retry-after` in whole seconds,
   * rounded up), as a provider's rate limit would. Default: no limit.
   */
  admitAtMost?: number;
  /** The wait a refusal of `admitAtMost` asks for, in milliseconds. Default 1000. */
  rateLimitRetryAfterMs?: number;
  /** Model ids listed by `GET /v1/models`. Default `['scripted-model']`. */
  models?: string[];
  /**
   * Keep every received request in `requests` (default true). A long benchmark run turns it off so that the
   * server's memory does not grow with every request; `requestCount` still counts.
   */
  recordRequests?: boolean;
}

export interface ScriptedServer {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Every received request, in arrival order (faulted ones included); empty with `recordRequests: false`. */
  readonly requests: ReceivedRequest[];
  /** Number of requests received so far. */
  readonly requestCount: number;
  /** Requests refused with a 429 by `admitAtMost` so far. */
  readonly rateLimitedCount: number;
  /** Most requests answered at once so far (refused ones excluded). */
  readonly maxInFlight: number;
  /** Answer body bytes written to clients so far, all answers together (as sent: compressed if compressed). */
  readonly bytesSent: number;
  /** Stops the server, dropping open connections (hanging requests included). */
  close(): Promise<void>;
}

/**
 * Splits text into the scripted server's tokens: each whitespace-delimited word with the whitespace before
 * it (as BPE tokenizers attach a leading space), plus trailing whitespace as a token of its own. Joining the
 * tokens gives the text back.
 */
export function scriptedTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/**
 * The scripted server's log-probability of a token: deterministic, in [-5, -0.005], derived from the
 * token's text (FNV-1a hash).
 */
export function scriptedTokenLogprob(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return -(((hash % 1000) + 1) / 200);
}

/**
 * Whether the scripted server reports a token as its own top choice (greedy). Every token is, except those
 * whose text is all upper-case letters (`NO`, ` YES`): for those the lower-case spelling is more likely.
 */
export function scriptedIsTopToken(token: string): boolean {
  return !/^\s*[A-Z]+$/.test(token);
}

const jsonHeaders = { 'content-type': 'application/json' };
const gzipHeaders = { ...jsonHeaders, 'content-encoding': 'gzip' };
const hugeChunkBytes = 1 << 20;

/** The pieces of a `huge-body` or `gzip-bomb` answer, made as they are sent. */
function* hugeBody(fault: { kind: 'huge-body' | 'gzip-bomb'; bytes: number }): Generator<Buffer> {
  const head = Buffer.from(
    '{"id":"chatcmpl-scripted","object":"chat.completion","created":0,"model":"scripted-model",' +
      '"choices":[{"index":0,"message":{"role":"assistant","content":"',
  );
  const tail = Buffer.from('"},"finish_reason":"stop"}]}');
  const chunk = Buffer.alloc(hugeChunkBytes, 'a');
  // Concatenated gzip members are one valid gzip stream: a member of a compressed chunk, repeated.
  const encode = fault.kind === 'gzip-bomb' ? gzipSync : (buffer: Buffer) => buffer;
  const encodedChunk = encode(chunk);
  yield encode(head);
  let remaining = fault.bytes;
  for (; remaining >= hugeChunkBytes; remaining -= hugeChunkBytes) yield encodedChunk;
  if (remaining > 0) yield encode(chunk.subarray(0, remaining));
  yield encode(tail);
}

/** Writes the pieces with backpressure; stops when the client hangs up. */
async function writeWhileRead(
  response: ServerResponse,
  pieces: Iterable<Buffer>,
  onWritten: (bytes: number) => void,
): Promise<void> {
  let hungUp = false;
  let wake: (() => void) | undefined;
  response.once('close', () => {
    hungUp = true;
    wake?.();
  });
  for (const piece of pieces) {
    if (hungUp) return;
    onWritten(piece.length);
    if (!response.write(piece)) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        response.once('drain', resolve);
      });
    }
  }
  if (!hungUp) response.end();
}

/**
 * Starts an OpenAI-compatible HTTP server on 127.0.0.1 (random port) that answers by rule, with injectable
 * latency and faults: `POST /v1/chat/completions` (with `logprobs`/`top_logprobs`), `POST /v1/completions`
 * (with `echo`/`logprobs` for loglikelihood), `GET /v1/models`. Log-probabilities are `scriptedTokenLogprob`'s.
 */
export async function startScriptedServer(settings: ScriptedServerSettings = {}): Promise<ScriptedServer> {
  const requests: ReceivedRequest[] = [];
  const record = settings.recordRequests ?? true;
  let requestCount = 0;
  let bytesSent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let rateLimitedCount = 0;
  const faultPlan = [...(settings.faultPlan ?? [])];
  const sockets = new Set<Socket>();
  const models = settings.models ?? ['scripted-model'];
  const latencyMs = settings.latencyMs ?? 0;

  const server = createServer((request, response) => {
    const arrivedAt = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      const body = decodeBody(chunks);
      const index = requestCount++;
      const refused =
        settings.admitAtMost !== undefined && path !== '/v1/models' && inFlight >= settings.admitAtMost;
      if (record) {
        requests.push({
          index,
          method: request.method ?? 'GET',
          path,
          headers: request.headers,
          body,
          query: Object.fromEntries(url.searchParams),
          receivedAt: performance.timeOrigin + performance.now(),
          inFlight,
          rateLimited: refused,
        });
      }
      if (refused) {
        rateLimitedCount += 1;
        const retryAfterMs = settings.rateLimitRetryAfterMs ?? 1000;
        sendFault(response, {
          kind: 'status',
          status: 429,
          retryAfterMs,
          retryAfterSeconds: Math.ceil(retryAfterMs / 1000),
        });
        return;
      }
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      response.once('close', () => {
        inFlight -= 1;
      });
      const replyRequest = toReplyRequest(path, body);
      const fault = faultPlan.length > 0 ? faultPlan.shift() : settings.faults?.(index, replyRequest);
      if (fault?.kind === 'reset') {
        request.socket.destroy();
        return;
      }
      if (fault?.kind === 'hang') return;
      // The answer is prepared at once and sent `latencyMs` after the request arrived, as a model that
      // takes that long would: the server's own work does not add to the latency.
      const [status, text] =
        fault === undefined ? route(request, path, body, replyRequest) : ([0, ''] as const);
      const answer = () => {
        if (fault?.kind === 'huge-body' || fault?.kind === 'gzip-bomb') {
          response.writeHead(200, fault.kind === 'gzip-bomb' ? gzipHeaders : jsonHeaders);
          void writeWhileRead(response, hugeBody(fault), (bytes) => {
            bytesSent += bytes;
          });
        } else if (fault !== undefined) sendFault(response, fault);
        else {
          response.writeHead(status, jsonHeaders);
          response.end(text);
          bytesSent += Buffer.byteLength(text);
        }
      };
      // Node truncates a timer's fractional milliseconds (setTimeout(49.8) fires after ~49.4 ms): round up,
      // so that no answer comes before `latencyMs`.
      const remainingMs = Math.ceil(latencyMs - (performance.now() - arrivedAt));
      if (remainingMs > 0) setTimeout(answer, remainingMs);
      else answer();
    });
  });
  // Benchmarks reuse connections across thousands of requests; an early idle close would cost reconnects.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.on('connection', (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  /** The status and JSON text of the answer to a request. */
  function route(
    request: IncomingMessage,
    path: string,
    body: Record<string, unknown>,
    replyRequest: ScriptedReplyRequest,
  ): readonly [number, string] {
    if (request.method === 'GET' && path === '/v1/models') {
      const data = models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'evalchemy' }));
      return [200, JSON.stringify({ object: 'list', data })];
    }
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      return [200, JSON.stringify(chatCompletion(body, replyRequest, settings.reply))];
    }
    if (request.method === 'POST' && path === '/v1/completions') {
      return [200, JSON.stringify(completion(body, replyRequest, settings.reply))];
    }
    return [
      404,
      JSON.stringify({
        error: { message: `No route ${request.method} ${path}`, type: 'invalid_request_error', code: null },
      }),
    ];
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The scripted server has no port.');

  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    requests,
    get requestCount() {
      return requestCount;
    },
    get bytesSent() {
      return bytesSent;
    },
    get rateLimitedCount() {
      return rateLimitedCount;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },
  };
}

function decodeBody(chunks: Buffer[]): Record<string, unknown> {
  if (chunks.length === 0) return {};
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toReplyRequest(path: string, body: Record<string, unknown>): ScriptedReplyRequest {
  const request: ScriptedReplyRequest = { path, body };
  if (Array.isArray(body.messages)) {
    request.messages = body.messages.map((message: { role?: unknown; content?: unknown }) => ({
      role: String(message?.role ?? ''),
      content: contentText(message?.content),
    }));
  }
  const prompts = promptList(body.prompt);
  if (prompts.length > 0) request.prompt = prompts[0];
  return request;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : ''))
      .join('');
  }
  return '';
}

function promptList(prompt: unknown): string[] {
  if (typeof prompt === 'string') return [prompt];
  if (Array.isArray(prompt) && prompt.every((item) => typeof item === 'string')) return prompt as string[];
  return [];
}

interface Generated {
  text: string;
  finishReason: string;
  usage: { promptTokens: number; completionTokens: number } | undefined;
}

/** Applies the reply rule, then `stop` and `max_tokens` as a server would. */
function generate(
  body: Record<string, unknown>,
  request: ScriptedReplyRequest,
  reply: ScriptedServerSettings['reply'],
  fallback: string,
): Generated {
  const scripted = reply?.(request) ?? fallback;
  const answer: ScriptedReply = typeof scripted === 'string' ? { text: scripted } : scripted;
  let text = answer.text ?? fallback;
  let finishReason = 'stop';
  const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
  for (const stop of stops) {
    if (typeof stop !== 'string' || stop === '') continue;
    const at = text.indexOf(stop);
    if (at >= 0) text = text.slice(0, at);
  }
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (typeof limit === 'number') {
    const tokens = scriptedTokens(text);
    if (tokens.length > limit) {
      text = tokens.slice(0, limit).join('');
      finishReason = 'length';
    }
  }
  return { text, finishReason: answer.finishReason ?? finishReason, usage: answer.usage };
}

function chatCompletion(
  body: Record<string, unknown>,
  request: ScriptedReplyRequest,
  reply: ScriptedServerSettings['reply'],
): unknown {
  const messages = request.messages ?? [];
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const generated = generate(body, request, reply, lastUser?.content ?? '');
  const promptTokens = messages.reduce((sum, message) => sum + countWords(message.content), 0);
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 0,
    model: typeof body.model === 'string' ? body.model : 'scripted-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: generated.text },
        finish_reason: generated.finishReason,
        logprobs:
          body.logprobs === true
            ? { content: chatLogprobsOf(generated.text, Number(body.top_logprobs ?? 0)) }
            : null,
      },
    ],
    usage: usageOf(generated, promptTokens),
  };
}

function completion(
  body: Record<string, unknown>,
  request: ScriptedReplyRequest,
  reply: ScriptedServerSettings['reply'],
): unknown {
  const prompts = promptList(body.prompt);
  const choices: unknown[] = [];
  let promptTokens = 0;
  let completionTokens = 0;
  let reported: Generated['usage'];
  prompts.forEach((prompt, index) => {
    const generated = generate(body, { ...request, prompt }, reply, prompt);
    promptTokens += countWords(prompt);
    completionTokens += countWords(generated.text);
    reported ??= generated.usage;
    const text = body.echo === true ? prompt + generated.text : generated.text;
    const logprobs =
      typeof body.logprobs === 'number'
        ? logprobsOf(body.echo === true ? [prompt, generated.text] : ['', generated.text], body.logprobs)
        : null;
    choices.push({ index, text, logprobs, finish_reason: generated.finishReason });
  });
  return {
    id: 'cmpl-scripted',
    object: 'text_completion',
    created: 0,
    model: typeof body.model === 'string' ? body.model : 'scripted-model',
    choices,
    usage: {
      prompt_tokens: reported?.promptTokens ?? promptTokens,
      completion_tokens: reported?.completionTokens ?? completionTokens,
      total_tokens:
        (reported?.promptTokens ?? promptTokens) + (reported?.completionTokens ?? completionTokens),
    },
  };
}

/** Legacy completions `logprobs` for the echoed prompt followed by the generated text. */
function logprobsOf([prompt, generated]: [string, string], top: number) {
  const tokens = [...scriptedTokens(prompt), ...scriptedTokens(generated)];
  const tokenLogprobs: (number | null)[] = [];
  const topLogprobs: (Record<string, number> | null)[] = [];
  const textOffset: number[] = [];
  let offset = 0;
  tokens.forEach((token, index) => {
    textOffset.push(offset);
    offset += token.length;
    // The first echoed token has no context to be predicted from, so OpenAI reports null for it.
    if (index === 0 && prompt !== '') {
      tokenLogprobs.push(null);
      topLogprobs.push(null);
      return;
    }
    const logprob = scriptedTokenLogprob(token);
    tokenLogprobs.push(logprob);
    topLogprobs.push(Object.fromEntries(alternativesOf(token, Math.max(1, top))));
  });
  return { tokens, token_logprobs: tokenLogprobs, top_logprobs: topLogprobs, text_offset: textOffset };
}

/** Chat `logprobs.content` of generated text: each token with `top` alternatives. */
function chatLogprobsOf(text: string, top: number) {
  return scriptedTokens(text).map((token) => ({
    token,
    logprob: scriptedTokenLogprob(token),
    top_logprobs: alternativesOf(token, top).map(([alternative, logprob]) => ({
      token: alternative,
      logprob,
    })),
  }));
}

/** The `top` most likely tokens at a token's position, most likely first: a non-top token's lower-case spelling, then itself. */
function alternativesOf(token: string, top: number): [string, number][] {
  const logprob = scriptedTokenLogprob(token);
  const alternatives: [string, number][] = scriptedIsTopToken(token)
    ? [[token, logprob]]
    : [
        [token.toLowerCase(), logprob / 2],
        [token, logprob],
      ];
  return alternatives.slice(0, top);
}

function usageOf(generated: Generated, promptTokens: number) {
  const prompt = generated.usage?.promptTokens ?? promptTokens;
  const completionTokens = generated.usage?.completionTokens ?? countWords(generated.text);
  return {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: prompt + completionTokens,
  };
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

function sendFault(response: ServerResponse, fault: Fault): void {
  if (fault.kind === 'malformed-json') {
    response.writeHead(200, jsonHeaders);
    response.end('{"id": "chatcmpl-scripted", "choices": [{"index": 0, "message": {"role": "assis');
    return;
  }
  if (fault.kind !== 'status') return;
  const headers: Record<string, string> = { ...jsonHeaders };
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  response.writeHead(fault.status, headers);
  response.end(
    JSON.stringify(
      fault.body ?? {
        error: {
          message: `Scripted fault: HTTP ${fault.status}`,
          type: 'scripted_fault',
          code: fault.status,
        },
      },
    ),
  );
}
