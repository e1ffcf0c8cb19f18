import { cp, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

const skippedEntries = new Set(['node_modules', 'dist', '.nx']);

/** The template's files, relative to it, without installed or built ones. */
export async function templateFiles(template: string): Promise<string[]> {
  const entries = await readdir(template, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(template, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split(/[\\/]/).some((part) => skippedEntries.has(part)))
    .sort();
}

/**
 * Copies the repository's template benchmark (`packages/benchmarks/hello`) and the TypeScript settings it
 * extends (`tsconfig.base.json`, kept as a file of the template) into `target`: what this package ships, so
 * that a package created outside the repository builds and tests the same way.
 */
export async function copyTemplate(repositoryRoot: string, target: string): Promise<void> {
  const hello = join(repositoryRoot, 'packages', 'benchmarks', 'hello');
  for (const path of await templateFiles(hello)) {
    await cp(join(hello, path), join(target, path));
  }
  await cp(join(repositoryRoot, 'tsconfig.base.json'), join(target, 'tsconfig.base.json'));
}
