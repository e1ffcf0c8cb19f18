import { PGlite } from '@electric-sql/pglite';
import { StorageError } from '@evalchemy/core';
import type { LeaderboardDriver, LeaderboardQueryable } from './leaderboard-driver.js';
import { acquireLeaderboardLock, hasLeaderboardWaiters, type LeaderboardLockHolder } from './pglite-lock.js';

export interface PgliteDriverOptions {
  /** Called once when another process holds the directory and this one waits for it. */
  onWait?: ((holder: LeaderboardLockHolder) => void) | undefined;
  /**
   * Close PGlite and release the directory once it has been this long without queries and another process
   * waits for it (checked every this long); reopen on the next query. Without a waiter it stays open: a reopen
   * costs about a second on a large leaderboard.
   */
  releaseWhenIdleMs?: number | undefined;
  /** Run once on every (re)open, before any query: the migrations. */
  onOpen?:
    | ((driver: LeaderboardQueryable & Pick<LeaderboardDriver, 'transaction'>) => Promise<void>)
    | undefined;
}

/**
 * Embedded PGlite in a directory that only one process opens at a time (the lock file). With
 * `releaseWhenIdleMs`, the database is closed and the lock released while idle and another process waits, so
 * that a long-lived server does not keep pushes from other processes out.
 */
export async function openPgliteDriver(
  directory: string,
  options: PgliteDriverOptions = {},
): Promise<LeaderboardDriver> {
  let database: PGlite | undefined;
  let release: (() => void) | undefined;
  let opening: Promise<PGlite> | undefined;
  let closing: Promise<void> | undefined;
  let active = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const open = async (): Promise<PGlite> => {
    const releaseLock = await acquireLeaderboardLock(directory, options.onWait);
    let opened: PGlite;
    try {
      opened = await PGlite.create(directory);
    } catch (error) {
      releaseLock();
      throw new StorageError(
        `could not open the leaderboard database in ${directory}: ${error instanceof Error ? error.message : String(error)}. Check that the directory holds a leaderboard (or is empty) and is writable, or choose another with EVALCHEMY_LEADERBOARD_DIR.`,
        { path: directory, cause: error },
      );
    }
    try {
      if (options.onOpen !== undefined) await options.onOpen(wrap(opened));
    } catch (error) {
      await opened.close().catch(() => undefined);
      releaseLock();
      throw error;
    }
    release = releaseLock;
    database = opened;
    return opened;
  };

  const shut = async (): Promise<void> => {
    const current = database;
    database = undefined;
    const releaseLock = release;
    release = undefined;
    try {
      await current?.close();
    } finally {
      releaseLock?.();
    }
  };

  const acquire = async (): Promise<PGlite> => {
    if (closed) throw new StorageError(`the leaderboard in ${directory} is closed`, { path: directory });
    active += 1;
    clearTimeout(idleTimer);
    try {
      while (closing !== undefined) await closing;
      if (database !== undefined) return database;
      opening ??= open().finally(() => {
        opening = undefined;
      });
      return await opening;
    } catch (error) {
      done();
      throw error;
    }
  };

  const armIdleTimer = (idleMs: number): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (active > 0 || database === undefined || closed) return;
      if (!hasLeaderboardWaiters(directory)) {
        armIdleTimer(idleMs);
        return;
      }
      closing = shut().finally(() => {
        closing = undefined;
      });
    }, idleMs);
    idleTimer.unref();
  };

  const done = (): void => {
    active -= 1;
    if (active === 0 && options.releaseWhenIdleMs !== undefined && !closed)
      armIdleTimer(options.releaseWhenIdleMs);
  };

  // The first open happens now, so that a problem with the directory shows at once.
  await acquire();
  done();

  return {
    kind: 'pglite',
    async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      const db = await acquire();
      try {
        return (await db.query<Row>(sql, params)).rows;
      } finally {
        done();
      }
    },
    async transaction<T>(fn: (tx: LeaderboardQueryable) => Promise<T>): Promise<T> {
      const db = await acquire();
      try {
        return await db.transaction((tx) => fn(wrapQueryable(tx)));
      } finally {
        done();
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearTimeout(idleTimer);
      if (closing !== undefined) await closing;
      if (opening !== undefined) await opening.catch(() => undefined);
      await shut();
    },
  };
}

function wrapQueryable(target: {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}): LeaderboardQueryable {
  return {
    async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      return (await target.query<Row>(sql, params)).rows;
    },
  };
}

function wrap(database: PGlite): LeaderboardQueryable & Pick<LeaderboardDriver, 'transaction'> {
  return {
    ...wrapQueryable(database),
    transaction: (fn) => database.transaction((tx) => fn(wrapQueryable(tx))),
  };
}
