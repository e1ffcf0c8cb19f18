import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverPlugins } from '../packages/cli/src/plugin-discovery.js';
import { pluginManifestSchema } from '../packages/core/src/manifest.js';
import { createPlugin, identifierForms } from './create-plugin.js';
import { importedModules } from './dependency-rules.js';

const repositoryRoot = join(import.meta.dirname, '..');
let root: string;

/** Every file under `directory`, relative to it, sorted. */
async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort();
}

// A temporary repository holding only the template, with an installed and a built file that must not be copied.
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'create-plugin-'));
  const template = join(root, 'packages', 'benchmarks', 'hello');
  await cp(join(repositoryRoot, 'packages', 'benchmarks', 'hello'), template, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
  });
  await mkdir(join(template, 'node_modules', 'zod'), { recursive: true });
  await writeFile(join(template, 'node_modules', 'zod', 'index.js'), 'export {};\n');
  await mkdir(join(template, 'dist'));
  await writeFile(join(template, 'dist', 'index.js'), 'export default createHello();\n');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('create-plugin benchmark <id>', () => {
  it('copies the template as a publishable package renamed after the id, with a changeset', async () => {
    const created = await createPlugin({ kind: 'benchmark', id: 'my_task2', root });
    const directory = join(root, 'packages', 'benchmarks', 'my_task2');
    expect(created).toMatchObject({ packageName: '@evalchemy/benchmark-my_task2', directory });

    expect(await listFiles(directory)).toEqual([
      'CHANGELOG.md',
      'README.md',
      'package.json',
      'src/index.ts',
      'src/my-task2-benchmark.test.ts',
      'src/my-task2-benchmark.ts',
      'src/my-task2-options.ts',
      'src/my-task2-scorer.test.ts',
      'src/my-task2-scorer.ts',
      'src/version.ts',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
    for (const file of await listFiles(directory)) {
      expect(await readFile(join(directory, file), 'utf8'), file).not.toMatch(/hello/i);
    }

    const packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    expect(packageJson).toMatchObject({ name: '@evalchemy/benchmark-my_task2', version: '0.1.0' });
    expect(packageJson).not.toHaveProperty('private');
    expect(packageJson.evalchemy).not.toHaveProperty('template');
    expect(packageJson.scripts.test).toMatch(/--project @evalchemy\/benchmark-my_task2$/);
    expect(pluginManifestSchema.parse(packageJson.evalchemy)).toMatchObject({
      kind: 'benchmark',
      id: 'my_task2',
      entry: './dist/index.js',
    });

    const index = await readFile(join(directory, 'src', 'index.ts'), 'utf8');
    expect(index).toContain("} from './my-task2-benchmark.js';");
    expect(index).toContain('MyTask2Benchmark');
    expect(index).toContain('myTask2OptionsSchema');
    expect(index).toContain('export default createMyTask2();');
    expect(await readFile(join(directory, 'src', 'my-task2-benchmark.ts'), 'utf8')).toContain(
      "readonly id = 'my_task2';",
    );
    expect(await readFile(join(directory, 'src', 'version.ts'), 'utf8')).toContain("VERSION = '0.1.0'");
    expect(await readFile(join(directory, 'CHANGELOG.md'), 'utf8')).toBe('# @evalchemy/benchmark-my_task2\n');
    const readme = await readFile(join(directory, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# @evalchemy\/benchmark-my_task2\n/);
    expect(readme).toContain('## Options (`tasks.my_task2`)');
    expect(readme).not.toContain('template-only');
    expect(readme).not.toContain('## The template');

    expect(await readFile(join(root, '.changeset', 'my_task2.md'), 'utf8')).toBe(
      '---\n"@evalchemy/benchmark-my_task2": minor\n---\n\nAdd the my_task2 benchmark.\n',
    );
  });

  it('makes a plugin whose sources and tests use only @evalchemy/core and @evalchemy/test-kit of ours', async () => {
    const { directory, files } = await createPlugin({ kind: 'benchmark', id: 'my_task2', root });
    const packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    const ours = (dependencies: Record<string, string> = {}) =>
      Object.keys(dependencies).filter((name) => name.startsWith('@evalchemy/'));
    expect(ours(packageJson.dependencies)).toEqual([]);
    expect(ours(packageJson.peerDependencies)).toEqual(['@evalchemy/core']);
    expect(ours(packageJson.devDependencies)).toEqual(['@evalchemy/core', '@evalchemy/test-kit']);
    const imported = new Set<string>();
    for (const file of files.filter((name) => name.endsWith('.ts'))) {
      for (const specifier of importedModules(await readFile(join(directory, file), 'utf8'))) {
        if (specifier.startsWith('@evalchemy/')) imported.add(specifier);
      }
    }
    expect([...imported].sort()).toEqual(['@evalchemy/core', '@evalchemy/test-kit']);
  });

  it('makes a plugin the CLI discovers (the template is none: its manifest says "template": true)', async () => {
    await createPlugin({ kind: 'benchmark', id: 'my_task2', root });
    await writeFile(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/benchmarks/*\n');
    const realRoot = await realpath(root);
    const found = (await discoverPlugins(root)).filter((plugin) => plugin.directory.startsWith(realRoot));
    expect(found.map((plugin) => plugin.packageName)).toEqual(['@evalchemy/benchmark-my_task2']);
  });

  it('refuses a folder that exists, naming it', async () => {
    await createPlugin({ kind: 'benchmark', id: 'my_task2', root });
    await expect(createPlugin({ kind: 'benchmark', id: 'my_task2', root })).rejects.toThrow(
      'packages/benchmarks/my_task2 already exists: choose another id, or remove that folder first.',
    );
    await expect(createPlugin({ kind: 'benchmark', id: 'hello', root })).rejects.toThrow(/already exists/);
  });

  it.each(['My_Task', 'my task', '_task', 'task!', ''])(
    'refuses the invalid id %j and writes nothing',
    async (id) => {
      await expect(createPlugin({ kind: 'benchmark', id, root })).rejects.toThrow(
        `Invalid id "${id}": use lowercase letters, digits, "_" and "-", starting with a letter`,
      );
      expect(await readdir(join(root, 'packages', 'benchmarks'))).toEqual(['hello']);
      expect(await readdir(root)).toEqual(['packages']);
    },
  );

  it('refuses an id starting with a digit, which cannot start a class name', async () => {
    await expect(createPlugin({ kind: 'benchmark', id: '2wiki', root })).rejects.toThrow(
      'Invalid id "2wiki": it must start with a letter',
    );
  });

  it('supports only benchmarks', async () => {
    await expect(createPlugin({ kind: 'backend', id: 'my_backend', root })).rejects.toThrow(
      'Cannot create a plugin of kind "backend": only "benchmark" is supported for now.',
    );
  });

  it('runs as `pnpm create-plugin`: next steps on success, the error and exit code 1 otherwise', () => {
    const run = (...args: string[]) =>
      spawnSync(join(repositoryRoot, 'node_modules', '.bin', 'tsx'), ['tools/create-plugin.ts', ...args], {
        cwd: repositoryRoot,
        encoding: 'utf8',
      });
    const created = run('benchmark', 'aime99', '--root', root);
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('Created packages/benchmarks/aime99 (@evalchemy/benchmark-aime99)');
    expect(created.stdout).toContain('pnpm install');
    const refused = run('benchmark', 'aime99', '--root', root);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      'create-plugin: packages/benchmarks/aime99 already exists: choose another id, or remove that folder first.\n',
    );
    const usage = run('benchmark');
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain('Only "benchmark" is supported for now.');
  });
});

describe('identifierForms', () => {
  it.each([
    ['arc_challenge', 'arc-challenge', 'arcChallenge', 'ArcChallenge', 'ARC_CHALLENGE'],
    ['aime25', 'aime25', 'aime25', 'Aime25', 'AIME25'],
    ['my-task', 'my-task', 'myTask', 'MyTask', 'MY_TASK'],
  ])('%s → %s, %s, %s, %s', (id, kebab, camel, pascal, constant) => {
    expect(identifierForms(id)).toEqual({ id, kebab, camel, pascal, constant });
  });
});
