import { backendLimitOptionsShape } from '@evalchemy/core';
import { z } from 'zod';

/**
 * `--model_args` of the openai backend. Values arrive as strings from the command line; numbers are coerced.
 * `base_url` and `api_key` fall back to `OPENAI_BASE_URL` and `OPENAI_API_KEY`.
 */
export const openAIOptionsSchema = z.object({
  /** `price_input`, `price_output`, `price_cached_input`, `requests_per_minute`, `tokens_per_minute`. */
  ...backendLimitOptionsShape,
  /** Model name as the server knows it (`gpt-4o-mini`, `meta-llama/Llama-3.1-8B-Instruct`). */
  model: z.string().min(1),
  /** Base URL of the OpenAI-compatible API, ending in `/v1`. Default `OPENAI_BASE_URL`, else https://api.openai.com/v1. */
  base_url: z.url().optional(),
  /** API key. Default `OPENAI_API_KEY`; local servers without authentication get the placeholder `EMPTY`. */
  api_key: z.string().optional(),
  /** Which endpoint generation uses: `chat` (/chat/completions) or `completions` (/completions). */
  api: z.enum(['chat', 'completions']).default('chat'),
  /** Retries after a retryable failure (408/409/5xx, timeout, reset, malformed JSON); 429 is the runner's. */
  max_retries: z.coerce.number().int().min(0).default(5),
  /** Timeout of one HTTP attempt, in milliseconds. */
  timeout_ms: z.coerce.number().int().positive().default(600_000),
  /**
   * Largest answer read, in bytes after decompression (default 32 MiB, far above any real completion). A larger
   * answer is cut off there and fails its call without a retry, so a broken or hostile server cannot fill memory.
   */
  max_response_bytes: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** Concurrent requests the runner may send (`capabilities.maxConcurrency`). Default: no bound. */
  concurrency: z.coerce.number().int().positive().optional(),
  /**
   * Name of the generation-length parameter. Default `max_tokens`, except `max_completion_tokens` for OpenAI
   * reasoning models (o1, o3, o4, gpt-5), which reject `max_tokens`.
   */
  max_tokens_parameter: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
});

/** Parsed options of the openai backend. */
export type OpenAIOptions = z.output<typeof openAIOptionsSchema>;
/** Options as a caller may write them (defaults may be left out). */
export type OpenAIOptionsInput = z.input<typeof openAIOptionsSchema>;
