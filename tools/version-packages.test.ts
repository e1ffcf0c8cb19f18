import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncVersionFiles } from './version-packages.js';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function writePackage(directory: string, version: string, versionFile?: string) {
  await mkdir(join(directory, 'src'), { recursive: true });
  await writeFile(join(directory, 'package.json'), JSON.stringify({ name: 'x', version }));
  if (versionFile !== undefined) await writeFile(join(directory, 'src', 'version.ts'), versionFile);
}

describe('syncVersionFiles', () => {
  it("writes each package's new version into src/version.ts and leaves the rest of the file alone", async () => {
    root = await mkdtemp(join(tmpdir(), 'version-packages-'));
    const header = '/** Version of this package. */\n';
    const bumped = join(root, 'packages', 'benchmarks', 'gsm8k');
    const current = join(root, 'packages', 'core');
    await writePackage(bumped, '0.2.0', `${header}export const VERSION = '0.1.0';\n`);
    await writePackage(current, '0.1.0', `${header}export const VERSION = '0.1.0';\n`);
    await writePackage(join(root, 'packages', 'cli'), '0.3.0');

    const changed = await syncVersionFiles(root);

    expect(changed).toEqual([join(bumped, 'src', 'version.ts')]);
    expect(await readFile(join(bumped, 'src', 'version.ts'), 'utf8')).toBe(
      `${header}export const VERSION = '0.2.0';\n`,
    );
  });
});
