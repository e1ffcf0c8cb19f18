import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib';

type Decompress = (buffer: Buffer, options: ZlibOptions) => Promise<Buffer>;
const decompressors: Record<string, Decompress> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** An answer body longer than the transport's `maxResponseBytes` (after decompression); reading stopped there. */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxResponseBytes: number) {
    super(`answer larger than max_response_bytes=${maxResponseBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * A whole answer already read into memory. `json()` and `text()` decode that buffer directly instead of
 * going through a web stream: the openai SDK reads every non-streaming answer with one of them. A body that
 * could not be read (too large) makes them reject, as a web fetch's body errors do: the SDK retries a failed
 * `fetch` but not a failed body, and an oversized answer would only be sent again.
 */
class BufferedResponse extends Response {
  readonly #bytes: Buffer | ResponseTooLargeError;

  constructor(bytes: Buffer | ResponseTooLargeError, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  #read(): Buffer {
    if (this.#bytes instanceof Error) throw this.#bytes;
    return this.#bytes;
  }

  override text = async (): Promise<string> => this.#read().toString('utf8');
  override json = async (): Promise<unknown> => JSON.parse(this.#read().toString('utf8'));
  override arrayBuffer = async (): Promise<ArrayBuffer> => new Uint8Array(this.#read()).buffer;
}

/** A `fetch` for the openai SDK, and a way to close its connections. */
export interface NodeHttpFetch {
  fetch: typeof fetch;
  /** Closes the kept-alive connections (requests sent afterwards open new ones). */
  close(): void;
}

/**
 * The `fetch` the openai SDK is given: one HTTP/1.1 request through `node:http`/`node:https` with a
 * keep-alive agent, answer read whole. The SDK keeps everything else (headers, retries with `retry-after`,
 * timeouts, errors). Node's built-in `fetch` (undici's web fetch) spends about twice the CPU per request,
 * which on a small machine running a local server shows directly in throughput (BENCHMARKS.md).
 * Requests whose body is a stream (uploads; never sent by this backend) go to the built-in `fetch`. Answers
 * are read whole, so their `body` is null: streamed (`stream: true`) and binary answers, which this backend
 * never asks for, need the built-in `fetch`. An answer longer than `maxResponseBytes`, compressed or not, is
 * not read further (its connection is closed) and its body rejects with `ResponseTooLargeError`.
 */
export function createNodeHttpFetch(settings: { maxResponseBytes: number }): NodeHttpFetch {
  const { maxResponseBytes } = settings;
  const agents = {
    'http:': new HttpAgent({ keepAlive: true }),
    'https:': new HttpsAgent({ keepAlive: true }),
  };
  // The backend sends to one or two URLs thousands of times: parse each once.
  const parsedUrls = new Map<string, RequestOptions>();
  const send: typeof fetch = (input, init = {}) => {
    const href = input instanceof Request ? input.url : String(input);
    let url = parsedUrls.get(href);
    if (url === undefined) {
      url = urlToHttpOptions(new URL(href));
      if (parsedUrls.size < 64) parsedUrls.set(href, url);
    }
    const body = init.body;
    if (
      input instanceof Request ||
      (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) ||
      (url.protocol !== 'http:' && url.protocol !== 'https:')
    ) {
      return fetch(input, init);
    }
    const headers: Record<string, string> = {};
    const given = init.headers;
    (given instanceof Headers ? given : new Headers(given)).forEach((value, name) => {
      headers[name] = value;
    });
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    const requestOf = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const signal = init.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Response>((resolve, reject) => {
      // One abort listener, removed when the answer is in (node:http's own `signal` option costs more).
      const onAbort = () => outgoing.destroy(abortError(signal!));
      const settle = () => signal?.removeEventListener('abort', onAbort);
      const fail = (error: Error) => {
        settle();
        reject(error);
      };
      const outgoing = requestOf(
        { ...url, method: init.method ?? 'GET', headers, agent: agents[url.protocol as 'http:' | 'https:'] },
        (incoming) => {
          const chunks: Buffer[] = [];
          let received = 0;
          incoming.on('data', (chunk: Buffer) => {
            if (received > maxResponseBytes) return;
            received += chunk.length;
            if (received <= maxResponseBytes) {
              chunks.push(chunk);
              return;
            }
            chunks.length = 0;
            settle();
            outgoing.destroy();
            // Resolved at once: the errors of the connection destroyed here must not reject it.
            resolve(toResponse(incoming, new ResponseTooLargeError(maxResponseBytes), maxResponseBytes));
          });
          incoming.on('error', fail);
          incoming.on('end', () => {
            settle();
            toResponse(
              incoming,
              chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
              maxResponseBytes,
            ).then(resolve, reject);
          });
        },
      );
      outgoing.on('error', fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.end(body ?? undefined);
    });
  };
  return {
    fetch: send,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** What fetch rejects with on abort: an `AbortError` (the SDK tells timeouts by that name). */
function abortError(signal: AbortSignal): DOMException {
  return new DOMException(
    signal.reason instanceof Error ? signal.reason.message : 'This operation was aborted',
    'AbortError',
  );
}

/** The answer, its body decompressed (at most `maxResponseBytes` of it). */
async function toResponse(
  incoming: IncomingMessage,
  body: Buffer | ResponseTooLargeError,
  maxResponseBytes: number,
): Promise<Response> {
  let bytes = body;
  const raw = incoming.rawHeaders;
  let headers: [string, string][] = [];
  let encoding: string | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    const value = raw[index + 1]!;
    if (name.toLowerCase() === 'content-encoding') encoding = value.trim().toLowerCase();
    headers.push([name, value]);
  }
  const decompress = encoding ? decompressors[encoding] : undefined;
  if (decompress && bytes instanceof Buffer) {
    bytes = await decompress(bytes, { maxOutputLength: maxResponseBytes }).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        return new ResponseTooLargeError(maxResponseBytes);
      throw error;
    });
    headers = headers.filter(([name]) => !/^content-(encoding|length)$/i.test(name));
  }
  return new BufferedResponse(bytes, {
    status: incoming.statusCode ?? 500,
    ...(incoming.statusMessage ? { statusText: incoming.statusMessage } : {}),
    headers,
  });
}
