import { describe, expect, it } from 'vitest';
import { builtInPricesDate, costOf, priceOf } from './prices.js';

const model = (modelId: string) => ({ modelId });

describe('priceOf', () => {
  it('finds dated snapshots and provider spellings under their family, unless listed themselves', () => {
    expect(priceOf(model('gpt-4o-2024-08-06'))?.price).toEqual({ input: 2.5, cachedInput: 1.25, output: 10 });
    expect(priceOf(model('gpt-4o-2024-05-13'))?.price).toEqual({ input: 5, output: 15 });
    expect(priceOf(model('claude-sonnet-4-20250514'))?.price).toMatchObject({ input: 3, output: 15 });
    expect(priceOf(model('claude-3-5-sonnet@20240620'))?.price).toMatchObject({ input: 3, output: 15 });
    expect(priceOf(model('models/gemini-2.5-flash'))?.price).toMatchObject({ input: 0.3, output: 2.5 });
    expect(priceOf(model('gpt-4-0613'))?.price).toEqual({ input: 30, output: 60 });
    expect(priceOf(model('gpt-4o'))?.source).toBe(`built-in (${builtInPricesDate})`);
  });

  it('knows no price for a model it does not list, rather than a guess', () => {
    expect(priceOf(model('meta-llama/Llama-3.1-8B-Instruct'))).toBeUndefined();
    expect(priceOf(model('gpt-4o-mini-tts'))).toBeUndefined();
  });

  it("takes the backend's own price first, then the user's table, then the list", () => {
    const own = { input: 1, output: 2 };
    expect(priceOf({ modelId: 'gpt-4o', price: own }, { 'gpt-4o': { input: 9, output: 9 } })).toEqual({
      price: own,
      source: 'model_args',
    });
    expect(priceOf(model('gpt-4o'), { 'gpt-4o': { input: 9, output: 9 } })?.source).toBe('config');
  });
});

describe('costOf', () => {
  it('prices cached prompt tokens at the cached price, the others at the input price', () => {
    const price = { input: 3, cachedInput: 0.3, output: 15 };
    expect(costOf(price, { promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 100 })).toBeCloseTo(
      (600 * 3 + 400 * 0.3 + 100 * 15) / 1e6,
      12,
    );
    expect(
      costOf({ input: 3, output: 15 }, { promptTokens: 10, cachedPromptTokens: 10, completionTokens: 0 }),
    ).toBeCloseTo(3e-5, 12);
  });
});
