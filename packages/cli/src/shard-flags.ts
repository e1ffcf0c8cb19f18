import { createHash } from 'node:crypto';
import { ConfigurationError } from '@evalchemy/core';
import { runIdFromName, type ShardOfRun, stableStringify } from '@evalchemy/runner';
import type { RunFlags } from './arguments.js';

const runNamePattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `--shard I/N`, or `--num_shards N --shard_index I`: the shard this process runs (undefined: the whole
 * run). Both forms may be given when they agree.
 */
export function parseShard(flags: RunFlags): ShardOfRun | undefined {
  const slash = flags.shard;
  const count = flags['num-shards'];
  const index = flags['shard-index'];
  let fromSlash: ShardOfRun | undefined;
  if (slash !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(slash);
    if (match === null) {
      throw new ConfigurationError(
        `--shard must be I/N (shard I of N, 0 ≤ I < N, e.g. --shard 0/4), got "${slash}".`,
      );
    }
    fromSlash = checked(Number(match[1]), Number(match[2]), `--shard ${slash}`);
  }
  let fromPair: ShardOfRun | undefined;
  if (count !== undefined || index !== undefined) {
    if (count === undefined || index === undefined) {
      throw new ConfigurationError(
        `${count === undefined ? '--shard_index' : '--num_shards'} needs ${count === undefined ? '--num_shards N' : '--shard_index I'} too (or give --shard I/N alone).`,
      );
    }
    const whole = (text: string, flag: string) => {
      if (!/^\s*\d+\s*$/.test(text))
        throw new ConfigurationError(`${flag} must be a whole number, got "${text}".`);
      return Number(text);
    };
    fromPair = checked(
      whole(index, '--shard_index'),
      whole(count, '--num_shards'),
      `--num_shards ${count} --shard_index ${index}`,
    );
  }
  if (fromSlash !== undefined && fromPair !== undefined) {
    if (fromSlash.index !== fromPair.index || fromSlash.count !== fromPair.count) {
      throw new ConfigurationError(
        `--shard ${slash} and --num_shards ${count} --shard_index ${index} name different shards: give one of them.`,
      );
    }
  }
  return fromSlash ?? fromPair;
}

function checked(index: number, count: number, given: string): ShardOfRun {
  if (count < 1) throw new ConfigurationError(`${given}: the number of shards must be at least 1.`);
  if (index >= count) {
    throw new ConfigurationError(
      `${given}: shard indices run from 0 to ${count - 1} (N - 1), so shard ${index} of ${count} does not exist.`,
    );
  }
  return { index, count };
}

/** `--run_id`: the run's name as given, checked. */
export function parseRunName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (!runNamePattern.test(name)) {
    throw new ConfigurationError(
      `--run_id must be 1 to 64 letters, digits, ".", "_" or "-" (a UUID, or a name such as nightly-2026-12-03), got "${name}".`,
    );
  }
  return name;
}

/**
 * The results' `run_id`: the UUID `--run_id` names; else, for a sharded run, one derived from the command
 * (whatever decides the answers, and N), so that shards started separately with one command agree; else a
 * random one (undefined here).
 */
export function runIdOf(
  runName: string | undefined,
  shard: ShardOfRun | undefined,
  command: () => Record<string, unknown>,
): string | undefined {
  if (runName !== undefined) return runIdFromName(runName);
  if (shard === undefined) return undefined;
  const digest = createHash('sha256')
    .update(stableStringify({ ...command(), shards: shard.count }))
    .digest('hex');
  return runIdFromName(`derived-${digest.slice(0, 40)}`);
}
