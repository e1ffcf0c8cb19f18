import { describe, expect, it } from 'vitest';
import { stableStringify } from './stable-json.js';

/** The definition: JSON.stringify with every object's keys sorted (the cache keys of earlier runs). */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(
      Object.keys(item)
        .sort()
        .map((key) => [key, (item as Record<string, unknown>)[key]]),
    );
  });
}

describe('stableStringify', () => {
  const values: unknown[] = [
    {
      type: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Grüße, "quoted" \\ 世界 \n\u2028' },
      ],
      parameters: { temperature: 0, maxTokens: 16, stop: ['\n\n', 'Q:'], topP: undefined, seed: 3 },
      origin: { generation: 0 },
    },
    { b: 1, a: { d: [3, { z: null, y: -0.5e-7 }], c: undefined, f: () => 1 }, s: Symbol('x') },
    [undefined, () => 1, NaN, Infinity, 1e21, -0, true, 'x', [], {}],
    { when: new Date(0), nested: { toJSON: () => ({ z: 1, a: 2 }) } },
    'plain string',
    42,
    null,
    [],
    {},
  ];

  it('gives the text of JSON.stringify with sorted keys, so cache keys stay the same', () => {
    for (const value of values) expect(stableStringify(value)).toBe(sortedJson(value));
  });

  it('gives equal text for objects that differ only in key order', () => {
    expect(stableStringify({ a: 1, b: { c: 2, d: 3 } })).toBe(stableStringify({ b: { d: 3, c: 2 }, a: 1 }));
  });
});
