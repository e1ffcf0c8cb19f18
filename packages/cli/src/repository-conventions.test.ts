// Meta tests: conventions every plugin package of this repository keeps (HOUSE_STYLE.md), so that the next
// plugin copied from an existing one cannot silently drop them.
import { existsSync, globSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pluginManifestSchema } from '@evalchemy/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { knownPlugins, knownSubtasks, knownTags } from './known-plugins.js';

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

/**
 * The `hub.revision` of every data-file literal (`hub: { repository, revision, path }`) in a package's sources,
 * read with the TypeScript parser so that examples in comments do not count; a name is resolved through the
 * package's string constants (`revision: mmluHubRevision`). `undefined` when it is neither.
 */
function hubRevisions(directory: string): { where: string; revision: string | undefined }[] {
  const sources = globSync('src/**/*.ts', { cwd: directory })
    .filter((path) => !path.endsWith('.test.ts') && !path.includes('__fixtures__'))
    .map((path) =>
      ts.createSourceFile(path, readFileSync(join(directory, path), 'utf8'), ts.ScriptTarget.Latest),
    );
  const constants = new Map<string, string>();
  const revisions: { where: string; name?: string; revision?: string }[] = [];
  const visit = (node: ts.Node, source: ts.SourceFile) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      if (ts.isStringLiteralLike(node.initializer)) constants.set(node.name.text, node.initializer.text);
    }
    if (
      ts.isPropertyAssignment(node) &&
      node.name.getText(source) === 'hub' &&
      ts.isObjectLiteralExpression(node.initializer)
    ) {
      for (const property of node.initializer.properties) {
        if (property.name?.getText(source) !== 'revision') continue;
        const where = `${source.fileName}:${source.getLineAndCharacterOfPosition(property.getStart(source)).line + 1}`;
        const value = ts.isPropertyAssignment(property) ? property.initializer : property.name;
        if (ts.isStringLiteralLike(value)) revisions.push({ where, revision: value.text });
        else revisions.push({ where, name: value.getText(source) });
      }
    }
    ts.forEachChild(node, (child) => visit(child, source));
  };
  for (const source of sources) visit(source, source);
  return revisions.map(({ where, name, revision }) => ({
    where,
    revision: revision ?? (name === undefined ? undefined : constants.get(name)),
  }));
}

// Issue 12: a data file is pinned to a Hub commit, not to a branch that can move. Where no commit could be
// found, the README says so and the sha256 stays the pin.
describe('benchmark data files', () => {
  const unpinnedStatement = 'Hub revision not pinned';
  for (const directory of pluginDirectories.filter((path) => basename(dirname(path)) === 'benchmarks')) {
    it(`of ${basename(directory)} are pinned to a Hub commit, or its README says why not`, () => {
      const unpinned = hubRevisions(directory).filter(
        ({ revision }) => revision === undefined || !/^[0-9a-f]{40}$/.test(revision),
      );
      if (unpinned.length === 0) return;
      const readme = readFileSync(join(directory, 'README.md'), 'utf8');
      expect(
        readme.includes(unpinnedStatement),
        `${unpinned.map(({ where, revision }) => `${where}: revision ${revision ?? '(not a string constant)'}`).join(', ')} ` +
          `in ${directory}: set hub.revision to the 40-hex commit, or say in README.md under "${unpinnedStatement}" ` +
          'that the Hub commit could not be looked up, that the sha256 is the pin, and how a user can pin it.',
      ).toBe(true);
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

  it('lists every tag of the published benchmarks with all the benchmarks carrying it, none an id', () => {
    const tags: Record<string, string[]> = {};
    for (const directory of pluginDirectories) {
      const packageJson = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
      if (packageJson.private) continue;
      const { id, tags: own } = pluginManifestSchema.parse(packageJson.evalchemy);
      for (const tag of own) tags[tag] = [...(tags[tag] ?? []), id];
    }
    for (const members of Object.values(tags)) members.sort();
    expect(knownTags).toEqual(tags);
    const ids = new Set(knownPlugins.map((plugin) => plugin.id));
    expect(Object.keys(knownTags).filter((tag) => ids.has(tag))).toEqual([]);
  });

  it("lists hendrycks_math's subject tasks as its parts, as its source declares them", () => {
    const source = readFileSync(
      join(root, 'packages/benchmarks/hendrycks_math/src/hendrycks-math-subjects.ts'),
      'utf8',
    );
    const declared = [...source.matchAll(/task: '([a-z_]+)'/g)].map((match) => match[1]);
    expect(declared).toHaveLength(7);
    expect(
      Object.entries(knownSubtasks)
        .filter(([, part]) => part.benchmark === 'hendrycks_math')
        .map(([task]) => task),
    ).toEqual(declared);
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
