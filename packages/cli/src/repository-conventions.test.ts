// Meta tests: conventions every plugin package of this repository keeps (HOUSE_STYLE.md), so that the next
// plugin copied from an existing one cannot silently drop them.
import { existsSync, globSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pluginManifestSchema } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { knownPlugins } from './known-plugins.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const pluginDirectories = globSync(
  [
    'packages/benchmarks/*/package.json',
    'packages/backends/*/package.json',
    'packages/sandboxes/*/package.json',
  ],
  {
    cwd: root,
  },
).map((path) => join(root, dirname(path)));
const publishedDirectories = globSync(['packages/*/package.json', 'packages/*/*/package.json'], {
  cwd: root,
}).map((path) => join(root, dirname(path)));

describe('plugin packages', () => {
  it('exist', () => {
    expect(pluginDirectories.length).toBeGreaterThan(3);
  });

  for (const directory of pluginDirectories) {
    const folder = basename(directory);
    const kind = { benchmarks: 'benchmark', backends: 'backend', sandboxes: 'sandbox' }[
      basename(dirname(directory))
    ];
    const packageJson = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    describe(packageJson.name, () => {
      it(`is named @evalchemy/${kind}-${folder} and has a valid manifest whose id is its folder name`, () => {
        expect(packageJson.name).toBe(`@evalchemy/${kind}-${folder}`);
        const manifest = pluginManifestSchema.parse(packageJson.evalchemy);
        expect(manifest.id).toBe(folder);
        expect(manifest.kind).toBe(kind);
        expect(packageJson.exports['.'].default).toBe(manifest.entry);
      });

      // A wide range, as honojs/middleware's plugins have on hono: a caret range on a 0.x core would put every
      // plugin out of range (and force its major release) at each core minor release. Whether a plugin fits
      // the installed core is decided at run time by its specificationVersion.
      it('depends on @evalchemy/core as a peer with a wide range and on the workspace copy for development', () => {
        expect(packageJson.peerDependencies?.['@evalchemy/core']).toBe('>=0.1.0');
        expect(packageJson.devDependencies?.['@evalchemy/core']).toBe('workspace:*');
      });
    });
  }
});

describe('the table of known plugins', () => {
  it('lists every published plugin package of the repository, with its kind, id and aliases', () => {
    const published = pluginDirectories
      .map((directory) => JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')))
      .filter((packageJson) => !packageJson.private)
      .map((packageJson) => {
        const { kind, id, aliases } = pluginManifestSchema.parse(packageJson.evalchemy);
        return { kind, id, aliases };
      });
    const byName = (a: { kind: string; id: string }, b: { kind: string; id: string }) =>
      `${a.kind}-${a.id}`.localeCompare(`${b.kind}-${b.id}`);
    expect([...knownPlugins].sort(byName)).toEqual(published.sort(byName));
  });
});

// bin.ts reads the CLI's engines.node to tell a user of an older Node what to install; every package, the
// private ones and the repository's too, asks for the same Node.
describe('engines.node', () => {
  it('is >=22 in every package.json of the repository', () => {
    const ranges = Object.fromEntries(
      [root, ...publishedDirectories].map((directory) => {
        const packageJson = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
        return [packageJson.name, packageJson.engines?.node];
      }),
    );
    expect(new Set(Object.values(ranges)), JSON.stringify(ranges)).toEqual(new Set(['>=22']));
  });
});

describe('published packages', () => {
  for (const directory of publishedDirectories) {
    const packageJson = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    if (packageJson.private) continue;
    it(`${packageJson.name} has a README, a CHANGELOG, ESM exports and engines`, () => {
      expect(existsSync(join(directory, 'README.md'))).toBe(true);
      expect(existsSync(join(directory, 'CHANGELOG.md'))).toBe(true);
      expect(packageJson.type).toBe('module');
      expect(packageJson.files).toContain('dist');
    });
  }
});
