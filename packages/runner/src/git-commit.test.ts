import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitCommit } from './git-commit.js';

// Every expectation is what `git rev-parse HEAD` prints in the same place.
describe('gitCommit', () => {
  let root: string;
  const git = (cwd: string, ...args: string[]) =>
    execa('git', args, {
      cwd,
      env: {
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    });
  const revParse = async (cwd: string) => (await git(cwd, 'rev-parse', 'HEAD')).stdout.trim();
  const commit = async (cwd: string, text: string) => {
    await writeFile(join(cwd, 'file.txt'), text);
    await git(cwd, 'add', 'file.txt');
    await git(cwd, 'commit', '-q', '-m', text);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'evalchemy-git-'));
    await git(root, 'init', '-q', '-b', 'main', 'repo');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the branch HEAD names, from a subdirectory too', async () => {
    const repo = join(root, 'repo');
    await commit(repo, 'one');
    await mkdir(join(repo, 'deep', 'er'), { recursive: true });
    expect(await gitCommit(join(repo, 'deep', 'er'))).toBe(await revParse(repo));
  });

  it('finds a branch that only packed-refs holds, and follows the newer loose ref after a commit', async () => {
    const repo = join(root, 'repo');
    await commit(repo, 'one');
    await git(repo, 'pack-refs', '--all');
    expect(await gitCommit(repo)).toBe(await revParse(repo));
    await commit(repo, 'two');
    expect(await gitCommit(repo)).toBe(await revParse(repo));
  });

  it('reads a detached HEAD', async () => {
    const repo = join(root, 'repo');
    await commit(repo, 'one');
    const first = await revParse(repo);
    await commit(repo, 'two');
    await git(repo, 'checkout', '-q', '--detach', first);
    expect(await gitCommit(repo)).toBe(first);
  });

  it('reads a linked worktree on its own branch', async () => {
    const repo = join(root, 'repo');
    await commit(repo, 'one');
    await git(repo, 'worktree', 'add', '-q', '-b', 'side', join(root, 'side'));
    await commit(join(root, 'side'), 'side work');
    await git(repo, 'pack-refs', '--all');
    const side = await gitCommit(join(root, 'side'));
    expect(side).toBe(await revParse(join(root, 'side')));
    expect(side).not.toBe(await gitCommit(repo));
  });

  it('is null before the first commit and outside a checkout', async () => {
    expect(await gitCommit(join(root, 'repo'))).toBeNull();
    const outside = join(root, 'plain');
    await mkdir(outside);
    // Only meaningful where no directory above the temp dir is a checkout, as git itself would say.
    const gitSays = await execa('git', ['rev-parse', 'HEAD'], { cwd: outside, reject: false });
    expect(await gitCommit(outside)).toBe(gitSays.exitCode === 0 ? gitSays.stdout.trim() : null);
  });
});
