import {
  backendLimitOptionsShape,
  foldHarnessOptions,
  harnessOptionProblems,
  harnessOptionsShape,
} from '@evalchemy/core';
import { z } from 'zod';

/** `true`/`false` as typed on the command line (`z.coerce.boolean` would read `false` as true). */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/**
 * `--model_args` of the gemini backend. Values arrive as strings from the command line; numbers are coerced.
 * `api_key` falls back to `GEMINI_API_KEY`, then `GOOGLE_API_KEY`; `base_url` to `GEMINI_BASE_URL`.
 */
export const geminiOptionsSchema = z
  .object({
    ...backendLimitOptionsShape,
    /** lm-evaluation-harness's `pretrained`, `num_concurrent`, `timeout` (seconds), `tokenized_requests`, `revision`. */
    ...harnessOptionsShape,
    /** Model name as Google knows it (`gemini-2.0-flash`, `gemini-2.5-pro`). */
    model: z
      .string()
      .min(1)
      .refine((model) => !/\.\.|[?&]/.test(model), 'a model name without "..", "?" or "&"')
      .optional(),
    /** API key (Gemini API; on Vertex AI only for express mode). Default `GEMINI_API_KEY`, else `GOOGLE_API_KEY`. */
    api_key: z.string().min(1).optional(),
    /** Server root without the API version (`https://generativelanguage.googleapis.com`). Default `GEMINI_BASE_URL`. */
    base_url: z.url().optional(),
    /** Use Vertex AI instead of the Gemini API. Default: true when `project_id` is given. */
    vertexai: flag.optional(),
    /** Google Cloud project for Vertex AI. Default `GOOGLE_CLOUD_PROJECT` when `vertexai=true`. */
    project_id: z.string().min(1).optional(),
    /** Vertex AI location (`us-central1`, `europe-west4`, `global`). Default `GOOGLE_CLOUD_LOCATION`, else `global`. */
    location: z.string().min(1).optional(),
    /** API version in the URL (`v1`, `v1beta`; Vertex `v1`, `v1beta1`). Default: the SDK's. */
    api_version: z
      .string()
      .regex(/^v\d+[a-z0-9]*$/, 'an API version such as v1 or v1beta')
      .optional(),
    /**
     * Ask for per-token log-probabilities when a request wants them (`responseLogprobs`). Off by default: most
     * Gemini API models refuse them ("Logprobs is not supported for the current model"); turn it on for a model
     * that accepts them (several do on Vertex AI).
     */
    logprobs: flag.default(false),
    /** Thinking tokens a thinking model may spend (`thinkingConfig.thinkingBudget`; 0 turns thinking off where allowed). */
    thinking_budget: z.coerce.number().int().min(-1).optional(),
    /** Retries after a transient failure (408, 409, 5xx, timeout, reset, malformed answer); never after a 429. */
    max_retries: z.coerce.number().int().min(0).default(5),
    /** Timeout of one HTTP attempt, in milliseconds. */
    timeout_ms: z.coerce.number().int().positive().optional(),
    /** Concurrent requests the runner may send (`capabilities.maxConcurrency`). Default: no bound. */
    concurrency: z.coerce.number().int().positive().optional(),
  })
  .superRefine((options, context) => {
    for (const problem of harnessOptionProblems(options)) {
      context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
    }
    // `pretrained` becomes the model, which goes into the request's URL path: the same check as `model`'s.
    if (options.pretrained !== undefined && /\.\.|[?&]/.test(options.pretrained)) {
      context.addIssue({
        code: 'custom',
        path: ['pretrained'],
        message: 'a model name without "..", "?" or "&"',
      });
    }
  })
  // Rewritten in place (not a transform) so the schema keeps its shape, which names the accepted keys.
  .overwrite((options) => foldHarnessOptions(options, 600_000));

/** Parsed options of the gemini backend (`model` and `timeout_ms` always set: lm-eval's spellings are folded in). */
export type GeminiOptions = z.output<typeof geminiOptionsSchema> & { model: string; timeout_ms: number };
/** Options as a caller may write them (defaults may be left out). */
export type GeminiOptionsInput = z.input<typeof geminiOptionsSchema>;
