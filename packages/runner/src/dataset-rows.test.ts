import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDatasetRows } from './dataset-rows.js';

async function write(name: string, content: string | Buffer): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'rows-')), name);
  await writeFile(path, content);
  return path;
}

describe('readDatasetRows', () => {
  it('reads JSONL, skipping blank lines, and gzipped JSONL', async () => {
    const text = '{"a":1}\n\n{"a":2}\n';
    expect(await readDatasetRows(await write('x.jsonl', text))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await readDatasetRows(await write('x.jsonl.gz', gzipSync(text)))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reads a JSON array', async () => {
    expect(await readDatasetRows(await write('x.json', '[{"a":1},{"b":"c"}]'))).toEqual([
      { a: 1 },
      { b: 'c' },
    ]);
  });

  it('reads headerless CSV with given columns, quotes and embedded newlines included (MMLU style)', async () => {
    const csv = '"Which is ""prime""?",2,4,6,8,A\nSecond,"line\nbreak",b,c,d,B\n';
    const rows = await readDatasetRows(await write('x.csv', csv), {
      csvColumns: ['question', 'A', 'B', 'C', 'D', 'answer'],
    });
    expect(rows).toEqual([
      { question: 'Which is "prime"?', A: '2', B: '4', C: '6', D: '8', answer: 'A' },
      { question: 'Second', A: 'line\nbreak', B: 'b', C: 'c', D: 'd', answer: 'B' },
    ]);
  });

  it('names the file and line of malformed JSONL', async () => {
    await expect(readDatasetRows(await write('bad.jsonl', '{"a":1}\n{oops\n'))).rejects.toThrow(
      /bad\.jsonl.*line 2/,
    );
  });
});
