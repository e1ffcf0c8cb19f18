// `pnpm version-packages`: applies the pending changesets (`changeset version`), then writes each package's
// new version into its `src/version.ts`, which changesets does not know about. Every plugin reports `VERSION`
// in results files, and its tests check that it equals package.json.
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const versionLine = /^export const VERSION = '[^']*';$/m;

/** Rewrites `src/version.ts` of every package below `root/packages` whose version differs; returns the changed paths. */
export async function syncVersionFiles(root: string): Promise<string[]> {
  const changed: string[] = [];
  const entries = await readdir(join(root, 'packages'), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (entry.name !== 'package.json' || entry.parentPath.includes('node_modules')) continue;
    const { version } = JSON.parse(await readFile(join(entry.parentPath, entry.name), 'utf8')) as {
      version: string;
    };
    const path = join(entry.parentPath, 'src', 'version.ts');
    const source = await readFile(path, 'utf8').catch(() => undefined);
    if (source === undefined || !versionLine.test(source)) continue;
    const updated = source.replace(versionLine, `export const VERSION = '${version}';`);
    if (updated !== source) {
      await writeFile(path, updated);
      changed.push(path);
    }
  }
  return changed;
}

if (import.meta.filename === process.argv[1]) {
  const root = join(import.meta.dirname, '..');
  execFileSync('pnpm', ['exec', 'changeset', 'version'], { cwd: root, stdio: 'inherit' });
  for (const path of await syncVersionFiles(root)) console.log(`updated ${path.slice(root.length + 1)}`);
}
