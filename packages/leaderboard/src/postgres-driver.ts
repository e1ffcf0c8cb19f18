import pg from 'pg';
import { LeaderboardConnectionError } from './leaderboard-connection-error.js';
import type { LeaderboardDriver, LeaderboardQueryable } from './leaderboard-driver.js';

/** A PostgreSQL server through a `pg` pool. The first connection is made now, so a wrong URL shows at once. */
export async function openPostgresDriver(url: string, display: string): Promise<LeaderboardDriver> {
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 30_000 });
  } catch {
    // The message of a URL parse error may quote the URL, password included: not passed on.
    throw new LeaderboardConnectionError(
      `the leaderboard database URL (${display}) is not a valid PostgreSQL URL: write it as postgres://user:password@host:port/database.`,
      { server: display },
    );
  }
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);

  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (error) {
      throw connectionError(display, url, error);
    }
  };

  const first = await connect().catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    throw error;
  });
  first.release();

  return {
    kind: 'postgres',
    async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      const client = await connect();
      try {
        return (await client.query(sql, params)).rows as Row[];
      } finally {
        client.release();
      }
    },
    async transaction<T>(fn: (tx: LeaderboardQueryable) => Promise<T>): Promise<T> {
      const client = await connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn({
          async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
            return (await client.query(sql, params)).rows as Row[];
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

function connectionError(display: string, url: string, error: unknown): LeaderboardConnectionError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  const password = passwordOf(url);
  const reason = password === '' ? raw : raw.split(password).join('***');
  const hint =
    code === '28P01' || code === '28000'
      ? 'check the user and password (DB_USER, DB_PASSWORD, or the URL)'
      : code === '3D000'
        ? 'check the database name (DB_NAME, or the URL), or create it'
        : 'check that the server runs and accepts connections at that host and port (DB_HOST, DB_PORT, or the URL)';
  return new LeaderboardConnectionError(
    `could not connect to the leaderboard's PostgreSQL server ${display}: ${reason}. ${hint[0]?.toUpperCase()}${hint.slice(1)}.`,
    { server: display },
  );
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
