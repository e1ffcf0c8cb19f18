import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';

const objectId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Commit of the git checkout `directory` is in (the user's project), as `git rev-parse HEAD` prints it, or
 * null outside a checkout or before the first commit. Read from the repository's files: HEAD, then the
 * branch it names as a loose ref or in `packed-refs`, in the common directory of a linked worktree. Spawning
 * `git` costs more than the read: forking a process with a large heap blocks the event loop for 5–30 ms.
 * Layouts the reader does not know (`GIT_DIR` set, reftable refs, anything unexpected) go to `git`.
 */
export async function gitCommit(directory: string): Promise<string | null> {
  if (process.env.GIT_DIR === undefined) {
    try {
      return await readHeadCommit(directory);
    } catch {
      // A layout the reader does not know, or a file it may not read: `git` decides.
    }
  }
  const result = await execa('git', ['rev-parse', 'HEAD'], { cwd: directory, reject: false, timeout: 5000 });
  return result.exitCode === 0 && typeof result.stdout === 'string' ? result.stdout.trim() : null;
}

async function readHeadCommit(directory: string): Promise<string | null> {
  const gitDirectory = await findGitDirectory(resolve(directory));
  if (gitDirectory === null) return null;
  const commondirFile = await readText(join(gitDirectory, 'commondir'));
  const commonDirectory =
    commondirFile === undefined ? gitDirectory : resolve(gitDirectory, commondirFile.trim());
  if (existsSync(join(commonDirectory, 'reftable'))) throw new Error('unknown repository layout');

  let name = 'HEAD';
  for (let depth = 0; depth < 5; depth++) {
    const content =
      (await readText(join(gitDirectory, name))) ??
      (name === 'HEAD' || commonDirectory === gitDirectory
        ? undefined
        : await readText(join(commonDirectory, name)));
    const value = content?.trim() ?? (await packedRef(commonDirectory, name));
    if (value === undefined) return null; // a branch with no commit yet
    if (objectId.test(value)) return value;
    if (!value.startsWith('ref: ')) throw new Error('unknown repository layout');
    name = value.slice('ref: '.length).trim();
  }
  throw new Error('unknown repository layout');
}

/** The `.git` directory of the checkout containing `start` (following a worktree's `.git` file), or null. */
async function findGitDirectory(start: string): Promise<string | null> {
  for (let current = start; ; current = dirname(current)) {
    const dotGit = join(current, '.git');
    const info = await stat(dotGit).catch(() => undefined);
    if (info?.isDirectory()) return dotGit;
    if (info?.isFile()) {
      const pointer = /^gitdir: (.+)$/m.exec((await readText(dotGit)) ?? '');
      if (pointer === null) throw new Error('unknown repository layout');
      return resolve(current, pointer[1]!.trim());
    }
    if (dirname(current) === current) return null;
  }
}

async function packedRef(commonDirectory: string, name: string): Promise<string | undefined> {
  const packed = await readText(join(commonDirectory, 'packed-refs'));
  for (const line of packed?.split('\n') ?? []) {
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const [id, ref] = line.trim().split(' ');
    if (ref === name && id !== undefined) return id;
  }
  return undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}
