import { join } from 'node:path';
import envPaths from 'env-paths';
import type { LeaderboardLocation } from './leaderboard.js';

/** Where a leaderboard is, from flags and the environment. */
export interface LeaderboardLocationOptions {
  /** `--database_url`: a PostgreSQL URL; wins over everything else. */
  databaseUrl?: string | undefined;
  /** A PGlite directory; wins over `EVALCHEMY_LEADERBOARD_DIR` when no server is named. */
  directory?: string | undefined;
  env?: Record<string, string | undefined>;
}

/**
 * The database of the leaderboard: the explicit URL, else `EVALCHEMY_DATABASE_URL`, else Evalchemy's `DB_HOST`
 * (`DB_PORT` default 5432, `DB_USER`, `DB_PASSWORD`, `DB_NAME`), else embedded PGlite in `directory`,
 * `EVALCHEMY_LEADERBOARD_DIR` or the user's data directory (`~/.local/share/evalchemy/leaderboard` on Linux).
 */
export function resolveLeaderboardLocation(options: LeaderboardLocationOptions = {}): LeaderboardLocation {
  const env = options.env ?? process.env;
  const url =
    nonEmpty(options.databaseUrl) ?? nonEmpty(env.EVALCHEMY_DATABASE_URL) ?? urlFromEvalchemyVariables(env);
  if (url !== undefined) return { driver: 'postgres', url, display: displayUrl(url) };
  const directory =
    nonEmpty(options.directory) ??
    nonEmpty(env.EVALCHEMY_LEADERBOARD_DIR) ??
    join(envPaths('evalchemy', { suffix: '' }).data, 'leaderboard');
  return { driver: 'pglite', directory };
}

/** The URL without its password (and without a `password` query parameter), for messages and logs. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // Not a URL we can parse: show nothing of it that could be a secret.
    return 'a PostgreSQL URL that could not be parsed';
  }
}

function urlFromEvalchemyVariables(env: Record<string, string | undefined>): string | undefined {
  const host = nonEmpty(env.DB_HOST);
  if (host === undefined) return undefined;
  const port = nonEmpty(env.DB_PORT) ?? '5432';
  const user = nonEmpty(env.DB_USER);
  const password = nonEmpty(env.DB_PASSWORD);
  const database = nonEmpty(env.DB_NAME);
  const credentials =
    user === undefined
      ? ''
      : `${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  // An IPv6 address needs brackets in a URL.
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `postgres://${credentials}${hostPart}:${encodeURIComponent(port)}/${database === undefined ? '' : encodeURIComponent(database)}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
