import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError, type DatasetFileV1 } from '@evalchemy/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOfflineDatasetResolver } from './offline-dataset-resolver.js';

const jsonl = '{"question":"1+1?","answer":"2"}\n{"question":"2+2?","answer":"4"}\n';
const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');
const file = (overrides: Partial<DatasetFileV1> = {}): DatasetFileV1 => ({
  hub: { repository: 'someone/tiny', revision: 'a'.repeat(40), path: 'data/test.parquet' },
  offlinePath: 'tiny/test.jsonl',
  sha256: { offline: sha256(jsonl), hub: 'b'.repeat(64) },
  ...overrides,
});

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'offline-datasets-'));
  await mkdir(join(directory, 'tiny'));
  await writeFile(join(directory, 'tiny', 'test.jsonl'), jsonl);
  await writeFile(join(directory, 'tiny', 'test.jsonl.gz'), gzipSync(jsonl));
  await writeFile(join(directory, 'tiny', 'rows.txt'), jsonl);
});

describe('createOfflineDatasetResolver', () => {
  it('resolves a file at its offlinePath and decodes its rows after checking the offline sha256', async () => {
    const resolver = createOfflineDatasetResolver(directory);
    expect(await resolver.resolve(file())).toEqual({
      path: join(directory, 'tiny/test.jsonl'),
      source: 'offline',
    });
    expect(await resolver.rows(file())).toEqual([
      { question: '1+1?', answer: '2' },
      { question: '2+2?', answer: '4' },
    ]);
  });

  it('decodes gzip and the offline format as the runner does', async () => {
    const resolver = createOfflineDatasetResolver(directory);
    const gzipped = gzipSync(jsonl);
    expect(
      await resolver.rows(file({ offlinePath: 'tiny/test.jsonl.gz', sha256: sha256(gzipped) })),
    ).toHaveLength(2);
    const named = file({ offlinePath: 'tiny/rows.txt', format: { offline: 'jsonl', hub: 'parquet' } });
    expect(await resolver.rows(named)).toHaveLength(2);
  });

  it('refuses a file whose sha256 is not the pinned one, naming both hashes', async () => {
    const resolver = createOfflineDatasetResolver(directory);
    const error = await resolver.rows(file({ sha256: 'c'.repeat(64) })).catch((caught: unknown) => caught);
    expect(DatasetError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`has sha256 ${sha256(jsonl)}, expected ${'c'.repeat(64)}`);
  });

  it('names a missing file, the directory and where the file comes from', async () => {
    const resolver = createOfflineDatasetResolver(directory);
    await expect(resolver.resolve(file({ offlinePath: 'tiny/missing.jsonl' }))).rejects.toThrow(
      `Dataset file tiny/missing.jsonl could not be read from ${directory} (ENOENT). Put the file there (source: someone/tiny@${'a'.repeat(40)}/data/test.parquet).`,
    );
  });
});
