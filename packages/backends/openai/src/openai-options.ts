import { backendLimitOptionsShape } from '@evalchemy/core';
import { z } from 'zod';

/**
 * `--model_args` of the openai backend. Values arrive as strings from the command line; numbers are coerced.
 * `base_url` and `api_key` fall back to `OPENAI_BASE_URL` and `OPENAI_API_KEY`.
 */
/** `true`/`false` from the command line (`True`/`False`, as lm-evaluation-harness writes them) or a boolean. */
const flag = z.union([z.boolean(), z.stringbool()]);

/** The path of an endpoint URL (lm-evaluation-harness's `base_url`), and the `api` it means. */
const endpointPaths = [
  { suffix: /\/chat\/completions\/?$/, api: 'chat' },
  { suffix: /\/completions\/?$/, api: 'completions' },
] as const;

/** `http://host/v1/chat/completions` → the `/v1` root and `chat`; a root URL is returned as it is. */
export function splitEndpointUrl(url: string): { root: string; api?: 'chat' | 'completions' } {
  const parsed = new URL(url);
  for (const { suffix, api } of endpointPaths) {
    if (suffix.test(parsed.pathname)) {
      parsed.pathname = parsed.pathname.replace(suffix, '') || '/';
      return { root: parsed.toString().replace(/\/+(\?|$)/, '$1'), api };
    }
  }
  return { root: url };
}

export const openAIOptionsSchema = z
  .object({
    /** `price_input`, `price_output`, `price_cached_input`, `requests_per_minute`, `tokens_per_minute`. */
    ...backendLimitOptionsShape,
    /** Model name as the server knows it (`gpt-4o-mini`, `meta-llama/Llama-3.1-8B-Instruct`). */
    model: z.string().min(1).optional(),
    /** Same as `model` (lm-evaluation-harness's and Evalchemy's spelling). */
    pretrained: z.string().min(1).optional(),
    /**
     * Base URL of the OpenAI-compatible API, ending in `/v1`. Default `OPENAI_BASE_URL`, else https://api.openai.com/v1.
     * lm-evaluation-harness's endpoint URL (`…/v1/chat/completions`, `…/v1/completions`) is taken too: its root is
     * the base URL, and its endpoint chooses `api`.
     */
    base_url: z.url().optional(),
    /** Same as `base_url` (LiteLLM's and Evalchemy's curator spelling). */
    api_base: z.url().optional(),
    /** API key. Default `OPENAI_API_KEY`; local servers without authentication get the placeholder `EMPTY`. */
    api_key: z.string().optional(),
    /** Which endpoint generation uses: `chat` (/chat/completions) or `completions` (/completions). */
    api: z.enum(['chat', 'completions']).optional(),
    /** Retries after a retryable failure (408/409/5xx, timeout, reset, malformed JSON); 429 is the runner's. */
    max_retries: z.coerce.number().int().min(0).default(5),
    /** Timeout of one HTTP attempt, in milliseconds. Default 600000. */
    timeout_ms: z.coerce.number().int().positive().optional(),
    /** Timeout of one HTTP attempt, in seconds (lm-evaluation-harness's `timeout`). */
    timeout: z.coerce.number().positive().optional(),
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
    /** Same as `concurrency` (lm-evaluation-harness's spelling). */
    num_concurrent: z.coerce.number().int().positive().optional(),
    /**
     * lm-evaluation-harness's choice of sending token ids instead of text. Text is always sent here: `False` is
     * what happens, `True` is a warning.
     */
    tokenized_requests: flag.optional(),
    /** lm-evaluation-harness's checkpoint revision: a served model has none to choose, so it is a warning. */
    revision: z.string().min(1).optional(),
    /**
     * Name of the generation-length parameter. Default `max_tokens`, except `max_completion_tokens` for OpenAI
     * reasoning models (o1, o3, o4, gpt-5), which reject `max_tokens`.
     */
    max_tokens_parameter: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  })
  .superRefine((options, context) => {
    const pairs = [
      ['model', 'pretrained'],
      ['base_url', 'api_base'],
      ['concurrency', 'num_concurrent'],
      ['timeout_ms', 'timeout'],
    ] as const;
    for (const [name, alias] of pairs) {
      if (options[name] !== undefined && options[alias] !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [alias],
          message: `give either ${name} or ${alias}, not both (${alias} is lm-evaluation-harness's spelling of ${name})`,
        });
      }
    }
    if (options.model === undefined && options.pretrained === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['model'],
        message: 'give the model as model=NAME (or pretrained=NAME)',
      });
    }
    const url = options.base_url ?? options.api_base;
    const endpoint = url === undefined ? undefined : splitEndpointUrl(url).api;
    if (endpoint !== undefined && options.api !== undefined && options.api !== endpoint) {
      context.addIssue({
        code: 'custom',
        path: ['api'],
        message: `api=${options.api}, but base_url is the ${endpoint === 'chat' ? '/chat/completions' : '/completions'} endpoint: give one of them`,
      });
    }
  })
  // Rewritten in place (not a transform) so the schema keeps its shape, which names the accepted keys; and one
  // spelling only reaches the results identity, so `pretrained=X` and `model=X` are one setup.
  .overwrite(({ pretrained, api_base, num_concurrent, timeout, ...options }) => {
    const url = options.base_url ?? api_base;
    const endpoint = url === undefined ? undefined : splitEndpointUrl(url);
    return {
      ...options,
      model: options.model ?? pretrained,
      ...(endpoint !== undefined ? { base_url: endpoint.root } : {}),
      api: options.api ?? endpoint?.api ?? 'chat',
      timeout_ms: options.timeout_ms ?? (timeout !== undefined ? Math.round(timeout * 1000) : 600_000),
      ...((options.concurrency ?? num_concurrent) !== undefined
        ? { concurrency: options.concurrency ?? num_concurrent }
        : {}),
    };
  });

/** Parsed options of the openai backend (`model`, `api` and `timeout_ms` always set: aliases are folded in). */
export type OpenAIOptions = z.output<typeof openAIOptionsSchema> & {
  model: string;
  api: 'chat' | 'completions';
  timeout_ms: number;
};
/** Options as a caller may write them (defaults may be left out). */
export type OpenAIOptionsInput = z.input<typeof openAIOptionsSchema>;
