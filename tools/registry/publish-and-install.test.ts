// Issue 16, "Publishing and installing": every public package is published to a real Verdaccio on 127.0.0.1
// with the changesets release flow (`changeset version`, then `changeset publish`, which packs with `pnpm
// publish` and so turns `workspace:` ranges into real ones), on a copy of this workspace; then, as a user on a
// new machine with only that registry (fresh HOME, npm cache and config, Node 22 from .tools, no path into this
// checkout): `npx @evalchemy/cli list`; a selective install of the CLI, one backend and one benchmark, and a run
// against the test-kit's scripted OpenAI-compatible server; and a third-party benchmark made with
// `npm create @evalchemy/plugin`, tested with the published test-kit alone, published, installed and run by name.
// Needs the build (`pnpm exec nx run-many -t build`): packages are published from their dist.
import { existsSync, globSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { execa } from 'execa';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../packages/test-kit/src/scripted-server.js';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';

const repository = resolve(import.meta.dirname, '..', '..');
const datasets = process.env.EVALCHEMY_DATASETS_DIR ?? resolve(repository, '..', 'shared', 'datasets');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
const readManifest = (directory: string): Manifest =>
  JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));

/** The workspace's package folders, relative, as pnpm-workspace.yaml lists them. */
function workspaceFolders(root: string): string[] {
  // The `packages:` list of pnpm-workspace.yaml, one `- pattern` a line.
  const packages = [
    ...readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').matchAll(/^\s+-\s+['"]?([^'"\s#]+)/gm),
  ].map((match) => match[1] as string);
  return packages
    .flatMap((pattern) => globSync(`${pattern}/package.json`, { cwd: root }).map(dirname))
    .sort();
}

let work: string;
let registry: LocalRegistry;
let server: ScriptedServer;
/** The copy of the workspace that was versioned and published. */
let release: string;
/** Public packages of the copy after `changeset version`: name → folder and manifest. */
const published = new Map<string, { directory: string; manifest: Manifest }>();
/** Unpacked tarballs as the registry serves them: name → folder. */
const tarballs = new Map<string, string>();
const timings: string[] = [];

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings.push(`${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * A user's environment on a new machine: Node 22 (the one running this suite, from .tools) first on PATH, no
 * path into this checkout (no workspace `node_modules/.bin` that could stand in for a missing dependency), a
 * fresh HOME, the suite's npm cache and config, and only the local registry.
 */
function userEnvironment(): Record<string, string> & { PATH: string } {
  const inherited = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(
      (entry) => entry !== '' && !entry.startsWith(repository) && !entry.includes(`node_modules${sep}.bin`),
    );
  return {
    PATH: [dirname(process.execPath), ...inherited].join(delimiter),
    HOME: join(work, 'home'),
    TMPDIR: join(work, 'tmp'),
    LANG: 'C.UTF-8',
    npm_config_registry: registry.url,
    npm_config_userconfig: registry.npmrc,
    npm_config_globalconfig: join(work, 'home', 'npmrc-global'),
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
    EVALCHEMY_DATASETS_DIR: datasets,
  };
}

interface Finished {
  exitCode?: number;
  command: string;
  stdout: string;
  /** stdout and stderr interleaved. */
  all: string;
}

async function run(command: string, args: string[], cwd: string): Promise<Finished> {
  const result = await execa(command, args, {
    cwd,
    env: userEnvironment(),
    extendEnv: false,
    reject: false,
    all: true,
  });
  return { exitCode: result.exitCode, command: result.command, stdout: result.stdout, all: result.all };
}

/** Asserts a command's success, showing its output when it failed. */
function expectSuccess(result: { exitCode?: number; command: string; all?: unknown }): void {
  expect(result.exitCode, `${result.command}\n${String(result.all)}`).toBe(0);
}

/** Every file under `directory`, relative to it, sorted. */
async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

/** The plugins `evalchemy list` shows: package names. */
function listedPackages(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}\S+\s+((?:@[^/\s]+\/)?[^@\s]+)@\d\S*/gm)]
    .map((match) => match[1] as string)
    .sort();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evalchemy-publish-'));
  await mkdir(join(work, 'home'), { recursive: true });
  await mkdir(join(work, 'tmp'), { recursive: true });
  const upstream = (await execa('npm', ['config', 'get', 'registry'])).stdout.trim();
  registry = await timed('registry start', () => startLocalRegistry(join(work, 'verdaccio'), upstream));
  server = await startScriptedServer({
    // gsm8k's answer format; the hello template's benchmark (2+3) scores it by exact match.
    reply: ({ messages = [], prompt = '' }) =>
      `${messages.map((message) => message.content).join('\n')}${prompt}`.includes(
        'Answer with a number only',
      )
        ? '5'
        : 'The answer is 18.',
    recordRequests: false,
  });

  // The release flow on a copy of the workspace, so that nothing here changes: the built packages as they
  // are, the pending changesets, the workspace and lockfile files pnpm and changesets read.
  release = join(work, 'release');
  await timed('copy workspace', async () => {
    for (const file of ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml']) {
      await cp(join(repository, file), join(release, file));
    }
    await cp(join(repository, '.changeset'), join(release, '.changeset'), { recursive: true });
    for (const folder of workspaceFolders(repository)) {
      await cp(join(repository, folder), join(release, folder), {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|\.nx)$/.test(source),
      });
    }
  });
  const changeset = join(repository, 'node_modules', '@changesets', 'cli', 'bin.js');
  // pnpm (from .tools) and npm on PATH; the registry and the throwaway user's token through the npm config.
  const releaseEnvironment = {
    ...userEnvironment(),
    PATH: [
      dirname(process.execPath),
      join(repository, '.tools', 'node_modules', '.bin'),
      ...userEnvironment().PATH.split(delimiter),
    ].join(delimiter),
  };
  await timed('changeset version', async () => {
    const versioned = await execa(process.execPath, [changeset, 'version'], {
      cwd: release,
      env: releaseEnvironment,
      extendEnv: false,
      all: true,
      reject: false,
    });
    if (versioned.exitCode !== 0) throw new Error(`changeset version failed:\n${versioned.all}`);
    // What `pnpm version-packages` does after `changeset version`, on the built file that is published.
    for (const folder of workspaceFolders(release)) {
      const directory = join(release, folder);
      const manifest = readManifest(directory);
      const versionFile = join(directory, 'dist', 'version.js');
      if (existsSync(versionFile)) {
        const source = await readFile(versionFile, 'utf8');
        await writeFile(versionFile, source.replace(/VERSION = '[^']*'/, `VERSION = '${manifest.version}'`));
      }
      if (manifest.private !== true) published.set(manifest.name, { directory, manifest });
    }
    // `pnpm publish` reads the version a `workspace:` range stands for from the linked package in
    // node_modules: the links `pnpm install` makes between workspace packages, and nothing else installed.
    const byName = new Map(
      workspaceFolders(release).map((folder) => [
        readManifest(join(release, folder)).name,
        join(release, folder),
      ]),
    );
    for (const folder of workspaceFolders(release)) {
      const manifest = readManifest(join(release, folder));
      const fields = [
        manifest.dependencies,
        manifest.devDependencies,
        manifest.peerDependencies,
        manifest.optionalDependencies,
      ];
      for (const [dependency, range] of fields.flatMap((field) => Object.entries(field ?? {}))) {
        const target = byName.get(dependency);
        const link = join(release, folder, 'node_modules', dependency);
        if (!range.startsWith('workspace:') || target === undefined || existsSync(link)) continue;
        await mkdir(dirname(link), { recursive: true });
        await symlink(relative(dirname(link), target), link);
      }
    }
  });
  await timed('changeset publish', async () => {
    const publishing = await execa(process.execPath, [changeset, 'publish', '--no-git-tag'], {
      cwd: release,
      env: releaseEnvironment,
      extendEnv: false,
      all: true,
      reject: false,
    });
    if (publishing.exitCode !== 0) {
      throw new Error(`changeset publish failed:\n${publishing.all}\nVerdaccio:\n${registry.output()}`);
    }
  });
  await timed('download tarballs', async () => {
    for (const [name, { manifest }] of published) {
      const packument = (await (await fetch(`${registry.url}${name.replace('/', '%2f')}`)).json()) as {
        versions?: Record<string, { dist: { tarball: string } }>;
      };
      const tarballUrl = packument.versions?.[manifest.version]?.dist.tarball;
      if (tarballUrl === undefined) continue; // reported by the first test
      const target = join(work, 'tarballs', name);
      await mkdir(target, { recursive: true });
      const file = `${target}.tgz`;
      await writeFile(file, Buffer.from(await (await fetch(tarballUrl)).arrayBuffer()));
      await execa('tar', ['-xzf', file, '-C', target, '--strip-components=1']);
      tarballs.set(name, target);
    }
  });
}, 900_000);

afterAll(async () => {
  console.log(
    `publish-and-install timings: ${timings.join(', ')} (${cpus().length} CPUs, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')})`,
  );
  await server?.close();
  await registry?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the release flow', () => {
  it('publishes every public package of the workspace at its new version', () => {
    const publicPackages = workspaceFolders(repository)
      .map((folder) => readManifest(join(repository, folder)))
      .filter((manifest) => manifest.private !== true)
      .map((manifest) => manifest.name)
      .sort();
    expect(publicPackages).toContain('@evalchemy/create-plugin');
    expect([...tarballs.keys()].sort()).toEqual(publicPackages);
  });

  it('leaves no workspace: range, and every range of ours accepts the version published with it', () => {
    const problems: string[] = [];
    for (const [name, directory] of tarballs) {
      const manifest = readManifest(directory);
      for (const field of [
        'dependencies',
        'devDependencies',
        'peerDependencies',
        'optionalDependencies',
      ] as const) {
        for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
          if (range.startsWith('workspace:')) problems.push(`${name} ${field}.${dependency}: ${range}`);
          const ours = published.get(dependency);
          if (
            ours !== undefined &&
            field !== 'devDependencies' &&
            !semver.satisfies(ours.manifest.version, range)
          ) {
            problems.push(
              `${name} ${field}.${dependency}: ${range} excludes the published ${ours.manifest.version}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  // Every package another package or module of its dist imports is installed with it: a dependency, an
  // optional dependency or a peer (npm installs those not marked optional).
  it('declares every package its published code imports', async () => {
    const builtins = new Set((await import('node:module')).builtinModules);
    const problems: string[] = [];
    const imported = new Set<string>();
    for (const [name, directory] of tarballs) {
      const manifest = readManifest(directory);
      const declared = new Set([
        name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.optionalDependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      for (const file of await listFiles(directory)) {
        // node-llama-cpp's published code is laid out in its dist with its own package.json; the template is source.
        if (
          !file.endsWith('.js') ||
          file.startsWith(join('dist', 'template')) ||
          file.includes('node-llama-cpp/dist')
        )
          continue;
        const source = await readFile(join(directory, file), 'utf8');
        for (const match of source.matchAll(
          /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm,
        )) {
          const specifier = (match[1] ?? match[2] ?? match[3]) as string;
          if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
          const parts = specifier.split('/');
          const packageName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
          imported.add(`${name} → ${packageName}`);
          if (!declared.has(packageName)) problems.push(`${name}: ${file} imports ${packageName}`);
        }
      }
    }
    expect([...imported]).toEqual(
      expect.arrayContaining(['@evalchemy/cli → @evalchemy/runner', '@evalchemy/backend-openai → openai']),
    );
    expect([...new Set(problems)]).toEqual([]);
  });

  it('ships only what runs: dist, README, CHANGELOG and the files a package declares it needs', async () => {
    const problems: string[] = [];
    for (const [name, directory] of tarballs) {
      const manifest = readManifest(directory);
      const extras = (manifest.files ?? []).filter(
        (entry) => !['dist', 'README.md', 'CHANGELOG.md'].includes(entry),
      );
      for (const file of await listFiles(directory)) {
        const top = file.split(sep)[0] as string;
        if (!['dist', 'README.md', 'CHANGELOG.md', 'package.json', 'LICENSE', ...extras].includes(top)) {
          problems.push(`${name}: ${file}`);
        }
        // The template create-plugin copies is a package's source, tests included, by design.
        if (file.startsWith(join('dist', 'template', ''))) continue;
        if (/\.test\.[cm]?[jt]s$|__fixtures__|(^|\/)tsconfig[^/]*\.json$|(^|\/)src\//.test(file)) {
          problems.push(`${name}: ${file}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('makes every bin an executable script with a shebang', () => {
    const bins = [...tarballs].flatMap(([name, directory]) => {
      const { bin } = readManifest(directory);
      const paths = bin === undefined ? [] : typeof bin === 'string' ? [bin] : Object.values(bin);
      return paths.map((path) => ({ name, path: join(directory, path) }));
    });
    expect(bins.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['@evalchemy/cli', '@evalchemy/create-plugin']),
    );
    for (const { name, path } of bins) {
      expect(existsSync(path), `${name}: ${path}`).toBe(true);
      expect(readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node\n'), `${name}: ${path}`).toBe(true);
      expect(statSync(path).mode & 0o111, `${name}: ${path} is not executable`).not.toBe(0);
    }
  });
});

describe('a user with only the registry', () => {
  it('runs npx @evalchemy/cli list in an empty directory: no plugin installed', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty);
    const list = await timed('npx @evalchemy/cli list', () =>
      run('npx', ['--yes', '@evalchemy/cli', 'list'], empty),
    );
    expectSuccess(list);
    expect(listedPackages(list.stdout)).toEqual([]);
    expect(list.stdout).toContain('Benchmarks:\n  (none installed)');
    expect(list.stdout).toContain('Backends:\n  (none installed)');
    // … and how to install one, naming the published packages.
    expect(list.stdout).toContain(
      '(none installed) install one with: npm install @evalchemy/benchmark-<name>',
    );
    expect(list.stdout).toMatch(/published: .*\bgsm8k\b/);
  }, 600_000);

  it('installs the CLI, one backend and one benchmark, lists exactly those, and runs gsm8k', async () => {
    const project = join(work, 'consumer');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), '{ "name": "consumer", "private": true }\n');
    const selection = ['@evalchemy/cli', '@evalchemy/backend-openai', '@evalchemy/benchmark-gsm8k'];
    expectSuccess(
      await timed('npm install (selective)', () => run('npm', ['install', ...selection], project)),
    );

    const list = await run('npx', ['evalchemy', 'list'], project);
    expectSuccess(list);
    expect(listedPackages(list.stdout)).toEqual(['@evalchemy/backend-openai', '@evalchemy/benchmark-gsm8k']);

    const evaluation = await timed('evalchemy run gsm8k', () =>
      run(
        'npx',
        [
          'evalchemy',
          'run',
          '--model',
          'openai',
          '--model_args',
          `model=m,base_url=${server.url}`,
          '--tasks',
          'gsm8k',
          '--limit',
          '3',
          '--output_path',
          'results',
        ],
        project,
      ),
    );
    expectSuccess(evaluation);
    const results = globSync('results/**/results_*.json', { cwd: project });
    expect(results).toHaveLength(1);
    const written = JSON.parse(readFileSync(join(project, results[0] as string), 'utf8'));
    expect(written['n-samples']).toEqual({ gsm8k: { effective: 3, scored: 3, failed: 0 } });
  }, 600_000);

  it('creates a benchmark with npm create @evalchemy/plugin, tests it with the published test-kit, publishes it, and runs it by name', async () => {
    const author = join(work, 'author');
    await mkdir(author);
    const created = await timed('npm create @evalchemy/plugin', () =>
      run('npm', ['create', '--yes', '@evalchemy/plugin', 'my_bench'], author),
    );
    expectSuccess(created);
    const plugin = join(author, 'my_bench');
    const manifest = readManifest(plugin);
    expect(manifest.name).toBe('evalchemy-benchmark-my_bench');
    for (const name of ['@evalchemy/core', '@evalchemy/test-kit']) {
      const range = manifest.devDependencies?.[name] as string;
      expect(
        semver.satisfies(published.get(name)?.manifest.version as string, range),
        `${name} ${range}`,
      ).toBe(true);
    }
    expectSuccess(await timed('plugin npm install', () => run('npm', ['install'], plugin)));
    const tested = await timed('plugin npm test', () => run('npm', ['test'], plugin));
    expectSuccess(tested);
    expect(tested.all).toMatch(/Tests\s+\d+ passed/);
    expectSuccess(await timed('plugin npm publish', () => run('npm', ['publish'], plugin)));

    const project = join(work, 'consumer');
    expectSuccess(
      await timed('npm install plugin', () =>
        run('npm', ['install', 'evalchemy-benchmark-my_bench'], project),
      ),
    );
    const list = await run('npx', ['evalchemy', 'list'], project);
    expect(listedPackages(list.stdout)).toEqual([
      '@evalchemy/backend-openai',
      '@evalchemy/benchmark-gsm8k',
      'evalchemy-benchmark-my_bench',
    ]);
    const evaluation = await timed('evalchemy run my_bench', () =>
      run(
        'npx',
        [
          'evalchemy',
          'run',
          '--model',
          'openai',
          '--model_args',
          `model=m,base_url=${server.url}`,
          '--tasks',
          'my_bench',
          '--output_path',
          'plugin-results',
        ],
        project,
      ),
    );
    expectSuccess(evaluation);
    const results = globSync('plugin-results/**/results_*.json', { cwd: project });
    expect(results).toHaveLength(1);
    // The template's five sums, every one answered and scored.
    expect(JSON.parse(readFileSync(join(project, results[0] as string), 'utf8'))['n-samples']).toEqual({
      my_bench: { effective: 5, scored: 5, failed: 0 },
    });
  }, 900_000);
});
