import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBenchmarkPackage } from './create-benchmark-package.js';
import { copyTemplate } from './template.js';

const repositoryRoot = join(import.meta.dirname, '..', '..', '..');
const ranges = {
  '@evalchemy/core': '^0.3.1',
  '@evalchemy/test-kit': '^0.2.0',
  '@types/node': '^22.10.0',
  typescript: '~5.9.3',
  vitest: '^3.2.4',
};
let work: string;
let template: string;

// The template as the build ships it (dist/template), made from this checkout's hello.
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'create-plugin-package-'));
  template = join(work, 'template');
  await copyTemplate(repositoryRoot, template);
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('createBenchmarkPackage', () => {
  it('makes a standalone plugin package named after the id, with published ranges', async () => {
    const directory = join(work, 'my_bench');
    const created = await createBenchmarkPackage({
      id: 'my_bench',
      directory,
      templateDirectory: template,
      ranges,
    });
    expect(created.packageName).toBe('evalchemy-benchmark-my_bench');
    expect(created.files).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'package.json',
        'src/index.ts',
        'src/my-bench-benchmark.ts',
        'src/my-bench-benchmark.test.ts',
        'src/my-bench-options.ts',
        'src/my-bench-scorer.ts',
        'tsconfig.base.json',
        'tsconfig.build.json',
        'tsconfig.json',
      ]),
    );
    const packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    expect(packageJson).toMatchObject({
      name: 'evalchemy-benchmark-my_bench',
      version: '0.1.0',
      evalchemy: { kind: 'benchmark', id: 'my_bench', entry: './dist/index.js' },
      peerDependencies: { '@evalchemy/core': '>=0.3.1' },
      devDependencies: ranges,
      scripts: { test: 'vitest run', prepack: 'npm run build' },
    });
    expect(packageJson.private).toBeUndefined();
    expect(packageJson.evalchemy.template).toBeUndefined();
    expect(JSON.stringify(packageJson)).not.toContain('workspace:');
    const tsconfig = JSON.parse(await readFile(join(directory, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.extends).toBe('./tsconfig.base.json');
    expect(await readFile(join(directory, 'src', 'version.ts'), 'utf8')).toContain("VERSION = '0.1.0'");
    const readme = await readFile(join(directory, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# evalchemy-benchmark-my_bench\n/);
    expect(readme).not.toContain('template-only');
    expect(readme).toContain('npm install evalchemy-benchmark-my_bench');
    expect(await readFile(join(directory, 'src', 'index.ts'), 'utf8')).toContain('createMyBench');
  });

  it('takes a scoped package name', async () => {
    const directory = join(work, 'scoped');
    const created = await createBenchmarkPackage({
      id: 'my_bench',
      directory,
      packageName: '@acme/evalchemy-my-bench',
      templateDirectory: template,
      ranges,
    });
    expect(JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')).name).toBe(
      '@acme/evalchemy-my-bench',
    );
    expect(created.packageName).toBe('@acme/evalchemy-my-bench');
  });

  it('refuses an invalid id, an invalid name, an existing folder and workspace ranges, writing nothing', async () => {
    const directory = join(work, 'refused');
    const settings = { directory, templateDirectory: template, ranges };
    await expect(createBenchmarkPackage({ ...settings, id: 'My Bench' })).rejects.toThrow(
      /Invalid id "My Bench": use lowercase letters/,
    );
    await expect(createBenchmarkPackage({ ...settings, id: 'ok', packageName: 'Bad Name' })).rejects.toThrow(
      /Invalid package name "Bad Name"/,
    );
    await expect(
      createBenchmarkPackage({
        ...settings,
        id: 'ok',
        ranges: { ...ranges, '@evalchemy/test-kit': 'workspace:^' },
      }),
    ).rejects.toThrow(/No published version range for @evalchemy\/test-kit/);
    expect(existsSync(directory)).toBe(false);
    await expect(createBenchmarkPackage({ ...settings, id: 'ok', directory: template })).rejects.toThrow(
      /already exists/,
    );
  });
});
