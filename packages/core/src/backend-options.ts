import { z } from 'zod';
import { ConfigurationError } from './errors.js';
import type { BackendCapabilitiesV1, TokenPriceV1 } from './v1/backend.js';

/**
 * `--model_args` every backend that calls a priced or rate-limited API accepts, spread into its options
 * schema (`z.object({ ...backendLimitOptionsShape, model: … })`). They never change answers: list
 * `backendLimitOptionNames` in the provider's `answerNeutralOptions`.
 */
export const backendLimitOptionsShape = {
  /** US dollars per million prompt tokens: with `price_output`, replaces the runner's price table. */
  price_input: z.coerce.number().nonnegative().optional(),
  /** US dollars per million completion tokens. */
  price_output: z.coerce.number().nonnegative().optional(),
  /** US dollars per million prompt tokens served from the provider's prompt cache. Default `price_input`. */
  price_cached_input: z.coerce.number().nonnegative().optional(),
  /** Requests per minute the runner starts at most (the provider's limit for your key). */
  requests_per_minute: z.coerce.number().positive().optional(),
  /** Prompt plus completion tokens per minute the runner spends at most. */
  tokens_per_minute: z.coerce.number().positive().optional(),
};

export const backendLimitOptionNames = [
  'price_input',
  'price_output',
  'price_cached_input',
  'requests_per_minute',
  'tokens_per_minute',
] as const satisfies readonly (keyof typeof backendLimitOptionsShape)[];

export type BackendLimitOptions = {
  [Key in keyof typeof backendLimitOptionsShape]?: number | undefined;
};

/**
 * The backend's `price` (when both `price_input` and `price_output` are given) and its rate-limit
 * capabilities from the options above. A price with one half only is a `ConfigurationError` naming the missing
 * half.
 */
export function backendLimitsOf(options: BackendLimitOptions): {
  price?: TokenPriceV1;
  capabilities: Pick<BackendCapabilitiesV1, 'requestsPerMinute' | 'tokensPerMinute'>;
} {
  const { price_input, price_output, price_cached_input, requests_per_minute, tokens_per_minute } = options;
  if ((price_input === undefined) !== (price_output === undefined)) {
    throw new ConfigurationError(
      `backend option ${price_input === undefined ? 'price_input' : 'price_output'} is missing: give ` +
        'price_input and price_output together (US dollars per million tokens).',
    );
  }
  return {
    ...(price_input !== undefined && price_output !== undefined
      ? {
          price: {
            input: price_input,
            output: price_output,
            ...(price_cached_input !== undefined ? { cachedInput: price_cached_input } : {}),
          },
        }
      : {}),
    capabilities: {
      ...(requests_per_minute !== undefined ? { requestsPerMinute: requests_per_minute } : {}),
      ...(tokens_per_minute !== undefined ? { tokensPerMinute: tokens_per_minute } : {}),
    },
  };
}

/** `true`/`false` from the command line (`True`/`False`, as lm-evaluation-harness writes them) or a boolean. */
const harnessFlag = z.union([z.boolean(), z.stringbool()]);

/**
 * lm-evaluation-harness's and Evalchemy's `--model_args` spellings that an API backend accepts beside its own
 * (`model`, `concurrency`, `timeout_ms`), spread into its options schema; `foldHarnessOptions` (in the schema's
 * `overwrite`) folds them into the backend's own, and `harnessOptionWarnings` says what cannot be honoured.
 */
export const harnessOptionsShape = {
  /** Same as `model`. */
  pretrained: z.string().min(1).optional(),
  /** Same as `concurrency`. */
  num_concurrent: z.coerce.number().int().positive().optional(),
  /** Timeout of one HTTP attempt, in seconds (as `timeout_ms` × 1000). */
  timeout: z.coerce.number().positive().optional(),
  /** Sending token ids instead of text: text is always sent (`False`); `True` is a warning. */
  tokenized_requests: harnessFlag.optional(),
  /** A checkpoint revision: an API serves the model it serves, so it is a warning. */
  revision: z.string().min(1).optional(),
};

/** The options of `harnessOptionsShape` that never change answers: list them in `answerNeutralOptions`. */
export const harnessOptionNames = ['tokenized_requests', 'revision'] as const;

interface HarnessOptionValues {
  model?: string | undefined;
  pretrained?: string | undefined;
  concurrency?: number | undefined;
  num_concurrent?: number | undefined;
  timeout_ms?: number | undefined;
  timeout?: number | undefined;
}

/** An option given in both spellings, or no model at all: the problems, for the schema's `superRefine`. */
export function harnessOptionProblems(options: HarnessOptionValues): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const [name, alias] of [
    ['model', 'pretrained'],
    ['concurrency', 'num_concurrent'],
    ['timeout_ms', 'timeout'],
  ] as const) {
    if (options[name] !== undefined && options[alias] !== undefined) {
      problems.push({
        path: alias,
        message: `give either ${name} or ${alias}, not both (${alias} is lm-evaluation-harness's spelling)`,
      });
    }
  }
  if (options.model === undefined && options.pretrained === undefined) {
    problems.push({ path: 'model', message: 'give the model as model=NAME (or pretrained=NAME)' });
  }
  return problems;
}

/** The options with lm-evaluation-harness's spellings folded into the backend's own (`timeout_ms` always set). */
export function foldHarnessOptions<Options extends HarnessOptionValues>(
  options: Options,
  defaultTimeoutMs: number,
): Options {
  const { pretrained, num_concurrent, timeout, ...rest } = options;
  const concurrency = rest.concurrency ?? num_concurrent;
  return {
    ...rest,
    model: rest.model ?? pretrained,
    timeout_ms: rest.timeout_ms ?? (timeout !== undefined ? Math.round(timeout * 1000) : defaultTimeoutMs),
    ...(concurrency !== undefined ? { concurrency } : {}),
  } as Options;
}

/** What an API backend cannot honour of `harnessOptionsShape`, one warning each. */
export function harnessOptionWarnings(
  backend: string,
  options: { tokenized_requests?: boolean | undefined; revision?: string | undefined },
): string[] {
  return [
    ...(options.tokenized_requests === true
      ? [
          `backend ${backend}: tokenized_requests=True cannot be honoured: requests carry text, which the API tokenizes (as tokenized_requests=False).`,
        ]
      : []),
    ...(options.revision !== undefined
      ? [
          `backend ${backend}: revision=${options.revision} has no effect: the API decides which checkpoint it serves.`,
        ]
      : []),
  ];
}
