import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeDatasetRows, parseDatasetRows } from './dataset-rows.js';
import { DatasetError } from './errors.js';
import type { DatasetFileV1 } from './v1/dataset.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('decodeDatasetRows', () => {
  it('reads JSONL, skipping blank lines, and gzipped JSONL', async () => {
    const text = '{"a":1}\n\n{"a":2}\n';
    expect(await decodeDatasetRows(bytes(text), 'x.jsonl')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await decodeDatasetRows(gzipSync(text), 'x.jsonl.gz')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reads a JSON array', async () => {
    expect(await decodeDatasetRows(bytes('[{"a":1},{"b":"c"}]'), 'x.json')).toEqual([{ a: 1 }, { b: 'c' }]);
  });

  it('reads headerless CSV with given columns, quotes and embedded newlines included (MMLU style)', async () => {
    const csv = '"Which is ""prime""?",2,4,6,8,A\nSecond,"line\nbreak",b,c,d,B\n';
    const rows = await decodeDatasetRows(bytes(csv), 'x.csv', {
      csvColumns: ['question', 'A', 'B', 'C', 'D', 'answer'],
    });
    expect(rows).toEqual([
      { question: 'Which is "prime"?', A: '2', B: '4', C: '6', D: '8', answer: 'A' },
      { question: 'Second', A: 'line\nbreak', B: 'b', C: 'c', D: 'd', answer: 'B' },
    ]);
  });

  it('takes the given format over the name', async () => {
    expect(await decodeDatasetRows(bytes('{"a":1}\n'), 'data.txt', { format: 'jsonl' })).toEqual([{ a: 1 }]);
  });

  it('names the file and line of malformed JSONL', async () => {
    await expect(decodeDatasetRows(bytes('{"a":1}\n{oops\n'), 'bad.jsonl')).rejects.toThrow(
      /bad\.jsonl.*line 2/,
    );
  });

  it('names a file whose format it cannot tell, or whose gzip is broken', async () => {
    await expect(decodeDatasetRows(bytes('a'), 'data.txt')).rejects.toSatisfy(DatasetError.isInstance);
    await expect(decodeDatasetRows(bytes('not gzip'), 'x.jsonl.gz')).rejects.toThrow(
      /Could not read x\.jsonl\.gz as jsonl/,
    );
  });
});

describe('parseDatasetRows', () => {
  const file = {
    hub: { repository: 'org/data', revision: 'main', path: 'test.jsonl' },
    offlinePath: 'data/test.jsonl',
    sha256: {},
  } as DatasetFileV1;
  const schema = z.object({ question_id: z.number(), turns: z.array(z.string()) });

  it('returns the rows as the schema parses them', () => {
    expect(parseDatasetRows([{ question_id: 81, turns: ['a'], extra: true }], schema, file)).toEqual([
      { question_id: 81, turns: ['a'] },
    ]);
  });

  it('names the file, the 1-based row and every mismatch of a malformed row', () => {
    const rows = [
      { question_id: 81, turns: ['a'] },
      { question_id: '82', turns: [1] },
    ];
    expect(() => parseDatasetRows(rows, schema, file)).toThrow(
      /^data\/test\.jsonl row 2 is not in the expected shape: question_id: .*number.*; turns\.0: .*string/,
    );
    expect(() => parseDatasetRows(rows, schema, file)).toThrow(DatasetError);
  });
});
