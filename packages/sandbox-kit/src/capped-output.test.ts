import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CappedOutput } from './capped-output.js';

describe('CappedOutput', () => {
  it('keeps everything and is not truncated when the stream fits', async () => {
    const output = new CappedOutput(11);
    await output.collect(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(output.text()).toBe('hello world');
    expect(output.truncated).toBe(false);
  });

  it('keeps the first N bytes, cutting the chunk that crosses the limit, and sets truncated', async () => {
    const output = new CappedOutput(8);
    await output.collect(Readable.from([Buffer.from('hello '), Buffer.from('world'), Buffer.from('!')]));
    expect(output.text()).toBe('hello wo');
    expect(output.truncated).toBe(true);
  });

  it('drains a stream far longer than the limit to its end', async () => {
    let produced = 0;
    const stream = Readable.from(
      (function* () {
        for (; produced < 1000; produced++) yield Buffer.alloc(1024, 'x');
      })(),
    );
    const output = new CappedOutput(10);
    await output.collect(stream);
    expect(produced).toBe(1000);
    expect(stream.readableEnded).toBe(true);
    expect(output.text()).toBe('x'.repeat(10));
    expect(output.truncated).toBe(true);
  });

  it('keeps nothing with a limit of 0 but still reports truncation', () => {
    const output = new CappedOutput(0);
    output.push(Buffer.from('a'));
    expect(output.text()).toBe('');
    expect(output.truncated).toBe(true);
  });

  it('resolves with what it has when the stream fails', async () => {
    const stream = new Readable({ read() {} });
    const collected = new CappedOutput(100).collect(stream);
    stream.push(Buffer.from('partial'));
    stream.destroy(new Error('pipe broke'));
    await expect(collected).resolves.toBeUndefined();
  });

  it('resolves at once for a missing stream', async () => {
    const output = new CappedOutput(100);
    await output.collect(null);
    await output.collect(undefined);
    expect(output.text()).toBe('');
    expect(output.truncated).toBe(false);
  });
});
