// What npm installs with the published packages, read from the manifests of this workspace and of the
// third-party packages installed here: dependencies, optional dependencies and peers (npm installs the peers
// not marked optional; devDependencies never reach a user). tools/bench/install-size.ts measures the sizes
// from a registry; these checks catch the causes without one.
import { existsSync, globSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const root = join(import.meta.dirname, '..');
const read = (directory: string): Manifest =>
  JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
const published = globSync(['packages/*/package.json', 'packages/*/*/package.json'], { cwd: root })
  .map((path) => join(root, dirname(path)))
  .filter((directory) => read(directory).private !== true);

/** Every dependency, optional dependency and peer declared by the published packages and what they install. */
function declaredDependencies(): Array<{ by: string; name: string; range: string }> {
  const declared: Array<{ by: string; name: string; range: string }> = [];
  const visited = new Set<string>();
  const pending = [...published];
  while (pending.length > 0) {
    const directory = realpathSync(pending.pop()!);
    if (visited.has(directory)) continue;
    visited.add(directory);
    const manifest = read(directory);
    const by = `${manifest.name}@${manifest.version}`;
    const installed = { ...manifest.optionalDependencies, ...manifest.dependencies };
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      declared.push({ by, name, range });
      if (manifest.peerDependenciesMeta?.[name]?.optional !== true) installed[name] = range;
    }
    for (const [name, range] of Object.entries(installed)) {
      declared.push({ by, name, range });
      // Resolved as Node resolves it from the package; an optional dependency for another platform is absent.
      const found = createRequire(join(directory, 'package.json'))
        .resolve.paths(name)
        ?.map((path) => join(path, name))
        .find((path) => existsSync(join(path, 'package.json')));
      if (found !== undefined) pending.push(found);
    }
  }
  return declared;
}

const declared = declaredDependencies();

describe('what npm installs with the published packages', () => {
  it('covers the published packages and their dependencies', () => {
    expect(published.length).toBeGreaterThan(10);
    expect(declared.some(({ by }) => by.startsWith('openai@'))).toBe(true);
  });

  // npm nests a copy of zod under every package whose range the top-level copy does not satisfy: with the
  // openai SDK's optional zod 3 peer, that was a 4 MB zod 4 in each evalchemy package.
  it('holds a single zod: the zod installed here satisfies every zod range and zod peer on the way', () => {
    const zodVersion = read(join(root, 'packages', 'core', 'node_modules', 'zod')).version;
    const unsatisfied = declared.filter(
      ({ name, range }) =>
        name === 'zod' && !range.startsWith('workspace:') && !semver.satisfies(zodVersion, range),
    );
    expect(unsatisfied).toEqual([]);
  });

  // The GPU builds are installed on request, and so are the Linux and Windows ARM builds: they declare x64
  // too (node-llama-cpp packages Electron apps across architectures), so npm would put them on every x64 machine.
  it('holds only the CPU builds of llama.cpp for x64 and Apple silicon', () => {
    const builds = new Set(
      declared.filter(({ name }) => name.startsWith('@node-llama-cpp/')).map(({ name }) => name),
    );
    expect([...builds].sort()).toEqual([
      '@node-llama-cpp/linux-x64',
      '@node-llama-cpp/mac-arm64-metal',
      '@node-llama-cpp/mac-x64',
      '@node-llama-cpp/win-x64',
    ]);
  });
});
