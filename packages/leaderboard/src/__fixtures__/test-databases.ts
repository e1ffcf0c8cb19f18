import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { displayUrl } from '../leaderboard-location.js';

/** The PostgreSQL server of the tests: EVALCHEMY_TEST_DATABASE_URL, default the one tools/services.sh starts. */
export const testServerUrl =
  process.env.EVALCHEMY_TEST_DATABASE_URL ?? 'postgres://evalchemy:evalchemy@127.0.0.1:54329/evalchemy';

/** A place for a leaderboard of one test: a fresh PGlite directory, or a fresh database on the test server. */
export interface TestPlace {
  /** Options for `openLeaderboard`. */
  options: { directory?: string; databaseUrl?: string; env: Record<string, string | undefined> };
}

export type DriverName = 'pglite' | 'postgres';

/**
 * Creates fresh places for one test file and removes them all in `cleanUp`. For PostgreSQL each place is a
 * database `lb_<random>` on the test server, so that files run in parallel.
 */
export function testPlaces(driver: DriverName): { create(): Promise<TestPlace>; cleanUp(): Promise<void> } {
  const directories: string[] = [];
  const databases: string[] = [];
  return {
    async create() {
      if (driver === 'pglite') {
        const directory = await mkdtemp(join(tmpdir(), 'evalchemy-leaderboard-'));
        directories.push(directory);
        return { options: { directory, env: {} } };
      }
      const name = `lb_${randomBytes(6).toString('hex')}`;
      await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
      databases.push(name);
      return { options: { databaseUrl: urlOfDatabase(name), env: {} } };
    },
    async cleanUp() {
      for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
      const names = databases.splice(0);
      if (names.length > 0) {
        await withAdmin(async (client) => {
          for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        });
      }
    },
  };
}

/** The test server's URL with another database. */
export function urlOfDatabase(name: string): string {
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `The leaderboard's PostgreSQL tests need a server at ${displayUrl(testServerUrl)} (EVALCHEMY_TEST_DATABASE_URL): start it with tools/services.sh (or tools/services-postgres.sh). ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
