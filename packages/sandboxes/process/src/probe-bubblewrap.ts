import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { execa } from 'execa';

/**
 * Finds bwrap on the host PATH and runs `bwrap --help`: undefined when it cannot be started, else its absolute
 * path and whether it knows the flags `--size` and `--disable-userns` of bubblewrap ≥ 0.8, which the sandbox
 * needs.
 */
export async function probeBubblewrap(
  bwrapPath: string,
): Promise<{ path: string; modern: boolean } | undefined> {
  const path = resolveExecutable(bwrapPath);
  if (path === undefined) return undefined;
  const result = await execa(path, ['--help'], { reject: false, timeout: 10_000 });
  const help = `${result.stdout}\n${result.stderr}`;
  if (!help.includes('--unshare-all')) return undefined;
  return { path, modern: help.includes('--disable-userns') && help.includes('--size') };
}

function resolveExecutable(name: string): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Why a bubblewrap older than 0.8 is refused, and what to do. */
export function oldBubblewrapMessage(path: string): string {
  return (
    `process sandbox: ${path} is older than bubblewrap 0.8 (it lacks --size and --disable-userns), so the ` +
    "sandbox's /tmp, /work and /dev/shm could not be bounded and a program could fill the host's memory. " +
    'Install bubblewrap 0.8 or newer (Debian 12, Ubuntu 24.04), or use the Docker sandbox (`--sandbox docker`).'
  );
}
