import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, type DatasetFileV1, type DatasetResolverV1, decodeDatasetRows } from '@evalchemy/core';

/**
 * A dataset resolver over a directory laid out like the runner's `EVALCHEMY_DATASETS_DIR` (each file at its
 * `offlinePath`), as the runner resolves offline: the file's sha256 must match the pinned offline hash, and
 * rows are decoded by `decodeDatasetRows` with the file's offline format. Never downloads.
 */
export function createOfflineDatasetResolver(directory: string): DatasetResolverV1 {
  async function verified(file: DatasetFileV1): Promise<{ path: string; bytes: Buffer }> {
    const path = join(directory, file.offlinePath);
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new DatasetError(
        `Dataset file ${file.offlinePath} could not be read from ${directory} (${error.code ?? error.message}). ` +
          `Put the file there (source: ${file.hub.repository}@${file.hub.revision}/${file.hub.path}).`,
        { cause: error },
      );
    });
    const expected = typeof file.sha256 === 'string' ? file.sha256 : file.sha256.offline;
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== expected.toLowerCase()) {
      throw new DatasetError(
        `Dataset file ${path} has sha256 ${actual}, expected ${expected} (pinned for ${file.hub.repository}@${file.hub.revision}). ` +
          'It is a different version of the file: replace it, or pin its sha256.',
      );
    }
    return { path, bytes };
  }

  return {
    async resolve(file) {
      return { path: (await verified(file)).path, source: 'offline' };
    },
    async rows(file) {
      const { path, bytes } = await verified(file);
      return decodeDatasetRows(bytes, path, { format: file.format?.offline, csvColumns: file.csvColumns });
    },
  };
}
