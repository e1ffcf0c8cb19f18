import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TinyFileSystem {
  /** Where it is mounted. */
  path: string;
  unmount(): Promise<void>;
}

/**
 * A real full disk for tests: a tmpfs of `sizeKb` KiB mounted on a fresh directory. Mounting needs root (CI
 * runs as root); elsewhere the test is skipped with the reason.
 */
export async function mountTinyFileSystem(
  sizeKb: number,
  skip: (note: string) => never,
): Promise<TinyFileSystem> {
  const path = await mkdtemp(join(tmpdir(), 'evalchemy-tiny-disk-'));
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', path], {
    reject: false,
  });
  if (mounted.exitCode !== 0) {
    await rm(path, { recursive: true, force: true });
    skip(`cannot mount a tmpfs to fill up (needs root): ${mounted.stderr || mounted.message}`);
  }
  return {
    path,
    async unmount() {
      await execa('umount', [path]);
      await rm(path, { recursive: true, force: true });
    },
  };
}
