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
