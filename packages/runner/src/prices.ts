import type { BackendV1, TokenPriceV1 } from '@evalchemy/core';

/** The month the built-in prices were taken from the providers' published price lists. */
export const builtInPricesDate = '2025-11';

/**
 * List prices in US dollars per million tokens (input, cached input where the provider has a prompt cache,
 * output) of current OpenAI, Anthropic and Gemini models and of the judges the reference implementations use,
 * by the model id the API takes. Dated snapshots (`gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`,
 * `claude-3-5-sonnet@20240620`) take their family's price unless listed themselves. Gemini's prices are those
 * of prompts up to 200 000 tokens (longer prompts cost more); batch and priority tiers are not covered. A
 * backend's `price_input`/`price_output` and the config's `judge_prices` override these; a model in none of
 * them has no cost in the results (null), never a guess.
 */
export const builtInPrices: Readonly<Record<string, TokenPriceV1>> = {
  // OpenAI: https://platform.openai.com/docs/pricing
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  'o1-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-4-1106-preview': { input: 10, output: 30 },
  'gpt-4-0125-preview': { input: 10, output: 30 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  // Anthropic: https://www.anthropic.com/pricing (cached input: cache reads)
  'claude-opus-4-5': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-opus-4-1': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-opus-4': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-sonnet-4': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-haiku-4-5': { input: 1, cachedInput: 0.1, output: 5 },
  'claude-3-7-sonnet': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-3-5-sonnet': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, cachedInput: 0.08, output: 4 },
  'claude-3-opus': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-3-haiku': { input: 0.25, cachedInput: 0.03, output: 1.25 },
  // Gemini: https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens)
  'gemini-2.5-pro': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gemini-2.5-flash': { input: 0.3, cachedInput: 0.03, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, cachedInput: 0.01, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
};

/** A price and where it comes from, as the results file records it. */
export interface PricedModel {
  price: TokenPriceV1;
  /** `model_args` (the backend's own options), `config` (`judge_prices`), or `built-in (<date>)`. */
  source: string;
}

/**
 * The price of a backend's model: the backend's own (`price_input`/`price_output`, or a local backend's
 * zero), then the user's table by model id, then the built-in list (by id, then by the id without a snapshot
 * date or a provider prefix). Undefined when none knows the model.
 */
export function priceOf(
  backend: Pick<BackendV1, 'modelId' | 'price'>,
  userPrices?: Readonly<Record<string, TokenPriceV1>> | undefined,
): PricedModel | undefined {
  if (backend.price !== undefined) return { price: backend.price, source: 'model_args' };
  const user = userPrices?.[backend.modelId];
  if (user !== undefined) return { price: user, source: 'config' };
  const builtIn = builtInPrices[backend.modelId] ?? builtInPrices[modelFamily(backend.modelId)];
  if (builtIn !== undefined) return { price: builtIn, source: `built-in (${builtInPricesDate})` };
  return undefined;
}

/**
 * `gpt-4o-2024-08-06` → `gpt-4o`, `claude-sonnet-4-20250514` → `claude-sonnet-4`, `claude-3-5-sonnet@20240620`
 * → `claude-3-5-sonnet`, `models/gemini-2.5-pro` → `gemini-2.5-pro`, `gpt-4-0613` → `gpt-4`,
 * `claude-3-5-haiku-latest` → `claude-3-5-haiku`, `gemini-2.0-flash-001` → `gemini-2.0-flash`.
 */
function modelFamily(modelId: string): string {
  return modelId
    .replace(/^(models|openai|anthropic|gemini)\//, '')
    .replace(/(@\d{8}|-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{3,4}|-latest)$/, '');
}

/** US dollars for tokens at a price (unrounded: sums are rounded once, by `roundDollars`). */
export function costOf(
  price: TokenPriceV1,
  tokens: { promptTokens: number; completionTokens: number; cachedPromptTokens?: number | undefined },
): number {
  const cached = Math.min(tokens.cachedPromptTokens ?? 0, tokens.promptTokens);
  const dollarsTimesMillion =
    (tokens.promptTokens - cached) * price.input +
    cached * (price.cachedInput ?? price.input) +
    tokens.completionTokens * price.output;
  return dollarsTimesMillion / 1e6;
}

/** Dollars to a millionth of a dollar, as the results file gives them. */
export function roundDollars(dollars: number): number {
  return Math.round(dollars * 1e6) / 1e6;
}
