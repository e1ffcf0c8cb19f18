import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createOfflineDatasetResolver } from '@evalchemy/test-kit';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { expect, it } from 'vitest';
import { loadTasks, wildBenchTestFile } from './wildbench-data.js';

// The Hub's v2 file is a parquet written by `datasets` (pyarrow): `conversation_input` a list of structs, the
// checklist and the tags lists of strings. One synthetic row in that layout, read the way the runner reads it.
function fixtureParquet(): Buffer {
  const text = (name: string) =>
    ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
  const stringList = (name: string) =>
    [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      text('element'),
    ] as const;
  const buffer = parquetWriteBuffer({
    schema: [
      { name: 'schema', num_children: 5 },
      text('session_id'),
      { name: 'conversation_input', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
      text('content'),
      text('role'),
      ...stringList('checklist'),
      text('primary_tag'),
      ...stringList('secondary_tags'),
    ],
    columnData: [
      { name: 'session_id', data: ['wb-parquet-01'] },
      {
        name: 'conversation_input',
        data: [
          [
            { content: 'Name a prime.', role: 'user' },
            { content: '7.', role: 'assistant' },
            { content: 'Another one?', role: 'user' },
          ],
        ],
      },
      { name: 'checklist', data: [['Is the number prime?']] },
      { name: 'primary_tag', data: ['Math'] },
      { name: 'secondary_tags', data: [['Reasoning']] },
    ],
  } as Parameters<typeof parquetWriteBuffer>[0]);
  return Buffer.from(buffer);
}

it('reads the v2 parquet layout: history, last query, checklist and categories', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'wildbench-parquet-'));
  const bytes = fixtureParquet();
  mkdirSync(dirname(join(directory, wildBenchTestFile.offlinePath)), { recursive: true });
  writeFileSync(join(directory, wildBenchTestFile.offlinePath), bytes);
  const file = { ...wildBenchTestFile, sha256: createHash('sha256').update(bytes).digest('hex') };
  const [task] = await loadTasks(createOfflineDatasetResolver(directory), file);
  expect(task).toEqual({
    sessionId: 'wb-parquet-01',
    index: 0,
    history: [
      { role: 'user', content: 'Name a prime.' },
      { role: 'assistant', content: '7.' },
    ],
    lastQuery: 'Another one?',
    checklist: ['Is the number prime?'],
    primaryTag: 'Math',
    secondaryTags: ['Reasoning'],
    categories: ['Planning & Reasoning', 'Math & Data Analysis'],
  });
});
