import { appendFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
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

  it('returns what was stored, in the same run and in a later one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cache-'));
    const first = new ResponseCache({ directory, enabled: true });
    const stored = Object.fromEntries(
      Array.from({ length: 50 }, (_, index) => [
        ResponseCache.key({ index }),
        { text: `answer ${index} é\n"quoted"`, warnings: [] },
      ]),
    );
    await Promise.all(Object.entries(stored).map(([key, value]) => first.set(key, value)));
    expect(await first.get(ResponseCache.key({ index: 7 }))).toEqual(stored[ResponseCache.key({ index: 7 })]);
    await first.close();

    const second = new ResponseCache({ directory, enabled: true });
    for (const [key, value] of Object.entries(stored)) expect(await second.get(key)).toEqual(value);
    expect(await second.get(ResponseCache.key({ index: 'absent' }))).toBeUndefined();
    await second.close();
  });

  it('ignores a line torn by a writer that was killed, and keeps every whole one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cache-'));
    const cache = new ResponseCache({ directory, enabled: true });
    await cache.set(ResponseCache.key({ n: 1 }), 'whole');
    await cache.close();
    const [journal] = await readdir(directory);
    await appendFile(join(directory, journal!), `{"k":"${ResponseCache.key({ n: 2 })}","v":"tor`);

    const reader = new ResponseCache({ directory, enabled: true });
    expect(await reader.get(ResponseCache.key({ n: 1 }))).toBe('whole');
    expect(await reader.get(ResponseCache.key({ n: 2 }))).toBeUndefined();
    await reader.set(ResponseCache.key({ n: 2 }), 'rewritten');
    await reader.close();
    expect(await new ResponseCache({ directory, enabled: true }).get(ResponseCache.key({ n: 2 }))).toBe(
      'rewritten',
    );
  });

  it('skips a damaged entry and lines of garbage with warnings, and stores the entry anew', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cache-'));
    const cache = new ResponseCache({ directory, enabled: true });
    await cache.set(ResponseCache.key({ n: 1 }), 'whole');
    await cache.set(ResponseCache.key({ n: 2 }), 'damaged');
    await cache.close();
    const [journal] = await readdir(directory);
    const path = join(directory, journal!);
    await writeFile(path, `${(await readFile(path, 'utf8')).replace('"damaged"}', '{"tru')}garbage\n`);

    const warnings: string[] = [];
    const log = { info() {}, debug() {}, warn: (message: string) => warnings.push(message) };
    const reader = new ResponseCache({ directory, enabled: true, log });
    expect(await reader.get(ResponseCache.key({ n: 1 }))).toBe('whole');
    expect(await reader.get(ResponseCache.key({ n: 2 }))).toBeUndefined();
    expect(warnings).toEqual([
      `Response cache: 1 unreadable line in ${path} skipped.`,
      expect.stringMatching(
        /^Response cache: the entry at byte \d+ of .* is unreadable; it is skipped and its request sent again\.$/,
      ),
    ]);
    await reader.set(ResponseCache.key({ n: 2 }), 'stored anew');
    await reader.close();
    expect(await new ResponseCache({ directory, enabled: true }).get(ResponseCache.key({ n: 2 }))).toBe(
      'stored anew',
    );
  });

  it('neither reads nor writes when disabled (--no_cache)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cache-'));
    const enabled = new ResponseCache({ directory, enabled: true });
    await enabled.set(ResponseCache.key({ x: 2 }), 'stored');
    await enabled.close();
    const disabled = new ResponseCache({ directory, enabled: false });
    expect(await disabled.get(ResponseCache.key({ x: 2 }))).toBeUndefined();
    await disabled.set(ResponseCache.key({ x: 3 }), 'not stored');
    const [journal] = await readdir(directory);
    expect((await readFile(join(directory, journal!), 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
