import {
  backendLimitOptionsShape,
  foldHarnessOptions,
  harnessOptionProblems,
  harnessOptionsShape,
} from '@evalchemy/core';
import { z } from 'zod';

/**
 * `--model_args` of the anthropic backend. Values arrive as strings from the command line; numbers are coerced.
 * `api_key` and `base_url` fall back to `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`.
 */
export const anthropicOptionsSchema = z
  .object({
    ...backendLimitOptionsShape,
    /** lm-evaluation-harness's `pretrained`, `num_concurrent`, `timeout` (seconds), `tokenized_requests`, `revision`. */
    ...harnessOptionsShape,
    /** Model name as the API knows it (`claude-sonnet-4-6`, `claude-opus-4-8`). */
    model: z.string().min(1).optional(),
    /** API key. Default `ANTHROPIC_API_KEY`; required for api.anthropic.com. */
    api_key: z.string().optional(),
    /** Server root (the SDK appends `/v1/messages`). Default `ANTHROPIC_BASE_URL`, else https://api.anthropic.com. */
    base_url: z.url().optional(),
    /** `max_tokens` sent when a request sets no `maxTokens` (the Messages API requires one). */
    max_tokens: z.coerce.number().int().positive().default(4096),
    /** Retries after 408/409/5xx (except 529), timeouts, connection resets and malformed answers. */
    max_retries: z.coerce.number().int().min(0).default(5),
    /** Timeout of one HTTP attempt, in milliseconds. */
    timeout_ms: z.coerce.number().int().positive().optional(),
    /** Concurrent requests the runner may send (`capabilities.maxConcurrency`). Default: no bound. */
    concurrency: z.coerce.number().int().positive().optional(),
    /** `anthropic-version` header sent instead of the SDK's own (an API version such as `2023-06-01`). */
    anthropic_version: z.string().min(1).optional(),
  })
  .superRefine((options, context) => {
    for (const problem of harnessOptionProblems(options)) {
      context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
    }
  })
  // Rewritten in place (not a transform) so the schema keeps its shape, which names the accepted keys.
  .overwrite((options) => foldHarnessOptions(options, 600_000));

/** Parsed options of the anthropic backend (`model` and `timeout_ms` always set: lm-eval's spellings are folded in). */
export type AnthropicOptions = z.output<typeof anthropicOptionsSchema> & {
  model: string;
  timeout_ms: number;
};
/** Options as a caller may write them (defaults may be left out). */
export type AnthropicOptionsInput = z.input<typeof anthropicOptionsSchema>;
