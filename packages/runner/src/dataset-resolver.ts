import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DatasetError,
  type DatasetFileV1,
  type DatasetLocationV1,
  type DatasetResolverV1,
  decodeDatasetRows,
  type LoggerV1,
} from '@evalchemy/core';
import { createDirectory } from './create-directory.js';
import { cacheDirectory } from './paths.js';

export interface DatasetResolverSettings {
  /** `EVALCHEMY_DATASETS_DIR`: a directory laid out like shared/datasets. Wins over the Hub when set. */
  offlineDirectory?: string | undefined;
  /** Where Hub downloads are kept. Default: `<cache>/datasets`. */
  cacheDirectory?: string;
  /** Hub base URL (`HF_ENDPOINT`). Default https://huggingface.co. */
  hubEndpoint?: string;
  /** Hub token (`HF_TOKEN`) for gated datasets; sent only to the Hub, never logged. */
  hubToken?: string | undefined;
  /** Receives the warning for a Hub file whose sha256 is not pinned yet. */
  log?: LoggerV1;
}

/** Settings from the environment, as users set them. */
export function datasetResolverSettingsFromEnv(
  env: Record<string, string | undefined>,
): DatasetResolverSettings {
  return {
    offlineDirectory: env.EVALCHEMY_DATASETS_DIR,
    cacheDirectory: join(cacheDirectory(env), 'datasets'),
    hubEndpoint: env.HF_ENDPOINT ?? 'https://huggingface.co',
    hubToken: env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN,
  };
}

/**
 * Resolves pinned data files: the offline directory when set, else the Hugging Face Hub at the pinned
 * revision, downloaded once into the cache. Every file is checked against its sha256 (once per process).
 */
export function createDatasetResolver(settings: DatasetResolverSettings): DatasetResolverV1 {
  const verified = new Map<string, Promise<DatasetLocationV1>>();
  const cacheRoot = settings.cacheDirectory ?? join(cacheDirectory(), 'datasets');
  const endpoint = (settings.hubEndpoint ?? 'https://huggingface.co').replace(/\/+$/, '');

  async function resolveOffline(file: DatasetFileV1, directory: string): Promise<DatasetLocationV1> {
    const path = join(directory, file.offlinePath);
    if (!(await exists(path))) {
      throw new DatasetError(
        `Dataset file ${file.offlinePath} is not in EVALCHEMY_DATASETS_DIR (${directory}). ` +
          `Put it there (source: ${hubUrl(file)}) or unset EVALCHEMY_DATASETS_DIR to download it from the Hub.`,
      );
    }
    await verifySha256(path, expectedSha256(file, 'offline'), file);
    return { path, source: 'offline' };
  }

  function hubUrl(file: DatasetFileV1): string {
    const kind = file.hub.repositoryType === 'model' ? '' : 'datasets/';
    return `${endpoint}/${kind}${file.hub.repository}/resolve/${file.hub.revision}/${file.hub.path}`;
  }

  async function resolveHub(file: DatasetFileV1): Promise<DatasetLocationV1> {
    const path = join(cacheRoot, file.hub.repository, file.hub.revision, file.hub.path);
    const pinned = expectedSha256(file, 'hub');
    const recordedPath = `${path}.sha256`;
    if (pinned === undefined) {
      settings.log?.warn(
        `${file.hub.repository}/${file.hub.path}: no sha256 is pinned for the Hub copy yet; ` +
          'the hash of the first download is recorded and checked from then on.',
      );
    }
    if (await exists(path)) {
      const expected = pinned ?? (await readFile(recordedPath, 'utf8').catch(() => undefined))?.trim();
      if (expected !== undefined) await verifySha256(path, expected, file);
      return { path, source: 'hub' };
    }
    const url = hubUrl(file);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: settings.hubToken ? { authorization: `Bearer ${settings.hubToken}` } : {},
        redirect: 'follow',
      });
    } catch (error) {
      throw new DatasetError(
        `Could not download ${url}: ${(error as Error).message}. ` +
          'Without network access, set EVALCHEMY_DATASETS_DIR to a directory holding the data files.',
        { cause: error },
      );
    }
    if (!response.ok || response.body === null) {
      const hint =
        response.status === 401 || response.status === 403
          ? ' The dataset may be gated: accept its terms on the Hub and set HF_TOKEN.'
          : '';
      throw new DatasetError(`Could not download ${url}: HTTP ${response.status}.${hint}`);
    }
    await createDirectory(dirname(path));
    const partial = `${path}.${process.pid}.partial`;
    try {
      await pipeline(Readable.fromWeb(response.body as never), createWriteStream(partial));
      const actual = await sha256Of(partial);
      if (pinned !== undefined) await verifySha256(partial, pinned, file);
      else await writeFile(recordedPath, `${actual}\n`);
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
    return { path, source: 'hub' };
  }

  const resolver: DatasetResolverV1 = {
    async rows(file) {
      const location = await resolver.resolve(file);
      const format = location.source === 'offline' ? file.format?.offline : file.format?.hub;
      return decodeDatasetRows(await readFile(location.path), location.path, {
        format,
        csvColumns: file.csvColumns,
      });
    },
    resolve(file) {
      const key = `${file.offlinePath}|${file.hub.repository}@${file.hub.revision}/${file.hub.path}`;
      let location = verified.get(key);
      if (location === undefined) {
        location = settings.offlineDirectory
          ? resolveOffline(file, settings.offlineDirectory)
          : resolveHub(file);
        verified.set(key, location);
        location.catch(() => verified.delete(key));
      }
      return location;
    },
  };
  return resolver;
}

export function expectedSha256(file: DatasetFileV1, source: 'offline' | 'hub'): string | undefined {
  return typeof file.sha256 === 'string' ? file.sha256 : file.sha256[source];
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function verifySha256(path: string, expected: string | undefined, file: DatasetFileV1): Promise<void> {
  if (expected === undefined) {
    throw new DatasetError(`${file.offlinePath}: no sha256 is pinned for the offline copy.`);
  }
  const actual = await sha256Of(path);
  if (actual !== expected.toLowerCase()) {
    throw new DatasetError(
      `Dataset file ${path} has sha256 ${actual}, expected ${expected} (pinned for ${file.hub.repository}@${file.hub.revision}). ` +
        'The file is corrupt or a different version: delete it and run again.',
    );
  }
}
