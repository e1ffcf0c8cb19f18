import { setTimeout as delay } from 'node:timers/promises';
import {
  BackendCallError,
  type BackendCapabilitiesV1,
  type BackendCreateContextV1,
  type BackendV1,
  backendLimitsOf,
  backoffDelayMs,
  type CallOptionsV1,
  ConfigurationError,
  callWithOwnSignal,
  type GenerateRequestV1,
  type GenerateResultV1,
  harnessOptionWarnings,
  parsePluginOptions,
  retryAfterMsOf,
  type TokenPriceV1,
  type WarningV1,
} from '@evalchemy/core';
import { ApiError, type GenerateContentConfig, GoogleGenAI } from '@google/genai';
import { type GeminiOptions, type GeminiOptionsInput, geminiOptionsSchema } from './gemini-options.js';
import { contentsOf, cutAtStops, geminiTopLogprobsLimit, generationConfigOf } from './gemini-request.js';
import {
  answerTextOf,
  errorBodySchema,
  type GenerateContentAnswer,
  generateContentResponseSchema,
  logprobsOf,
  mapFinishReason,
  retryDelayMsOf,
  usageOf,
} from './gemini-response.js';
import { VERSION } from './version.js';

const geminiApiUrl = 'https://generativelanguage.googleapis.com';
/** Vertex AI locations served from a multi-region host (the SDK's list). */
const multiRegionalLocations = new Set(['us', 'eu']);
/** Longest wait honoured from a server's retry-after on a 5xx before the next attempt. */
const maxServerDelayMs = 60_000;

/** A 200 answer that is not the JSON the API promises: worth another attempt, like a 5xx. */
class MalformedResponse extends Error {}

/** What one attempt saw of the HTTP answer, for the error path (the SDK's `ApiError` keeps only the body). */
interface AttemptRecord {
  headers?: Headers;
}

/**
 * A Gemini model through Google's `@google/genai` SDK, on the Gemini API (API key) or Vertex AI (project and
 * location, application-default credentials). The SDK's own retries stay off: a 429 goes back to the runner's
 * scheduler as a rate-limited `BackendCallError`, and 408/5xx/timeouts/resets are retried here.
 */
export class GeminiBackend implements BackendV1 {
  readonly specificationVersion = 'v1';
  readonly id = 'gemini';
  readonly version = VERSION;
  readonly modelId: string;
  readonly endpoint: string;
  readonly capabilities: BackendCapabilitiesV1;
  readonly price?: TokenPriceV1;
  readonly #options: GeminiOptions;
  readonly #vertex: { project: string | undefined; location: string } | undefined;
  readonly #client: GoogleGenAI;
  /** The key and the base URL's password: neither may reach a message. */
  readonly #secrets: string[];

  constructor(options: GeminiOptions, context: BackendCreateContextV1) {
    this.#options = options;
    this.modelId = options.model;
    for (const warning of harnessOptionWarnings('gemini', options)) context.log.warn(warning);
    const limits = backendLimitsOf(options);
    if (limits.price) this.price = limits.price;
    const vertex = options.vertexai ?? options.project_id !== undefined;
    const key = vertex
      ? options.api_key
      : options.api_key || context.env.GEMINI_API_KEY || context.env.GOOGLE_API_KEY || undefined;
    let project: string | undefined;
    let location = 'global';
    if (vertex) {
      project = options.project_id ?? (context.env.GOOGLE_CLOUD_PROJECT || undefined);
      location = options.location ?? (context.env.GOOGLE_CLOUD_LOCATION || 'global');
      if (project === undefined && key === undefined) {
        throw new ConfigurationError(
          'backend gemini: Vertex AI needs a project. Pass --model_args project_id=...,location=... (or set ' +
            'GOOGLE_CLOUD_PROJECT), or api_key=... for Vertex AI express mode.',
        );
      }
      this.#vertex = { project, location };
    } else {
      if (options.project_id !== undefined || options.location !== undefined) {
        throw new ConfigurationError(
          'backend gemini: project_id and location are Vertex AI options, but vertexai=false was given.',
        );
      }
      if (key === undefined) {
        throw new ConfigurationError(
          'backend gemini: no API key. Pass --model_args api_key=..., or set GEMINI_API_KEY or GOOGLE_API_KEY ' +
            '(or use Vertex AI with project_id=...,location=...).',
        );
      }
    }
    // GEMINI_BASE_URL is the Gemini API's server: Vertex AI takes base_url only.
    const url = parseBaseUrl(
      options.base_url ??
        ((!vertex && context.env.GEMINI_BASE_URL) || defaultBaseUrl(vertex, project, location, key)),
    );
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    this.#secrets = [...(key ? [key] : []), ...(password.length >= 8 ? [password] : [])];
    // fetch refuses URLs with credentials: a proxy's user and password go as HTTP basic authentication.
    const headers: Record<string, string> = {};
    if (username !== '' || password !== '') {
      if (vertex && key === undefined) {
        throw new ConfigurationError(
          'backend gemini: base_url has a user and password, which would replace the Google credentials of ' +
            'Vertex AI (both use the authorization header). Remove them, or use api_key.',
        );
      }
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    url.username = '';
    url.password = '';
    this.endpoint = url.toString().replace(/\/+$/, '');
    this.capabilities = {
      chat: true,
      completion: false,
      loglikelihood: false,
      cacheable: true,
      json: true,
      ...(options.logprobs ? { topLogprobs: geminiTopLogprobsLimit } : {}),
      ...(options.concurrency !== undefined ? { maxConcurrency: options.concurrency } : {}),
      ...limits.capabilities,
    };
    // Everything the SDK would otherwise read from process.env (keys, Vertex switch, base URLs, API version)
    // is given explicitly, so that the run's environment (`context.env`) alone decides.
    this.#client = new GoogleGenAI({
      vertexai: vertex,
      ...(key !== undefined ? { apiKey: key } : {}),
      ...(vertex && project !== undefined ? { project, location } : {}),
      ...(options.api_version !== undefined ? { apiVersion: options.api_version } : {}),
      // Application-default credentials named by the run's environment (else Google's usual places).
      ...(vertex && key === undefined && context.env.GOOGLE_APPLICATION_CREDENTIALS
        ? { googleAuthOptions: { keyFilename: context.env.GOOGLE_APPLICATION_CREDENTIALS } }
        : {}),
      httpOptions: {
        baseUrl: this.endpoint,
        timeout: options.timeout_ms,
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
      },
    });
  }

  async doGenerate(request: GenerateRequestV1, options: CallOptionsV1): Promise<GenerateResultV1> {
    if (request.type !== 'chat') {
      throw new ConfigurationError(
        'backend gemini: completion requests are not supported (Gemini has no raw-text completion endpoint). ' +
          'Choose a chat variant of the benchmark.',
      );
    }
    const { contents, systemInstruction } = contentsOf(request.messages);
    const { config, extraStops, warnings } = generationConfigOf(request.parameters, {
      logprobs: this.#options.logprobs,
      thinkingBudget: this.#options.thinking_budget,
    });
    const answer = await this.#call(options.signal, (signal, record) =>
      this.#client.models.generateContent({
        model: this.modelId,
        contents,
        config: {
          ...config,
          ...(systemInstruction ? { systemInstruction } : {}),
          abortSignal: signal,
          httpOptions: { fetch: recordingFetch(record) },
        } satisfies GenerateContentConfig,
      }),
    );
    const usage = usageOf(answer);
    const candidate = answer.candidates?.[0];
    if (candidate === undefined) {
      const reason = answer.promptFeedback?.blockReason ?? 'BLOCK_REASON_UNSPECIFIED';
      warnings.push({
        type: 'other',
        message:
          `Gemini blocked the prompt (promptFeedback.blockReason ${reason}` +
          `${answer.promptFeedback?.blockReasonMessage ? `: ${answer.promptFeedback.blockReasonMessage}` : ''}); no answer was generated.`,
      });
      return { text: '', finishReason: 'content-filter', ...(usage ? { usage } : {}), warnings };
    }
    let text = answerTextOf(candidate);
    let finishReason = mapFinishReason(candidate.finishReason);
    if (extraStops.length > 0) {
      const cut = cutAtStops(text, extraStops);
      text = cut.text;
      if (cut.stopped) finishReason = 'stop';
    }
    return {
      text,
      ...this.#logprobsOf(request.parameters.topLogprobs !== undefined, candidate, warnings),
      finishReason,
      ...(usage ? { usage } : {}),
      warnings,
    };
  }

  #logprobsOf(
    asked: boolean,
    candidate: NonNullable<GenerateContentAnswer['candidates']>[number],
    warnings: WarningV1[],
  ): Pick<GenerateResultV1, 'logprobs'> {
    if (!asked || !this.#options.logprobs) return {};
    const logprobs = logprobsOf(candidate);
    if (logprobs === undefined) {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'topLogprobs',
        message: `${this.#where()} returned no logprobsResult although logprobs were asked for.`,
      });
      return {};
    }
    return { logprobs };
  }

  describe(): Record<string, unknown> {
    return {
      api: this.#vertex ? 'vertex-ai' : 'gemini-api',
      baseUrl: this.endpoint,
      model: this.modelId,
      ...(this.#options.api_version !== undefined ? { apiVersion: this.#options.api_version } : {}),
      ...(this.#vertex?.project !== undefined ? { project: this.#vertex.project } : {}),
      ...(this.#vertex ? { location: this.#vertex.location } : {}),
      logprobs: this.#options.logprobs,
      ...(this.#options.thinking_budget !== undefined
        ? { thinkingBudget: this.#options.thinking_budget }
        : {}),
      maxRetries: this.#options.max_retries,
      timeoutMs: this.#options.timeout_ms,
      ...(this.#options.concurrency !== undefined ? { concurrency: this.#options.concurrency } : {}),
    };
  }

  /** Sends one call with retries for transient failures; every failure becomes a `BackendCallError` (or the abort reason). */
  async #call(
    signal: AbortSignal,
    send: (signal: AbortSignal, record: AttemptRecord) => Promise<unknown>,
  ): Promise<GenerateContentAnswer> {
    const maxRetries = this.#options.max_retries;
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      const record: AttemptRecord = {};
      try {
        let raw: unknown;
        try {
          raw = await callWithOwnSignal(signal, (own) => send(own, record));
        } catch (error) {
          if (error instanceof SyntaxError) throw new MalformedResponse('the body is not valid JSON');
          throw error;
        }
        const parsed = generateContentResponseSchema.safeParse(raw);
        if (!parsed.success) {
          throw new MalformedResponse(
            `unexpected response shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
          );
        }
        if (!parsed.data.candidates?.length && !parsed.data.promptFeedback?.blockReason) {
          throw new MalformedResponse('no candidates and no promptFeedback.blockReason');
        }
        return parsed.data;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const failure = this.#toFailure(error, record, attempt);
        if (failure.retry && attempt < maxRetries) {
          await delay(
            Math.max(backoffDelayMs(attempt), Math.min(failure.serverDelayMs ?? 0, maxServerDelayMs)),
            undefined,
            {
              signal,
            },
          );
          continue;
        }
        throw failure.error;
      }
    }
  }

  /** The error to throw for a failed attempt, and whether another attempt is worth it. */
  #toFailure(
    error: unknown,
    record: AttemptRecord,
    attempt: number,
  ): { error: Error; retry: boolean; serverDelayMs?: number | undefined } {
    const where = this.#where();
    const after = attempt > 0 ? ` (after ${attempt} ${attempt === 1 ? 'retry' : 'retries'})` : '';
    if (error instanceof MalformedResponse) {
      return {
        retry: true,
        error: new BackendCallError(
          `${where} answered HTTP 200 with a malformed body (${error.message})${after}.`,
          {
            statusCode: 200,
            isRetryable: true,
          },
        ),
      };
    }
    if (error instanceof ApiError) {
      const status = error.status;
      const body = parseErrorBody(error.message);
      const detail = this.#redact(
        [body?.error.status, body?.error.message].filter(Boolean).join(': ') || error.message,
      );
      const headerDelayMs = retryAfterMsOf(record.headers);
      if (status === 429) {
        const retryAfterMs = headerDelayMs ?? retryDelayMsOf(body);
        return {
          retry: false,
          error: new BackendCallError(
            `${where} answered HTTP 429 (rate limit or quota)${retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : ''}: ${detail}.`,
            { statusCode: 429, isRetryable: true, rateLimited: true, retryAfterMs, cause: error },
          ),
        };
      }
      if (status === 401 || status === 403 || isInvalidKey(body)) {
        // The runner stops the run on a BackendCallError of status 401/403 (as an AuthenticationError naming
        // where the key came from); Google's 400 API_KEY_INVALID says the same as a 401, so it is reported as one.
        return {
          retry: false,
          error: new BackendCallError(
            `${where} refused the credentials (HTTP ${status}): ${detail}. ` +
              (this.#vertex
                ? 'Check api_key, or the application-default credentials (gcloud auth application-default login) and the project.'
                : 'Check the API key (api_key, GEMINI_API_KEY or GOOGLE_API_KEY).'),
            { statusCode: status === 403 ? 403 : 401, isRetryable: false, cause: error },
          ),
        };
      }
      const retryable = status === 408 || status === 409 || status >= 500;
      const hint = status === 404 ? ' Check the model name, base_url and api_version.' : '';
      return {
        retry: retryable,
        serverDelayMs: headerDelayMs,
        error: new BackendCallError(
          `${where} answered HTTP ${status}${retryable ? after : ''}: ${detail}.${hint}`,
          {
            statusCode: status,
            isRetryable: retryable,
            cause: error,
          },
        ),
      };
    }
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
      return {
        retry: true,
        error: new BackendCallError(
          `${where} did not answer within timeout_ms=${this.#options.timeout_ms}${after}.`,
          { isRetryable: true, cause: error },
        ),
      };
    }
    if (
      error instanceof TypeError &&
      /fetch failed|terminated|socket|ECONN|EPIPE/i.test(describeCause(error))
    ) {
      return {
        retry: true,
        error: new BackendCallError(
          `Could not reach ${where}${after}: ${this.#redact(describeCause(error))}.`,
          {
            isRetryable: true,
            cause: error,
          },
        ),
      };
    }
    return {
      retry: false,
      error: new BackendCallError(`${where} failed: ${this.#redact(describeCause(error))}`, {
        isRetryable: false,
        cause: error,
      }),
    };
  }

  #where(): string {
    return `${this.#vertex ? 'Vertex AI' : 'Gemini API'} ${this.endpoint} (model ${this.modelId})`;
  }

  /** Servers may echo the key in error messages; none of it may reach results or logs. */
  #redact(text: string): string {
    let redacted = text.replace(/\bAIza[0-9A-Za-z_-]{10,}/g, 'AIza***');
    for (const secret of this.#secrets) redacted = redacted.split(secret).join('***');
    return redacted;
  }
}

/** Creates a gemini backend from `--model_args`-style options (parsed and checked here). */
export function createGeminiBackend(
  options: GeminiOptionsInput,
  context: Partial<BackendCreateContextV1> = {},
): GeminiBackend {
  const parsed = parsePluginOptions(
    geminiOptionsSchema,
    options as Record<string, unknown>,
    'backend gemini',
  );
  return new GeminiBackend(parsed as GeminiOptions, {
    env: context.env ?? {},
    log: context.log ?? { info() {}, warn() {}, debug() {} },
  });
}

/** The host the SDK would pick: the Gemini API, or Vertex AI's global, multi-region or regional host. */
function defaultBaseUrl(
  vertex: boolean,
  project: string | undefined,
  location: string,
  key: string | undefined,
): string {
  if (!vertex) return geminiApiUrl;
  if ((key !== undefined && project === undefined) || location === 'global')
    return 'https://aiplatform.googleapis.com';
  if (multiRegionalLocations.has(location)) return `https://aiplatform.${location}.rep.googleapis.com`;
  return `https://${location}-aiplatform.googleapis.com`;
}

function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Only GEMINI_BASE_URL can get here: base_url is checked by the options schema.
    throw new ConfigurationError(
      'backend gemini: GEMINI_BASE_URL is not a valid URL (its value is not shown, as it may hold credentials). ' +
        'Set it to the server root, such as http://127.0.0.1:8080, or pass --model_args base_url=...',
    );
  }
  if (url.search !== '') {
    throw new ConfigurationError(
      'backend gemini: the base URL has a query string, which the SDK cannot keep (it appends paths to the URL ' +
        'as text). Give the key as api_key=... and the server root without "?...".',
    );
  }
  return url;
}

function parseErrorBody(message: string) {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Google answers an unknown key with HTTP 400 INVALID_ARGUMENT and reason API_KEY_INVALID. */
function isInvalidKey(body: ReturnType<typeof parseErrorBody>): boolean {
  return body?.error.details?.some((detail) => detail.reason === 'API_KEY_INVALID') ?? false;
}

/**
 * A fetch that remembers the answer's headers (for `retry-after`), with undici's own header and body timeouts
 * off as the SDK's default fetch has them: `timeout_ms` bounds an attempt.
 */
function recordingFetch(record: AttemptRecord): typeof fetch {
  return async (input, init) => {
    const dispatcher = noTimeoutDispatcher();
    const response = await fetch(input, (dispatcher ? { ...init, dispatcher } : init) as RequestInit);
    record.headers = response.headers;
    return response;
  };
}

const undiciGlobalDispatcher = Symbol.for('undici.globalDispatcher.1');

interface Dispatcher {
  dispatch(options: Record<string, unknown>, handler: unknown): boolean;
}

/**
 * Node's global undici dispatcher with `headersTimeout` and `bodyTimeout` off (the SDK does the same), or
 * undefined where Node has none (then fetch's defaults apply).
 */
function noTimeoutDispatcher(): Dispatcher | undefined {
  const global = () => (globalThis as Record<symbol, Dispatcher | undefined>)[undiciGlobalDispatcher];
  if (global() === undefined) new Headers(); // Node creates its global dispatcher lazily.
  const dispatcher = global();
  if (typeof dispatcher?.dispatch !== 'function') return undefined;
  return {
    dispatch: (options, handler) =>
      dispatcher.dispatch({ ...options, headersTimeout: 0, bodyTimeout: 0 }, handler),
  };
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const inner = cause?.cause instanceof Error ? cause.cause : undefined;
  return [error.message, cause?.message, inner?.message].filter(Boolean).join(': ');
}
