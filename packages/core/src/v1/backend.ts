import type { z } from 'zod';
import type {
  GenerateRequestV1,
  GenerateResultV1,
  LoglikelihoodRequestV1,
  LoglikelihoodResultV1,
} from './generation.js';
import type { LoggerV1 } from './logger.js';

/** What a backend can do. The runner checks a benchmark's needs against it before a task starts. */
export interface BackendCapabilitiesV1 {
  /** Accepts `chat` requests. */
  chat: boolean;
  /** Accepts `completion` requests. */
  completion: boolean;
  /** Implements `doLoglikelihood`. */
  loglikelihood: boolean;
  /**
   * Whether responses may be served from the runner's response cache. False for backends whose answer does
   * not depend on the request alone (replay answers by origin).
   */
  cacheable: boolean;
  /**
   * The most alternatives per generated token the backend returns for `parameters.topLogprobs` (OpenAI: 20).
   * Absent or 0: no per-token log-probabilities.
   */
  topLogprobs?: number;
  /** Honours `parameters.responseFormat: 'json'` (constrained JSON output). Default false. */
  json?: boolean;
  /** Upper bound on concurrent calls the backend accepts (in-process models: 1). Undefined: no bound. */
  maxConcurrency?: number;
  /** Requests the runner may start per minute (a provider's published limit; `requests_per_minute`). */
  requestsPerMinute?: number;
  /** Prompt plus completion tokens the runner may spend per minute (`tokens_per_minute`). */
  tokensPerMinute?: number;
}

/** A model's price in US dollars per million tokens. */
export interface TokenPriceV1 {
  input: number;
  output: number;
  /** Prompt tokens the provider served from its prompt cache (`TokenUsageV1.cachedPromptTokens`). Default `input`. */
  cachedInput?: number;
}

/** Options passed to every runner-called backend method. */
export interface CallOptionsV1 {
  /** Aborted when the run is cancelled (Ctrl-C, a fatal error elsewhere). */
  signal: AbortSignal;
}

/** Options of `BackendV1.doStart`. */
export interface StartOptionsV1 extends CallOptionsV1 {
  /**
   * The run's output folder for this model (where the results file goes), created by the runner: a backend
   * that starts processes writes their logs here, named after itself (`vllm-replica-0.log`).
   */
  directory: string;
}

/**
 * A model, ready to answer requests. Created by a `BackendProviderV1` from the user's `--model_args`.
 *
 * Lifecycle: the runner calls `doStart` once before the first request (a backend that owns a process starts
 * it and waits until it is healthy), then any number of `doGenerate`/`doLoglikelihood` calls concurrently
 * (up to `capabilities.maxConcurrency`), then `doStop` exactly once on every exit path: normal end, error,
 * Ctrl-C. `doStop` must be safe to call when `doStart` failed half-way.
 */
export interface BackendV1 {
  readonly specificationVersion: 'v1';
  /** Plugin id, e.g. `openai`. */
  readonly id: string;
  /** Version of the plugin package. */
  readonly version: string;
  /** The model as the user named it (`gpt-4o-mini`, a GGUF path). Part of the cache key and of the output folder name. */
  readonly modelId: string;
  /**
   * Where the model is served, when `modelId` alone does not tell (a server's base URL), without credentials
   * or secret query values: never a secret. Part of the response cache key, so the same model name on two
   * servers gets two sets of answers. Undefined for in-process models.
   */
  readonly endpoint?: string;
  readonly capabilities: BackendCapabilitiesV1;
  /** Prepares the backend (loads weights, starts a server, waits for health). Optional. */
  doStart?(options: StartOptionsV1): Promise<void>;
  /**
   * The price the user gave for this model (`price_input`, `price_output` options). Undefined: the runner's
   * price table, by `modelId`, decides, and a model in neither has no cost (never a guess).
   */
  readonly price?: TokenPriceV1;
  /**
   * Generates text. Throws `BackendCallError` when the call failed after the backend's own retries.
   *
   * Rate limits are the runner's: a backend does not retry an answer that says "too many requests" (HTTP 429,
   * or the provider's overload answer such as Anthropic's 529), it throws `BackendCallError` with
   * `rateLimited: true` and the server's `retryAfterMs` (`retryAfterMsOf`). The runner's scheduler, shared by
   * the model and the judges of that backend, then lowers the backend's concurrency (multiplicative decrease,
   * raised again one step per round of successes), waits, and sends the request again. Other transient
   * failures (5xx, timeouts, resets) are retried by the backend itself.
   */
  doGenerate(request: GenerateRequestV1, options: CallOptionsV1): Promise<GenerateResultV1>;
  /** Scores a continuation. Present when `capabilities.loglikelihood` is true. */
  doLoglikelihood?(request: LoglikelihoodRequestV1, options: CallOptionsV1): Promise<LoglikelihoodResultV1>;
  /** Releases every resource (processes, handles, model memory). Optional. */
  doStop?(): Promise<void>;
  /**
   * Facts about the model for the results file (context length, quantization, server URL). Never secrets.
   * The runner calls it once, after the last request and before `doStop` (also when `doStart` failed).
   */
  describe(): Record<string, unknown>;
}

/** Settings the runner gives a provider when it creates a backend. */
export interface BackendCreateContextV1 {
  /** Environment variables (the provider reads fallbacks such as `OPENAI_API_KEY` here, not from `process.env`). */
  env: Record<string, string | undefined>;
  log: LoggerV1;
}

/**
 * The default export of a backend plugin's entry module. `optionsSchema` parses `--model_args` (values
 * arrive as strings: use `z.coerce` for numbers); unknown keys are rejected by the runner.
 */
export interface BackendProviderV1<Options = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  readonly kind: 'backend';
  readonly id: string;
  readonly version: string;
  readonly optionsSchema: z.ZodType<Options>;
  /**
   * Options that cannot change the model's answers: credentials, where the server is reached (the runner
   * records the backend's `endpoint` instead), retries, timeouts, concurrency, thread counts. Every other
   * option is part of each task's `identity` in the results file. Listing the neutral ones rather than the
   * answer-changing ones errs on the safe side: an option added later and not listed here gives a needless
   * new identity, never one identity for two setups that answer differently. Credentials must be listed
   * (they would otherwise make every key its own identity). Default: none.
   */
  readonly answerNeutralOptions?: readonly (keyof Options & string)[];
  createBackend(options: Options, context: BackendCreateContextV1): BackendV1;
}
