import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResponseCache } from './response-cache.js';

describe('ResponseCache', () => {
  it('gives equal keys for equal requests whatever the key order, and different keys otherwise', () => {
    const a = ResponseCache.key({
      model: 'm',
      request: { messages: [{ role: 'user', content: 'hi' }], parameters: { temperature: 0, seed: 1 } },
    });
    const b = ResponseCache.key({
      request: { parameters: { seed: 1, temperature: 0 }, messages: [{ content: 'hi', role: 'user' }] },
      model: 'm',
    });
    const c = ResponseCache.key({
      model: 'm',
      request: { messages: [{ role: 'user', content: 'hi' }], parameters: { temperature: 0, seed: 2 } },
    });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('returns what was stored, across instances, and leaves no temporary files', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cache-'));
    const key = ResponseCache.key({ x: 1 });
    await new ResponseCache({ directory, enabled: true }).set(key, { text: 'answer', warnings: [] });
    expect(await new ResponseCache({ directory, enabled: true }).get(key)).toEqual({
      text: 'answer',
      warnings: [],
    });
    expect(await readdir(join(directory, key.slice(0, 2)))).toEqual([`${key}.json`]);
  });

  it('neither reads nor writes when disabled (--no_cache)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cache-'));
    const key = ResponseCache.key({ x: 2 });
    await new ResponseCache({ directory, enabled: true }).set(key, 'stored');
    const disabled = new ResponseCache({ directory, enabled: false });
    expect(await disabled.get(key)).toBeUndefined();
    await disabled.set(ResponseCache.key({ x: 3 }), 'not stored');
    expect(await readdir(directory)).toEqual([key.slice(0, 2)]);
  });
});
