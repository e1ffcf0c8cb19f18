import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError, type DatasetFileV1 } from '@evalchemy/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatasetResolver } from './dataset-resolver.js';

const rows = [
  { question: 'What is 1+1?', answer: '2' },
  { question: 'And 2+2?', answer: '4' },
];
const jsonl = `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

function fileSpec(overrides: Partial<DatasetFileV1> = {}): DatasetFileV1 {
  return {
    hub: { repository: 'someone/tiny', revision: 'a'.repeat(40), path: 'data/test.jsonl' },
    offlinePath: 'tiny/test.jsonl',
    sha256: sha256(jsonl),
    ...overrides,
  };
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A stand-in for the Hugging Face Hub on 127.0.0.1 that serves one file and counts downloads. */
async function startHub(
  body: string | Buffer,
  status = 200,
): Promise<{ endpoint: string; downloads: string[] }> {
  const downloads: string[] = [];
  server = createServer((request, response) => {
    downloads.push(`${request.url} auth=${request.headers.authorization ?? ''}`);
    response.writeHead(status);
    response.end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, downloads };
}

describe('createDatasetResolver', () => {
  it('reads rows from the offline directory after checking the sha256', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'datasets-'));
    await mkdir(join(directory, 'tiny'));
    await writeFile(join(directory, 'tiny/test.jsonl'), jsonl);
    const resolver = createDatasetResolver({ offlineDirectory: directory });
    expect(await resolver.rows(fileSpec())).toEqual(rows);
    expect((await resolver.resolve(fileSpec())).source).toBe('offline');
  });

  it('refuses a file whose sha256 differs from the pinned one, naming both hashes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'datasets-'));
    await mkdir(join(directory, 'tiny'));
    await writeFile(join(directory, 'tiny/test.jsonl'), `${jsonl}{"question":"tampered"}\n`);
    const error = await createDatasetResolver({ offlineDirectory: directory })
      .rows(fileSpec())
      .catch((caught: unknown) => caught);
    expect(DatasetError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(sha256(jsonl));
  });

  it('names the missing offline file and where it comes from', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'datasets-'));
    const error = await createDatasetResolver({ offlineDirectory: directory })
      .resolve(fileSpec())
      .catch((caught: unknown) => caught as Error);
    expect(String(error)).toMatch(/tiny\/test\.jsonl.*EVALCHEMY_DATASETS_DIR/);
    expect(String(error)).toContain('someone/tiny/resolve/aaaa');
  });

  it('downloads from the Hub at the pinned revision once, with the token, and serves the cache afterwards', async () => {
    const hub = await startHub(jsonl);
    const cacheDirectory = await mkdtemp(join(tmpdir(), 'hub-cache-'));
    const settings = { hubEndpoint: hub.endpoint, cacheDirectory, hubToken: 'hf_secret' };
    expect(await createDatasetResolver(settings).rows(fileSpec())).toEqual(rows);
    expect(await createDatasetResolver(settings).rows(fileSpec())).toEqual(rows);
    expect(hub.downloads).toEqual([
      `/datasets/someone/tiny/resolve/${'a'.repeat(40)}/data/test.jsonl auth=Bearer hf_secret`,
    ]);
  });

  it('rejects a Hub download with the wrong hash and keeps nothing of it', async () => {
    const hub = await startHub('{"question":"other"}\n');
    const cacheDirectory = await mkdtemp(join(tmpdir(), 'hub-cache-'));
    const resolver = createDatasetResolver({ hubEndpoint: hub.endpoint, cacheDirectory });
    await expect(resolver.rows(fileSpec())).rejects.toThrow(/sha256/);
    await expect(
      readFile(join(cacheDirectory, 'someone/tiny', 'a'.repeat(40), 'data/test.jsonl')),
    ).rejects.toThrow();
  });

  it('says how to get a gated dataset when the Hub answers 401', async () => {
    const hub = await startHub('unauthorized', 401);
    const resolver = createDatasetResolver({
      hubEndpoint: hub.endpoint,
      cacheDirectory: await mkdtemp(join(tmpdir(), 'c-')),
    });
    await expect(resolver.rows(fileSpec())).rejects.toThrow(/HTTP 401.*HF_TOKEN/);
  });

  it('names the URL of a download the Hub does not have (a wrong revision)', async () => {
    const hub = await startHub('not found', 404);
    const resolver = createDatasetResolver({
      hubEndpoint: hub.endpoint,
      cacheDirectory: await mkdtemp(join(tmpdir(), 'c-')),
    });
    await expect(resolver.rows(fileSpec())).rejects.toThrow(
      `Could not download ${hub.endpoint}/datasets/someone/tiny/resolve/${'a'.repeat(40)}/data/test.jsonl: HTTP 404.`,
    );
  });

  it('records the hash of a Hub file with no pinned hash and refuses a changed copy later', async () => {
    const body = gzipSync(jsonl);
    const hub = await startHub(body);
    const cacheDirectory = await mkdtemp(join(tmpdir(), 'hub-cache-'));
    const file = fileSpec({
      hub: { repository: 'someone/tiny', revision: 'b'.repeat(40), path: 'data/test.jsonl.gz' },
      sha256: { offline: sha256(jsonl) },
    });
    const resolver = createDatasetResolver({ hubEndpoint: hub.endpoint, cacheDirectory });
    expect(await resolver.rows(file)).toEqual(rows);
    const cached = join(cacheDirectory, 'someone/tiny', 'b'.repeat(40), 'data/test.jsonl.gz');
    expect((await readFile(`${cached}.sha256`, 'utf8')).trim()).toBe(sha256(body));
    await writeFile(cached, 'changed');
    await expect(
      createDatasetResolver({ hubEndpoint: hub.endpoint, cacheDirectory }).rows(file),
    ).rejects.toThrow(/sha256/);
  });
});
