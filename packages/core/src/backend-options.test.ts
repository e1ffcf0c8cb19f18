import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  backendLimitsOf,
  foldHarnessOptions,
  harnessOptionProblems,
  harnessOptionsShape,
  harnessOptionWarnings,
} from './backend-options.js';
import { BackendCallError, ConfigurationError, retryAfterMsOf } from './errors.js';
import { parsePluginOptions } from './options.js';

describe('backendLimitsOf', () => {
  it('turns price and rate options into the backend price and capabilities', () => {
    expect(
      backendLimitsOf({ price_input: 3, price_output: 15, requests_per_minute: 50, tokens_per_minute: 1e5 }),
    ).toEqual({
      price: { input: 3, output: 15 },
      capabilities: { requestsPerMinute: 50, tokensPerMinute: 1e5 },
    });
    expect(backendLimitsOf({})).toEqual({ capabilities: {} });
  });

  it('refuses half a price, naming the missing half', () => {
    expect(() => backendLimitsOf({ price_input: 3 })).toThrow(ConfigurationError);
    expect(() => backendLimitsOf({ price_input: 3 })).toThrow(/price_output is missing/);
  });
});

describe('retryAfterMsOf', () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  it('reads retry-after-ms first, then retry-after in seconds or as a date', () => {
    expect(retryAfterMsOf(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMsOf(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(
      retryAfterMsOf(headers({ 'retry-after': 'Wed, 02 Dec 2026 12:00:05 GMT' }), Date.UTC(2026, 11, 2, 12)),
    ).toBe(5000);
    expect(retryAfterMsOf(headers({}))).toBeUndefined();
    expect(retryAfterMsOf(headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });

  it('marks a 429 as rate-limited by default, and a 529 when the backend says so', () => {
    expect(new BackendCallError('x', { statusCode: 429 }).rateLimited).toBe(true);
    expect(new BackendCallError('x', { statusCode: 503 }).rateLimited).toBe(false);
    expect(new BackendCallError('x', { statusCode: 529, rateLimited: true, retryAfterMs: 10 })).toMatchObject(
      {
        rateLimited: true,
        retryAfterMs: 10,
        isRetryable: true,
      },
    );
  });
});

describe("lm-evaluation-harness's model_args on an API backend", () => {
  const schema = z
    .object({
      ...harnessOptionsShape,
      model: z.string().optional(),
      concurrency: z.coerce.number().optional(),
      timeout_ms: z.coerce.number().optional(),
    })
    .superRefine((options, context) => {
      for (const problem of harnessOptionProblems(options))
        context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
    })
    .overwrite((options) => foldHarnessOptions(options, 600_000));

  it('folds pretrained, num_concurrent and timeout (seconds) into the backend options', () => {
    expect(
      parsePluginOptions(
        schema,
        { pretrained: 'm', num_concurrent: '4', timeout: '30', tokenized_requests: 'False' },
        'x',
      ),
    ).toEqual({ model: 'm', concurrency: 4, timeout_ms: 30_000, tokenized_requests: false });
    expect(parsePluginOptions(schema, { model: 'm' }, 'x')).toEqual({ model: 'm', timeout_ms: 600_000 });
  });

  it('refuses both spellings of one option, and no model', () => {
    expect(() => parsePluginOptions(schema, { model: 'm', pretrained: 'n' }, 'x')).toThrow(
      /give either model or pretrained/,
    );
    expect(() => parsePluginOptions(schema, {}, 'x')).toThrow(/give the model as model=NAME/);
    expect(() => parsePluginOptions(schema, { model: 'm', unknown_key: '1' }, 'x')).toThrow(
      /unknown option "unknown_key"/,
    );
  });

  it('warns for tokenized_requests=True and a revision', () => {
    expect(harnessOptionWarnings('anthropic', { tokenized_requests: true, revision: 'main' })).toEqual([
      expect.stringMatching(/tokenized_requests=True cannot be honoured/),
      expect.stringMatching(/revision=main has no effect/),
    ]);
    expect(harnessOptionWarnings('anthropic', { tokenized_requests: false })).toEqual([]);
  });
});
