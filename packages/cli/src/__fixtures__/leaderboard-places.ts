import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The PostgreSQL server of the tests: EVALCHEMY_TEST_DATABASE_URL, default the one tools/services.sh starts. */
export const testServerUrl =
  process.env.EVALCHEMY_TEST_DATABASE_URL ?? 'postgres://evalchemy:evalchemy@127.0.0.1:54329/evalchemy';

/** Where a test's leaderboard is, as the CLI is told: flags and environment, and how it names the place. */
export interface LeaderboardPlace {
  driver: 'pglite' | 'postgres';
  /** Flags for every leaderboard command (`--database_url …` for PostgreSQL). */
  flags: string[];
  env: Record<string, string>;
  /** How the CLI names it in messages (`PGlite <dir>`, `PostgreSQL <url without password>`). */
  display: string;
  /** The PGlite directory. */
  directory?: string;
  /** The database's password (the text that must never be printed), for PostgreSQL. */
  password?: string;
}

/**
 * Fresh leaderboards for one test file, removed in `cleanUp`: a PGlite directory, or a database `lb_<random>`
 * on the test server (so that files run in parallel), owned by a role of its own with a random password (the
 * test server's role may create roles: tools/services.sh). A missing server fails the test, naming
 * tools/services.sh.
 */
export function leaderboardPlaces() {
  const directories: string[] = [];
  const databases: string[] = [];
  const roles: string[] = [];
  return {
    async create(driver: 'pglite' | 'postgres'): Promise<LeaderboardPlace> {
      if (driver === 'pglite') {
        const directory = await mkdtemp(join(tmpdir(), 'evalchemy-cli-leaderboard-'));
        directories.push(directory);
        return {
          driver,
          flags: [],
          env: { EVALCHEMY_LEADERBOARD_DIR: directory },
          display: `PGlite ${directory}`,
          directory,
        };
      }
      // A role of its own with a password found nowhere else, so that a test can tell it never shows.
      const suffix = randomBytes(6).toString('hex');
      const name = `lb_${suffix}`;
      const role = `lb_user_${suffix}`;
      const password = `Secret-${randomBytes(9).toString('hex')}`;
      await withAdmin(async (client) => {
        await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
        roles.push(role);
        await client.query(`GRANT ${role} TO CURRENT_USER`);
        await client.query(`CREATE DATABASE ${name} OWNER ${role}`);
        databases.push(name);
      });
      const url = new URL(testServerUrl);
      url.pathname = `/${name}`;
      url.username = role;
      url.password = password;
      const display = new URL(url);
      display.password = '***';
      return {
        driver,
        flags: ['--database_url', url.toString()],
        env: {},
        display: `PostgreSQL ${display.toString()}`,
        password,
      };
    },
    async cleanUp() {
      for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
      const names = databases.splice(0);
      const users = roles.splice(0);
      if (names.length + users.length > 0) {
        await withAdmin(async (client) => {
          for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          for (const user of users) await client.query(`DROP ROLE IF EXISTS ${user}`);
        });
      }
    },
  };
}

async function withAdmin<T>(action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl });
  try {
    await client.connect();
  } catch (error) {
    const server = new URL(testServerUrl);
    server.password = '***';
    throw new Error(
      `The leaderboard's PostgreSQL tests need a server at ${server} (EVALCHEMY_TEST_DATABASE_URL): start it ` +
        `with tools/services.sh. ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
