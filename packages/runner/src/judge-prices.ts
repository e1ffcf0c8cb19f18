/** A model's price in US dollars per million tokens. */
export interface TokenPrice {
  input: number;
  output: number;
}

/** The date the built-in prices were taken from the provider's published price list. */
export const builtInPricesDate = '2025-04';

/**
 * List prices of the judge models the reference implementations use (OpenAI's published per-token prices for
 * these snapshots, US dollars per million tokens). A run's `judge_prices` setting overrides or extends them;
 * a model in neither has no cost in the results (null), never a guess.
 */
export const builtInJudgePrices: Readonly<Record<string, TokenPrice>> = {
  'gpt-4': { input: 30, output: 60 },
  'gpt-4-0314': { input: 30, output: 60 },
  'gpt-4-0613': { input: 30, output: 60 },
  'gpt-4-1106-preview': { input: 10, output: 30 },
  'gpt-4-0125-preview': { input: 10, output: 30 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4-turbo-2024-04-09': { input: 10, output: 30 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'gpt-4o-2024-08-06': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-2025-04-14': { input: 2, output: 8 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o-mini-2024-07-18': { input: 0.15, output: 0.6 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-3.5-turbo-0125': { input: 0.5, output: 1.5 },
};

/** The price of a model and where it comes from: the user's prices first, then the built-in list. */
export function priceOf(
  modelId: string,
  userPrices: Readonly<Record<string, TokenPrice>> | undefined,
): { price: TokenPrice; source: string } | undefined {
  const user = userPrices?.[modelId];
  if (user !== undefined) return { price: user, source: 'config' };
  const builtIn = builtInJudgePrices[modelId];
  if (builtIn !== undefined) return { price: builtIn, source: `built-in (${builtInPricesDate})` };
  return undefined;
}

/** Dollars for the tokens of the requests sent, rounded to a millionth of a dollar. */
export function costOf(price: TokenPrice, promptTokens: number, completionTokens: number): number {
  return Math.round(promptTokens * price.input + completionTokens * price.output) / 1e6;
}
