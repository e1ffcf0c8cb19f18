import type { DatasetRecordV1, DatasetResolverV1 } from '@evalchemy/core';
import { expectedSha256, sha256Of } from './dataset-resolver.js';

/** A task's dataset resolver that remembers every file the task resolved, for its results. */
export interface RecordingResolver {
  readonly resolver: DatasetResolverV1;
  /** The files resolved so far, sorted by repository and path. */
  files(): DatasetRecordV1[];
}

/** Wraps `datasets` so that every file a benchmark resolves, however it asks for it, is recorded once. */
export function createRecordingResolver(datasets: DatasetResolverV1): RecordingResolver {
  const records = new Map<string, DatasetRecordV1>();
  const resolver: DatasetResolverV1 = {
    async resolve(file) {
      const location = await datasets.resolve(file);
      const key = `${location.source}:${location.path}`;
      if (!records.has(key)) {
        // A Hub copy whose hash is not pinned yet was verified against the hash of its first download.
        const sha256 = expectedSha256(file, location.source) ?? (await sha256Of(location.path));
        records.set(key, {
          repository: file.hub.repository,
          path: file.hub.path,
          revision: file.hub.revision,
          source: location.source,
          sha256: sha256.toLowerCase(),
        });
      }
      return location;
    },
    async rows(file) {
      await resolver.resolve(file);
      return datasets.rows(file);
    },
  };
  return {
    resolver,
    files: () => [...records.values()].sort((a, b) => (place(a) < place(b) ? -1 : 1)),
  };
}

function place(file: DatasetRecordV1): string {
  return `${file.repository}/${file.path}`;
}
