import { createHash } from 'node:crypto';

/** One shard of a sharded run: shard `index` (0-based) of `count`. */
export interface ShardOfRun {
  index: number;
  count: number;
}

/** The suffix of a shard's file names, `_shard-<index>-of-<count>`; empty for an unsharded run. */
export function shardSuffix(shard: ShardOfRun | undefined): string {
  return shard === undefined ? '' : `_shard-${shard.index}-of-${shard.count}`;
}

/** A shard results file's name: `results_<timestamp>_shard-<index>-of-<count>.json`. */
export const shardResultsFilePattern = /^results_(.+)_shard-(\d+)-of-(\d+)\.json$/;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The results file's `run_id` for a name given with `--run_id`: a UUID as it is (lower case), any other name
 * a UUID derived from it (the SHA-256 of `evalchemy-run:<name>` in the form of a version 8 UUID), so that
 * every shard given one name writes one `run_id`.
 */
export function runIdFromName(name: string): string {
  if (uuidPattern.test(name)) return name.toLowerCase();
  const hex = createHash('sha256').update(`evalchemy-run:${name}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
