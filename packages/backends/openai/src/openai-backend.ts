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
  type FinishReasonV1,
  type GenerateRequestV1,
  type GenerateResultV1,
  type LoglikelihoodRequestV1,
  type LoglikelihoodResultV1,
  parsePluginOptions,
  retryAfterMsOf,
  type TokenLogprobV1,
  type TokenPriceV1,
  type TokenUsageV1,
  type WarningV1,
} from '@evalchemy/core';
import OpenAI from 'openai';
import { z } from 'zod';
import { createNodeHttpFetch, type NodeHttpFetch, ResponseTooLargeError } from './node-http-fetch.js';
import {
  type CompletionLogprobs,
  completionLogprobsSchema,
  continuationLoglikelihood,
  splitAtWord,
} from './openai-loglikelihood.js';
import { type OpenAIOptions, type OpenAIOptionsInput, openAIOptionsSchema } from './openai-options.js';
import {
  isOpenAIHost,
  isReasoningModel,
  normaliseParameters,
  openAITopLogprobsLimit,
} from './openai-parameters.js';
import { VERSION } from './version.js';

const defaultBaseUrl = 'https://api.openai.com/v1';
/** lm-evaluation-harness sends this when a local server needs no key; the SDK refuses an empty one. */
const placeholderKey = 'EMPTY';

const usageSchema = z
  .object({ prompt_tokens: z.number(), completion_tokens: z.number() })
  .nullish()
  .transform((usage): TokenUsageV1 | undefined =>
    usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } : undefined,
  );

const alternativeSchema = z.object({ token: z.string(), logprob: z.number() });

/** A chat choice's `logprobs.content`: one entry per generated token. */
const chatLogprobsSchema = z.object({
  content: z
    .array(alternativeSchema.extend({ top_logprobs: z.array(alternativeSchema).nullish() }))
    .nullish(),
});

const chatResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }),
        finish_reason: z.string().nullish(),
        logprobs: chatLogprobsSchema.nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
});

const completionResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        text: z.string(),
        finish_reason: z.string().nullish(),
        logprobs: completionLogprobsSchema.nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
});

/** A 200 answer that is not the JSON the API promises: worth another attempt, like a 5xx. */
class MalformedResponse extends Error {}

/**
 * A model behind any OpenAI-compatible HTTP API. Retries (408/409/5xx, timeouts, resets, with `retry-after`)
 * are the official SDK's; a malformed 200 answer is retried here with the same backoff. A 429 is not retried:
 * it becomes a rate-limited `BackendCallError` with the server's `retry-after`, and the runner's scheduler,
 * which sees every request to this backend, slows down and sends it again.
 */
export class OpenAIBackend implements BackendV1 {
  readonly specificationVersion = 'v1';
  readonly id = 'openai';
  readonly version = VERSION;
  readonly modelId: string;
  readonly endpoint: string;
  readonly capabilities: BackendCapabilitiesV1;
  readonly price?: TokenPriceV1;
  readonly #options: OpenAIOptions;
  readonly #baseUrl: string;
  /** The key and the URL's password and query values: none may reach a message. */
  readonly #secrets: string[];
  readonly #client: OpenAI;
  readonly #transport: NodeHttpFetch;
  readonly #maxTokensParameter: 'max_tokens' | 'max_completion_tokens';

  constructor(options: OpenAIOptions, context: BackendCreateContextV1) {
    this.#options = options;
    this.modelId = options.model;
    if (options.tokenized_requests === true) {
      context.log.warn(
        'backend openai: tokenized_requests=True cannot be honoured: requests carry text, which the server tokenizes (as tokenized_requests=False).',
      );
    }
    if (options.revision !== undefined) {
      context.log.warn(
        `backend openai: revision=${options.revision} has no effect: the server decides which checkpoint it serves (give vllm's revision= to launch one).`,
      );
    }
    const url = parseBaseUrl(options.base_url ?? (context.env.OPENAI_BASE_URL || defaultBaseUrl));
    // The SDK appends paths to the base URL as text, so a query (`?api_key=`) would come before the path:
    // it is sent as the SDK's default query instead.
    const query = Object.fromEntries(url.searchParams);
    url.search = '';
    this.#baseUrl = url.toString().replace(/\/+$/, '');
    const urlSecrets = [url.password, ...Object.values(query)];
    url.username = '';
    url.password = '';
    this.endpoint = url.toString().replace(/\/+$/, '');
    const key = options.api_key ?? context.env.OPENAI_API_KEY;
    if ((key === undefined || key === '') && isOpenAIHost(this.#baseUrl)) {
      throw new ConfigurationError(
        'backend openai: no API key for api.openai.com. Set OPENAI_API_KEY or pass --model_args api_key=...',
      );
    }
    // Short values (a region, `eu`) would mask ordinary words of messages; secrets are longer.
    this.#secrets = [...(key ? [key] : []), ...urlSecrets.filter((value) => value.length >= 8)];
    const limits = backendLimitsOf(options);
    if (limits.price !== undefined) this.price = limits.price;
    this.#maxTokensParameter =
      options.max_tokens_parameter ??
      (isReasoningModel(options.model) ? 'max_completion_tokens' : 'max_tokens');
    this.capabilities = {
      chat: options.api === 'chat',
      completion: options.api === 'completions',
      loglikelihood: options.api === 'completions',
      cacheable: true,
      topLogprobs:
        options.api === 'completions' && isOpenAIHost(this.#baseUrl)
          ? openAITopLogprobsLimit.completion
          : openAITopLogprobsLimit.chat,
      // The legacy completions endpoint has no JSON mode.
      json: options.api === 'chat',
      ...(options.concurrency !== undefined ? { maxConcurrency: options.concurrency } : {}),
      ...limits.capabilities,
    };
    this.#transport = createNodeHttpFetch({ maxResponseBytes: options.max_response_bytes });
    this.#client = new OpenAI({
      apiKey: key || placeholderKey,
      baseURL: this.#baseUrl,
      maxRetries: options.max_retries,
      timeout: options.timeout_ms,
      fetch: withoutRateLimitRetries(this.#transport.fetch),
      ...(Object.keys(query).length > 0 ? { defaultQuery: query } : {}),
    });
  }

  async doGenerate(request: GenerateRequestV1, options: CallOptionsV1): Promise<GenerateResultV1> {
    const { body, warnings } = normaliseParameters(request.parameters, {
      model: this.modelId,
      baseUrl: this.#baseUrl,
      maxTokensParameter: this.#maxTokensParameter,
      requestType: request.type,
    });
    const wantsLogprobs = request.parameters.topLogprobs !== undefined;
    if (request.type === 'chat') {
      if (this.#options.api !== 'chat') throw this.#wrongApi('chat', 'chat');
      const response = await this.#call(options.signal, chatResponseSchema, (signal) =>
        this.#client.chat.completions.create(
          {
            ...body,
            model: this.modelId,
            messages: request.messages,
          } as OpenAI.ChatCompletionCreateParamsNonStreaming,
          { signal },
        ),
      );
      const choice = response.choices[0]!;
      const logprobs = choice.logprobs?.content?.map(
        ({ token, logprob, top_logprobs }): TokenLogprobV1 => ({
          token,
          logprob,
          topLogprobs: top_logprobs ?? [],
        }),
      );
      return {
        text: choice.message.content ?? '',
        ...this.#logprobsOf(wantsLogprobs, logprobs, warnings),
        finishReason: mapFinishReason(choice.finish_reason),
        ...(response.usage ? { usage: response.usage } : {}),
        warnings,
      };
    }
    if (this.#options.api !== 'completions') throw this.#wrongApi('completion', 'completions');
    const response = await this.#call(options.signal, completionResponseSchema, (signal) =>
      this.#client.completions.create(
        { ...body, model: this.modelId, prompt: request.prompt } as OpenAI.CompletionCreateParamsNonStreaming,
        { signal },
      ),
    );
    const choice = response.choices[0]!;
    return {
      text: choice.text,
      ...this.#logprobsOf(
        wantsLogprobs,
        choice.logprobs ? legacyTokenLogprobs(choice.logprobs) : undefined,
        warnings,
      ),
      finishReason: mapFinishReason(choice.finish_reason),
      ...(response.usage ? { usage: response.usage } : {}),
      warnings,
    };
  }

  /** The result's `logprobs` when asked for; a server that sent none is told in `warnings`. */
  #logprobsOf(
    asked: boolean,
    logprobs: TokenLogprobV1[] | undefined,
    warnings: WarningV1[],
  ): { logprobs?: TokenLogprobV1[] } {
    if (!asked) return {};
    if (logprobs === undefined) {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'topLogprobs',
        message: `${this.#where()} returned no logprobs although they were asked for.`,
      });
      return {};
    }
    return { logprobs };
  }

  async doLoglikelihood(
    request: LoglikelihoodRequestV1,
    options: CallOptionsV1,
  ): Promise<LoglikelihoodResultV1> {
    if (this.#options.api !== 'completions') {
      throw new ConfigurationError(
        'backend openai: loglikelihood needs the completions endpoint, which returns prompt logprobs. ' +
          'Pass --model_args api=completions (chat endpoints cannot score a given continuation).',
      );
    }
    const { context, continuation } = splitAtWord(request.context, request.continuation);
    const prompt = context + continuation;
    const response = await this.#call(options.signal, completionResponseSchema, (signal) =>
      this.#client.completions.create(
        { model: this.modelId, prompt, echo: true, logprobs: 1, max_tokens: 0, temperature: 0 },
        { signal },
      ),
    );
    const logprobs = response.choices[0]!.logprobs;
    if (!logprobs) {
      throw new BackendCallError(
        `${this.#where()}: the completions answer has no logprobs; the server does not support echo with logprobs.`,
        { statusCode: 200, isRetryable: false },
      );
    }
    const result = continuationLoglikelihood(logprobs, context.length, prompt.length);
    if ('error' in result) {
      throw new BackendCallError(`${this.#where()}: ${result.error}.`, {
        statusCode: 200,
        isRetryable: false,
      });
    }
    return result;
  }

  /** Closes the kept-alive connections; the backend may be used again (it opens new ones). */
  async doStop(): Promise<void> {
    this.#transport.close();
  }

  describe(): Record<string, unknown> {
    return {
      baseUrl: this.endpoint,
      api: this.#options.api,
      model: this.modelId,
      maxRetries: this.#options.max_retries,
      timeoutMs: this.#options.timeout_ms,
      maxResponseBytes: this.#options.max_response_bytes,
      ...(this.#options.concurrency !== undefined ? { concurrency: this.#options.concurrency } : {}),
      ...(this.capabilities.requestsPerMinute !== undefined
        ? { requestsPerMinute: this.capabilities.requestsPerMinute }
        : {}),
      ...(this.capabilities.tokensPerMinute !== undefined
        ? { tokensPerMinute: this.capabilities.tokensPerMinute }
        : {}),
    };
  }

  /** Sends a call; retries malformed answers; turns every failure into `BackendCallError` (or the abort reason). */
  async #call<Schema extends z.ZodType>(
    signal: AbortSignal,
    schema: Schema,
    send: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<z.output<Schema>> {
    const maxRetries = this.#options.max_retries;
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      try {
        let raw: unknown;
        try {
          raw = await callWithOwnSignal(signal, send);
        } catch (error) {
          if (error instanceof SyntaxError) throw new MalformedResponse('the body is not valid JSON');
          throw error;
        }
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
          throw new MalformedResponse(
            `unexpected response shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
          );
        }
        return parsed.data;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof MalformedResponse && attempt < maxRetries) {
          await delay(backoffDelayMs(attempt), undefined, { signal });
          continue;
        }
        throw this.#toCallError(error, attempt);
      }
    }
  }

  #toCallError(error: unknown, malformedAttempts: number): BackendCallError {
    const where = this.#where();
    const retries = this.#options.max_retries;
    if (error instanceof MalformedResponse) {
      return new BackendCallError(
        `${where} answered HTTP 200 with a malformed body (${error.message}) ${malformedAttempts + 1} times.`,
        { statusCode: 200, isRetryable: true },
      );
    }
    if (error instanceof ResponseTooLargeError) {
      return new BackendCallError(
        `${where} sent an ${error.message}: reading stopped there, and the call is not retried. ` +
          'Pass --model_args max_response_bytes=N if answers this large are expected.',
        { isRetryable: false, cause: error },
      );
    }
    if (error instanceof OpenAI.APIConnectionTimeoutError) {
      return new BackendCallError(
        `${where} did not answer within timeout_ms=${this.#options.timeout_ms} (after up to ${retries} retries).`,
        { isRetryable: true, cause: error },
      );
    }
    if (error instanceof OpenAI.APIConnectionError) {
      return new BackendCallError(
        `Could not connect to ${where} (after up to ${retries} retries): ${this.#redact(describeCause(error))}.`,
        { isRetryable: true, cause: error },
      );
    }
    if (error instanceof OpenAI.APIError && error.status !== undefined) {
      const hint =
        error.status === 401 || error.status === 403
          ? ' Check the API key (api_key or OPENAI_API_KEY).'
          : error.status === 404
            ? ' Check base_url and the model name.'
            : '';
      if (error.status === 429) {
        return new BackendCallError(
          `${where} answered HTTP 429 (rate limit): ${this.#redact(error.message)}.`,
          {
            statusCode: 429,
            isRetryable: true,
            rateLimited: true,
            retryAfterMs: retryAfterMsOf(error.headers),
            cause: error,
          },
        );
      }
      const retryable = error.status === 408 || error.status === 409 || error.status >= 500;
      return new BackendCallError(
        `${where} answered HTTP ${error.status}${retryable ? ` (after ${retries} retries)` : ''}: ` +
          `${this.#redact(error.message)}.${hint}`,
        { statusCode: error.status, isRetryable: retryable, cause: error },
      );
    }
    return new BackendCallError(`${where} failed: ${this.#redact(String(error))}`, { cause: error });
  }

  #where(): string {
    return `OpenAI-compatible server ${this.endpoint} (model ${this.modelId})`;
  }

  #wrongApi(type: string, api: string): ConfigurationError {
    return new ConfigurationError(
      `backend openai: a ${type} request cannot be sent with api=${this.#options.api}. ` +
        `Pass --model_args api=${api} (the benchmark asked for ${type} requests).`,
    );
  }

  /** Servers may echo part of the key in error messages (OpenAI's 401 does); none of it may reach logs. */
  #redact(text: string): string {
    let redacted = text.replace(/\bsk-[A-Za-z0-9_*.-]+/g, 'sk-***');
    for (const secret of this.#secrets) redacted = redacted.split(secret).join('***');
    return redacted;
  }
}

/** Creates an openai backend from `--model_args`-style options (parsed and checked here). */
export function createOpenAIBackend(
  options: OpenAIOptionsInput,
  context: Partial<BackendCreateContextV1> = {},
): OpenAIBackend {
  const parsed = parsePluginOptions(
    openAIOptionsSchema,
    options as Record<string, unknown>,
    'backend openai',
  );
  return new OpenAIBackend(parsed as OpenAIOptions, {
    env: context.env ?? {},
    log: context.log ?? { info() {}, warn() {}, debug() {} },
  });
}

/**
 * The legacy completions `logprobs` of generated text, alternatives most likely first; undefined when a token
 * has no logprob (a server gives null only for an echoed prompt's first token, and generation echoes nothing).
 */
function legacyTokenLogprobs(logprobs: CompletionLogprobs): TokenLogprobV1[] | undefined {
  const result: TokenLogprobV1[] = [];
  for (const [index, token] of logprobs.tokens.entries()) {
    const logprob = logprobs.token_logprobs[index];
    if (logprob === null || logprob === undefined) return undefined;
    const alternatives = Object.entries(logprobs.top_logprobs?.[index] ?? {});
    result.push({
      token,
      logprob,
      topLogprobs: alternatives
        .map(([alternative, value]) => ({ token: alternative, logprob: value }))
        .sort((a, b) => b.logprob - a.logprob),
    });
  }
  return result;
}

function mapFinishReason(reason: string | null | undefined): FinishReasonV1 {
  switch (reason) {
    case 'stop':
    case 'eos':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

function parseBaseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    // Only OPENAI_BASE_URL can get here: base_url is checked by the options schema.
    throw new ConfigurationError(
      'backend openai: OPENAI_BASE_URL is not a valid URL (its value is not shown, as it may hold credentials). ' +
        'Set it to the API base, such as http://127.0.0.1:8000/v1, or pass --model_args base_url=...',
    );
  }
}

function describeCause(error: Error): string {
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const inner = cause?.cause instanceof Error ? cause.cause : undefined;
  return [error.message, cause?.message, inner?.message].filter(Boolean).join(': ');
}

/**
 * The transport with every 429 answer marked `x-should-retry: false`, which the SDK honours before its own
 * rules: rate limits are the runner's to handle (it lowers the concurrency of every request to this server,
 * which a retry inside one call cannot).
 */
function withoutRateLimitRetries(send: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await send(input, init);
    if (response.status === 429) response.headers.set('x-should-retry', 'false');
    return response;
  };
}
