import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from '@evalchemy/core';

/** The name of the lock file in a PGlite leaderboard directory. */
export const LOCK_FILE_NAME = 'evalchemy-leaderboard.lock';
/** Prefix of the files a process waiting for the lock keeps beside it (`<prefix><pid>.<uuid>`). */
const WAITING_PREFIX = `${LOCK_FILE_NAME}.waiting-`;

/** Who holds a leaderboard directory. */
export interface LeaderboardLockHolder {
  pid: number;
  /** The holder's command line, for "waiting for the leaderboard held by pid N (…)". */
  command: string;
}

interface LockContent extends LeaderboardLockHolder {
  host: string;
  token: string;
}

const pollMs = 100;
// A lock file that is empty or unreadable this long is a crash between create and write: stale.
const unreadableStaleMs = 5_000;
const held = new Set<string>();
let exitHandlerInstalled = false;

/**
 * Takes the directory's lock file (created with `wx`, holding this process's pid and command), waiting while
 * a live process holds it (`onWait` is called once with the holder) and taking over a lock whose process is
 * gone. Resolves to the function that releases it.
 */
export async function acquireLeaderboardLock(
  directory: string,
  onWait?: (holder: LeaderboardLockHolder) => void,
): Promise<() => void> {
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    throw storageError(directory, `could not create the leaderboard directory ${directory}`, error);
  }
  const path = join(directory, LOCK_FILE_NAME);
  const mine: LockContent = {
    pid: process.pid,
    command: lockCommand(process.argv),
    host: hostname(),
    token: randomUUID(),
  };
  let waited = false;
  // While waiting, a file beside the lock says so: a holder that releases when idle does so only then.
  let waiting: string | undefined;
  try {
    for (;;) {
      if (tryCreate(path, mine)) break;
      const holder = readHolder(path);
      if (holder === 'gone') continue;
      if (holder === 'stale' || !isAlive(holder)) {
        takeOverStale(path, holder === 'stale' ? undefined : holder.token);
        continue;
      }
      if (waiting === undefined) {
        waiting = join(directory, `${WAITING_PREFIX}${process.pid}.${mine.token}`);
        closeSync(openSync(waiting, 'w'));
      }
      if (!waited && holder.pid !== -1) {
        waited = true;
        onWait?.({ pid: holder.pid, command: holder.command });
      }
      await sleep(pollMs);
    }
  } finally {
    if (waiting !== undefined) removeFile(waiting);
  }
  held.add(path);
  installExitHandler();
  return () => {
    held.delete(path);
    releaseIfMine(path, mine.token);
  };
}

/**
 * Whether another process is waiting for the directory's lock. Marks of waiters that died (their pid is gone)
 * are removed, so that a killed waiter does not make the holder release for nothing forever.
 */
export function hasLeaderboardWaiters(directory: string): boolean {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return false;
  }
  let waiting = false;
  for (const name of names) {
    if (!name.startsWith(WAITING_PREFIX)) continue;
    const pid = Number(name.slice(WAITING_PREFIX.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive({ pid, command: '', host: '', token: '' })) {
      removeFile(join(directory, name));
    } else {
      waiting = true;
    }
  }
  return waiting;
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * The holder's command as the lock file records it and a waiting process shows it: the script's name and the
 * plain words after it (`bin.js leaderboard serve`), never the rest of the command line, which may hold a
 * secret (`--model_args api_key=…`, a database URL).
 */
export function lockCommand(argv: readonly string[]): string {
  const [, script, ...rest] = argv;
  const words: string[] = [];
  for (const argument of rest) {
    if (words.length === 3 || !/^[A-Za-z][\w-]*$/.test(argument)) break;
    words.push(argument);
  }
  return [basename(script ?? 'node'), ...words].join(' ');
}

function tryCreate(path: string, content: LockContent): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw storageError(path, `could not create the leaderboard lock file ${path}`, error);
  }
  try {
    writeSync(fd, JSON.stringify(content));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): LockContent | 'stale' | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return 'gone';
    throw storageError(path, `could not read the leaderboard lock file ${path}`, error);
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return {
        pid: parsed.pid,
        command: String(parsed.command ?? ''),
        host: String(parsed.host ?? ''),
        token: parsed.token,
      };
    }
  } catch {
    // Being written right now, or garbage: decided by its age below.
  }
  try {
    return Date.now() - statSync(path).mtimeMs > unreadableStaleMs
      ? 'stale'
      : { pid: -1, command: '', host: '', token: '' };
  } catch {
    return 'gone';
  }
}

function isAlive(holder: LockContent): boolean {
  if (holder.pid === -1) return true; // a lock being written: its holder is alive
  // A process on another machine (a shared directory) cannot be checked: it is taken as alive.
  if (holder.host !== '' && holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

/**
 * Removes a stale lock so that the next `wx` create can win. Two processes may find the same stale lock: the
 * file is first renamed aside (only one rename of it succeeds), and when what was renamed turns out to be a
 * fresh lock someone took meanwhile, it is linked back.
 */
function takeOverStale(path: string, staleToken: string | undefined): void {
  const aside = `${path}.${process.pid}.${randomUUID()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return;
    throw storageError(path, `could not remove the stale leaderboard lock file ${path}`, error);
  }
  const renamed = readHolder(aside);
  const wasStale =
    renamed === 'stale' || renamed === 'gone' || renamed.token === staleToken || staleToken === undefined;
  if (!wasStale) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone created a lock meanwhile: theirs stands.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Already gone.
  }
}

function releaseIfMine(path: string, token: string): void {
  const holder = readHolder(path);
  if (holder === 'gone' || holder === 'stale' || holder.token !== token) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // A process that exits without closing its leaderboard does not leave a lock behind (a killed one does: its
  // lock is stale and taken over, since its pid is gone).
  process.on('exit', () => {
    for (const path of held) {
      try {
        const holder = readHolder(path);
        if (holder !== 'gone' && holder !== 'stale' && holder.pid === process.pid) unlinkSync(path);
      } catch {
        // Nothing more can be done at exit.
      }
    }
  });
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function storageError(path: string, what: string, cause: unknown): StorageError {
  const code = codeOf(cause);
  return new StorageError(
    `${what}${code === undefined ? '' : ` (${code})`}: check that the directory is writable, or choose another with EVALCHEMY_LEADERBOARD_DIR.`,
    { path, code, cause },
  );
}
