import { setTimeout as delay } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
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
} from '@evalchemy/core';
import {
  cutAtStops,
  type DroppableSetting,
  type MessageResponse,
  type MessagesRequestBody,
  mapStopReason,
  messageResponseSchema,
  refusedSettings,
  textOf,
  toMessagesRequest,
  usageOf,
} from './anthropic-messages.js';
import {
  type AnthropicOptions,
  type AnthropicOptionsInput,
  anthropicOptionsSchema,
} from './anthropic-options.js';
import { VERSION } from './version.js';

const defaultBaseUrl = 'https://api.anthropic.com';
/** The longest `retry-after` honoured for a retried 5xx; a longer one is cut to this (a stuck server would stall the run). */
const maxRetryAfterMs = 60_000;

/** A 200 answer that is not the JSON the API promises: worth another attempt, like a 5xx. */
class MalformedResponse extends Error {}

/**
 * A refused key (HTTP 401/403). A `BackendCallError` with its status, so that the runner stops the run at once
 * naming the key's source, and also an `AuthenticationError` for callers that check for one.
 */
class AnthropicAuthenticationError extends BackendCallError {
  constructor(message: string, options: { statusCode: number; cause?: unknown }) {
    super(message, { ...options, isRetryable: false });
    this.name = 'AuthenticationError';
    this.mark('evalchemy.error.AuthenticationError');
  }
}

/** The SDK's client without its fallback to local credential files: only the key given here is ever sent. */
class KeyOnlyAnthropic extends Anthropic {
  protected override _shouldResolveDefaultCredentials(): boolean {
    return false;
  }
}

/**
 * Anthropic's Claude models through the Messages API (`POST /v1/messages`) with the official SDK. The SDK's own
 * retries are off: rate-limit answers (429, 529 overloaded) go back to the runner's scheduler at once, and the
 * other transient failures are retried here.
 */
export class AnthropicBackend implements BackendV1 {
  readonly specificationVersion = 'v1';
  readonly id = 'anthropic';
  readonly version = VERSION;
  readonly modelId: string;
  readonly endpoint: string;
  readonly capabilities: BackendCapabilitiesV1;
  readonly price?: TokenPriceV1;
  readonly #options: AnthropicOptions;
  /** The key and the URL's password and query values: none may reach a message. */
  readonly #secrets: string[];
  readonly #client: Anthropic;
  /** Sampling settings the server refused for this model; later requests leave them out. */
  readonly #dropped = new Set<DroppableSetting>();

  constructor(options: AnthropicOptions, context: BackendCreateContextV1) {
    this.#options = options;
    this.modelId = options.model;
    for (const warning of harnessOptionWarnings('anthropic', options)) context.log.warn(warning);
    const url = parseBaseUrl(options.base_url ?? (context.env.ANTHROPIC_BASE_URL || defaultBaseUrl));
    // The SDK appends `/v1/messages` to the base as text: a query would come before the path (it is sent as
    // the default query instead), and a base ending in /v1 (as OpenAI-style URLs do) would give /v1/v1.
    const query = Object.fromEntries(url.searchParams);
    url.search = '';
    url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
    const urlSecrets = [url.password, ...Object.values(query)];
    // fetch refuses URLs with credentials: they go as Basic authorization (the key stays in x-api-key).
    const basic =
      url.username !== '' || url.password !== ''
        ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
        : undefined;
    url.username = '';
    url.password = '';
    this.endpoint = url.toString().replace(/\/+$/, '');
    const key = options.api_key || context.env.ANTHROPIC_API_KEY || undefined;
    if (key === undefined && url.hostname === 'api.anthropic.com') {
      throw new ConfigurationError(
        'backend anthropic: no API key for api.anthropic.com. Set ANTHROPIC_API_KEY or pass --model_args api_key=...',
      );
    }
    // Short values (a region, `eu`) would mask ordinary words of messages; secrets are longer.
    this.#secrets = [...(key ? [key] : []), ...urlSecrets.filter((value) => value.length >= 8)];
    const limits = backendLimitsOf(options);
    if (limits.price) this.price = limits.price;
    this.capabilities = {
      chat: true,
      completion: false,
      loglikelihood: false,
      cacheable: true,
      json: false,
      ...(options.concurrency !== undefined ? { maxConcurrency: options.concurrency } : {}),
      ...limits.capabilities,
    };
    this.#client = new KeyOnlyAnthropic({
      // Both given (null when absent) so that the SDK reads neither from process.env: the run's env is `context.env`.
      apiKey: key ?? null,
      authToken: null,
      baseURL: this.endpoint,
      maxRetries: 0,
      timeout: options.timeout_ms,
      defaultHeaders: {
        // The SDK sends the key as `Authorization: Bearer`; `x-api-key` is the header the API documents and
        // Anthropic-compatible servers check. Without a key, no credential header at all.
        // (The base URL's user and password, if any, replace the Bearer header.)
        ...(key !== undefined ? { 'x-api-key': key } : { Authorization: null }),
        ...(basic !== undefined ? { Authorization: basic } : {}),
        ...(options.anthropic_version !== undefined
          ? { 'anthropic-version': options.anthropic_version }
          : {}),
      },
      ...(Object.keys(query).length > 0 ? { defaultQuery: query } : {}),
    });
  }

  async doGenerate(request: GenerateRequestV1, options: CallOptionsV1): Promise<GenerateResultV1> {
    if (request.type !== 'chat') {
      throw new ConfigurationError(
        'backend anthropic: the Messages API answers chat requests only; this benchmark sends completion requests ' +
          '(raw text to continue). Choose a chat variant of the task, or a backend with a completions endpoint.',
      );
    }
    // A model that refuses temperature or top_p (newer Claude models do) is asked again without it, once per
    // setting; the backend remembers, so the rest of the run sends neither the setting nor a wasted request.
    for (let resend = 0; ; resend++) {
      const { body, warnings, localStops } = toMessagesRequest(
        this.modelId,
        request.messages,
        request.parameters,
        {
          defaultMaxTokens: this.#options.max_tokens,
          dropped: this.#dropped,
        },
      );
      let response: MessageResponse;
      try {
        response = await this.#call(options.signal, body);
      } catch (error) {
        const refused = resend < 2 ? this.#refusedBy(error, body) : [];
        if (refused.length === 0) throw error;
        for (const setting of refused) this.#dropped.add(setting);
        continue;
      }
      const { text, cut } = cutAtStops(textOf(response), localStops);
      const usage = usageOf(response);
      return {
        text,
        finishReason: cut ? 'stop' : mapStopReason(response.stop_reason),
        ...(usage ? { usage } : {}),
        warnings,
      };
    }
  }

  /** Closes nothing: the SDK keeps no connections of its own beyond Node's fetch pool. */
  async doStop(): Promise<void> {}

  describe(): Record<string, unknown> {
    return {
      baseUrl: this.endpoint,
      model: this.modelId,
      maxTokens: this.#options.max_tokens,
      maxRetries: this.#options.max_retries,
      timeoutMs: this.#options.timeout_ms,
      ...(this.#options.concurrency !== undefined ? { concurrency: this.#options.concurrency } : {}),
      ...(this.#options.anthropic_version !== undefined
        ? { anthropicVersion: this.#options.anthropic_version }
        : {}),
      ...(this.#dropped.size > 0 ? { refusedSettings: [...this.#dropped] } : {}),
    };
  }

  /** The sampling settings a 400 answer refused, when it refused any. */
  #refusedBy(error: unknown, body: MessagesRequestBody): DroppableSetting[] {
    if (!BackendCallError.isInstance(error) || error.statusCode !== 400) return [];
    const cause = error.cause;
    const message = cause instanceof Anthropic.APIError ? (cause.apiMessage ?? cause.message) : error.message;
    return refusedSettings(message, body);
  }

  /** Sends one request with retries; every failure becomes a `BackendCallError` (or the abort reason). */
  async #call(signal: AbortSignal, body: MessagesRequestBody): Promise<MessageResponse> {
    const maxRetries = this.#options.max_retries;
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      try {
        let raw: unknown;
        try {
          raw = await callWithOwnSignal(signal, (own) =>
            this.#client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, {
              signal: own,
            }),
          );
        } catch (error) {
          if (error instanceof SyntaxError) throw new MalformedResponse('the body is not valid JSON');
          throw error;
        }
        const parsed = messageResponseSchema.safeParse(raw);
        if (!parsed.success) {
          throw new MalformedResponse(
            `unexpected response shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
          );
        }
        return parsed.data;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const failure = this.#toCallError(error, attempt);
        if (failure.rateLimited || !failure.isRetryable || attempt >= maxRetries) throw failure;
        await delay(retryDelayMs(attempt, error), undefined, { signal });
      }
    }
  }

  #toCallError(error: unknown, attempt: number): BackendCallError {
    const where = this.#where();
    const tries = attempt + 1 === 1 ? '1 attempt' : `${attempt + 1} attempts`;
    if (error instanceof MalformedResponse) {
      return new BackendCallError(
        `${where} answered HTTP 200 with a malformed body (${error.message}) (${tries}).`,
        {
          statusCode: 200,
          isRetryable: true,
        },
      );
    }
    if (error instanceof Anthropic.APIConnectionTimeoutError) {
      return new BackendCallError(
        `${where} did not answer within timeout_ms=${this.#options.timeout_ms} (${tries}).`,
        { isRetryable: true, cause: error },
      );
    }
    if (error instanceof Anthropic.APIConnectionError) {
      return new BackendCallError(
        `Could not connect to ${where} (${tries}): ${this.#redact(describeCause(error))}.`,
        { isRetryable: true, cause: error },
      );
    }
    if (error instanceof Anthropic.APIError && error.status !== undefined) {
      const status = error.status;
      const detail = this.#redact(error.apiMessage ?? error.message);
      const type = error.type ? ` ${error.type}` : '';
      if (status === 401 || status === 403) {
        return new AnthropicAuthenticationError(
          `${where} answered HTTP ${status}${type}: ${detail}. Check the API key (api_key or ANTHROPIC_API_KEY) ` +
            'and its access to this model.',
          { statusCode: status, cause: error },
        );
      }
      if (status === 429 || status === 529) {
        return new BackendCallError(
          `${where} answered HTTP ${status}${type} (${status === 429 ? 'rate limit' : 'overloaded'}): ${detail}.`,
          {
            statusCode: status,
            rateLimited: true,
            retryAfterMs: retryAfterMsOf(error.headers),
            cause: error,
          },
        );
      }
      const retryable = status === 408 || status === 409 || status >= 500;
      const hint = status === 404 ? ' Check base_url and the model name.' : '';
      return new BackendCallError(`${where} answered HTTP ${status}${type} (${tries}): ${detail}.${hint}`, {
        statusCode: status,
        isRetryable: retryable,
        cause: error,
      });
    }
    return new BackendCallError(`${where} failed: ${this.#redact(String(error))}`, { cause: error });
  }

  #where(): string {
    return `Anthropic API ${this.endpoint} (model ${this.modelId})`;
  }

  /** A server may echo the key (or part of it) in an error; none of it may reach results or logs. */
  #redact(text: string): string {
    let redacted = text.replace(/\bsk-ant-[A-Za-z0-9_*.-]+/g, 'sk-ant-***');
    for (const secret of this.#secrets) redacted = redacted.split(secret).join('***');
    return redacted;
  }
}

/** Creates an anthropic backend from `--model_args`-style options (parsed and checked here). */
export function createAnthropicBackend(
  options: AnthropicOptionsInput,
  context: Partial<BackendCreateContextV1> = {},
): AnthropicBackend {
  const parsed = parsePluginOptions(
    anthropicOptionsSchema,
    options as Record<string, unknown>,
    'backend anthropic',
  );
  return new AnthropicBackend(parsed as AnthropicOptions, {
    env: context.env ?? {},
    log: context.log ?? { info() {}, warn() {}, debug() {} },
  });
}

function parseBaseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    // Only ANTHROPIC_BASE_URL can get here: base_url is checked by the options schema.
    throw new ConfigurationError(
      'backend anthropic: ANTHROPIC_BASE_URL is not a valid URL (its value is not shown, as it may hold credentials). ' +
        'Set it to the API root, such as https://api.anthropic.com, or pass --model_args base_url=...',
    );
  }
}

function describeCause(error: Error): string {
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const inner = cause?.cause instanceof Error ? cause.cause : undefined;
  return [error.message, cause?.message, inner?.message].filter(Boolean).join(': ');
}

/**
 * The wait before retry `attempt + 1`: the server's `retry-after` when it sent one (at most a minute), else the
 * SDK's own backoff, 0.5 s doubling up to 8 s with up to 25 % jitter.
 */
function retryDelayMs(attempt: number, error: unknown): number {
  const asked = error instanceof Anthropic.APIError ? retryAfterMsOf(error.headers) : undefined;
  if (asked !== undefined) return Math.min(asked, maxRetryAfterMs);
  return backoffDelayMs(attempt);
}
