import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StorageError } from '@evalchemy/core';

/**
 * `mkdir -p` that fails where it cannot create the directory. Node's `mkdir(path, { recursive: true })`
 * never settles for a path such as `/proc/x` (it keeps retrying the parent that exists), so a run given one
 * would hang without a message and without noticing Ctrl-C.
 */
export async function createDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return checkIsDirectory(path, error);
    if (errorCode(error) !== 'ENOENT' || dirname(path) === path) throw error;
  }
  await createDirectory(dirname(path));
  try {
    await mkdir(path);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return checkIsDirectory(path, error);
    throw error;
  }
}

async function checkIsDirectory(path: string, error: unknown): Promise<void> {
  if (!(await stat(path)).isDirectory()) throw error;
}

const reasons: Record<string, string> = {
  ENOSPC: 'no space left on the device (ENOSPC)',
  EDQUOT: 'disk quota exceeded (EDQUOT)',
  EROFS: 'the file system is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EEXIST: 'a file that is not a directory is in the way (EEXIST)',
  ENOTDIR: 'a part of the path is a file, not a directory (ENOTDIR)',
  ENOENT: 'the file system does not allow creating it there (ENOENT)',
};

/** A run's file operation that failed, as a `StorageError` that says what, where, why and what to do. */
export function storageError(action: string, path: string, error: unknown, remedy: string): StorageError {
  const code = errorCode(error);
  const reason =
    (code !== undefined ? reasons[code] : undefined) ??
    (error instanceof Error ? error.message : String(error));
  return new StorageError(`Could not ${action} ${path}: ${reason}. ${remedy}`, { path, code, cause: error });
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
