import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedVersion, ownVersion } from './installed-version.js';
import { knownSubtasks } from './known-plugins.js';
import {
  chooseSpecification,
  corePeerRangeWarnings,
  discoverPlugins,
  findBenchmarks,
  findPlugin,
  findPlugins,
  loadPlugin,
} from './plugin-discovery.js';

const cliVersion = ownVersion();
const coreVersion = installedVersion('@evalchemy/core');

/** A temporary project folder (its real path: tmpdir may be a link). */
async function project(): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), 'evalchemy-discovery-')));
}

/**
 * Writes a benchmark package claiming `id` whose entry, when imported, creates `<package>/imported`: a test
 * can tell whether the CLI ran a package's code.
 */
async function benchmarkPackage(
  directory: string,
  settings: {
    name: string;
    id: string;
    version?: string;
    entry?: string;
    aliases?: string[];
    tags?: string[];
    specification?: string | string[];
  },
): Promise<void> {
  await mkdir(directory, { recursive: true });
  const manifest = {
    manifestVersion: 1,
    kind: 'benchmark',
    id: settings.id,
    aliases: settings.aliases ?? [],
    ...(settings.tags ? { tags: settings.tags } : {}),
    entry: settings.entry ?? './index.js',
    specification: settings.specification ?? 'v1',
  };
  await writeFile(
    join(directory, 'package.json'),
    JSON.stringify({
      name: settings.name,
      version: settings.version ?? '1.0.0',
      type: 'module',
      evalchemy: manifest,
    }),
  );
  await writeFile(join(directory, 'index.js'), pluginSource(settings.id, join(directory, 'imported')));
}

function pluginSource(id: string, marker: string): string {
  return [
    "import { writeFileSync } from 'node:fs';",
    `writeFileSync(${JSON.stringify(marker)}, '');`,
    `export default { specificationVersion: 'v1', kind: 'benchmark', id: ${JSON.stringify(id)}, doLoad() {}, doPlan() {}, doScore() {} };`,
  ].join('\n');
}

async function load(directory: string, name: string) {
  return loadPlugin(findPlugin(await discoverPlugins(directory), 'benchmark', name), 'benchmark');
}

describe('plugin entries stay inside their package', () => {
  it('rejects an entry that climbs out of the package with "..", naming the package and the entry', async () => {
    const root = await project();
    const outside = join(root, 'outside.js');
    await writeFile(outside, pluginSource('climber', join(root, 'imported')));
    await benchmarkPackage(join(root, 'node_modules', 'climber-bench'), {
      name: 'climber-bench',
      id: 'climber',
      entry: './../../outside.js',
    });
    await expect(load(root, 'climber')).rejects.toThrow(
      /climber-bench has an invalid "evalchemy" manifest in package\.json: entry "\.\/\.\.\/\.\.\/outside\.js": must be a path inside the package/,
    );
    expect(existsSync(join(root, 'imported'))).toBe(false);
  });

  it('rejects an entry whose symbolic link leads out of the package, naming where it leads', async () => {
    const root = await project();
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'index.js'), pluginSource('linked', join(root, 'imported')));
    const directory = join(root, 'node_modules', 'linked-bench');
    await benchmarkPackage(directory, { name: 'linked-bench', id: 'linked', entry: './dist/index.js' });
    await symlink(elsewhere, join(directory, 'dist'));
    await expect(load(root, 'linked')).rejects.toThrow(
      `Plugin package linked-bench (${directory}): its entry "./dist/index.js" is ${join(elsewhere, 'index.js')}, outside the package`,
    );
    expect(existsSync(join(root, 'imported'))).toBe(false);
  });

  it('loads a package installed as a link, as pnpm installs workspace packages, found once', async () => {
    const root = await project();
    await writeFile(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
    const real = join(root, 'packages', 'custom');
    await benchmarkPackage(real, { name: 'custom-bench', id: 'custom' });
    await mkdir(join(root, 'node_modules'));
    await symlink(real, join(root, 'node_modules', 'custom-bench'));
    const plugins = await discoverPlugins(root);
    expect(plugins.filter((plugin) => plugin.packageName === 'custom-bench')).toHaveLength(1);
    expect((await load(root, 'custom')).id).toBe('custom');
    expect(existsSync(join(real, 'imported'))).toBe(true);
  });
});

describe('the contract versions a manifest lists', () => {
  it('runs a plugin that lists several versions as the newest one this CLI supports', async () => {
    const root = await project();
    const directory = join(root, 'node_modules', 'versatile-bench');
    await benchmarkPackage(directory, {
      name: 'versatile-bench',
      id: 'versatile',
      specification: ['v2', 'v1'],
    });
    const plugin = findPlugin(await discoverPlugins(root), 'benchmark', 'versatile');
    expect(chooseSpecification(plugin)).toBe('v1');
    expect((await loadPlugin(plugin, 'benchmark')).specificationVersion).toBe('v1');
  });

  it('refuses a plugin implementing only versions this CLI does not support, naming both sides, before its code runs', async () => {
    const root = await project();
    const directory = join(root, 'node_modules', 'future-bench');
    await benchmarkPackage(directory, { name: 'future-bench', id: 'future', specification: ['v3', 'v2'] });
    await expect(load(root, 'future')).rejects.toThrow(
      `Plugin package future-bench@1.0.0 (${directory}) implements contract versions v2, v3, and this ` +
        `@evalchemy/cli ${cliVersion} (@evalchemy/core ${coreVersion}) supports version v1: it cannot run here. ` +
        'It was built for a newer @evalchemy/core: update @evalchemy/cli (npm install @evalchemy/cli@latest) to one ' +
        'that supports v2 or v3, or install an older version of future-bench that implements v1.',
    );
    expect(existsSync(join(directory, 'imported'))).toBe(false);
  });

  it('reads a single version as published plugins write it, and refuses one this CLI does not support', async () => {
    const root = await project();
    await benchmarkPackage(join(root, 'node_modules', 'current-bench'), {
      name: 'current-bench',
      id: 'current',
    });
    expect((await load(root, 'current')).id).toBe('current');
    await benchmarkPackage(join(root, 'node_modules', 'next-bench'), {
      name: 'next-bench',
      id: 'next',
      specification: 'v2',
    });
    await expect(load(root, 'next')).rejects.toThrow(
      /next-bench@1\.0\.0 .* implements contract version v2, and/,
    );
  });
});

describe('two plugins claiming one name', () => {
  it('is an error naming both packages and their paths, and neither is imported', async () => {
    const root = await project();
    const first = join(root, 'node_modules', 'custom-bench');
    const second = join(root, 'node_modules', '@someone', 'custom');
    await benchmarkPackage(first, { name: 'custom-bench', id: 'custom' });
    await benchmarkPackage(second, { name: '@someone/custom', id: 'custom', version: '9.9.9' });
    await expect(load(root, 'custom')).rejects.toThrow(
      `2 packages claim the benchmark "custom": @someone/custom@9.9.9 (${second}) and custom-bench@1.0.0 (${first})`,
    );
    // Neither is the published package for the name: the user chooses, told how to remove either.
    await expect(load(root, 'custom')).rejects.toThrow(
      `Remove the one you do not want (@someone/custom: npm uninstall @someone/custom, in ${root}; ` +
        `custom-bench: npm uninstall custom-bench, in ${root}), or give it another id, then run again.`,
    );
    expect(existsSync(join(first, 'imported'))).toBe(false);
    expect(existsSync(join(second, 'imported'))).toBe(false);
  });

  it('counts an alias as a claim: a package whose alias is another plugin id conflicts with it', async () => {
    const root = await project();
    await benchmarkPackage(join(root, 'node_modules', 'evil-bench'), {
      name: 'evil-bench',
      id: 'evil',
      aliases: ['GSM8K'],
    });
    await expect(load(root, 'gsm8k')).rejects.toThrow(
      /2 packages claim the benchmark "gsm8k": @evalchemy\/benchmark-gsm8k@.* and evil-bench@1\.0\.0/,
    );
    // The published package for gsm8k is the one to keep; the other is named with the command that removes it.
    await expect(load(root, 'gsm8k')).rejects.toThrow(
      '@evalchemy/benchmark-gsm8k is the published package for benchmark "gsm8k": keep it and remove ' +
        `evil-bench@1.0.0 (npm uninstall evil-bench, in ${root}), or give that one another id and aliases.`,
    );
    expect((await load(root, 'evil')).id).toBe('evil');
  });

  it('is no conflict when the same package name and version is installed in two places', async () => {
    const root = await project();
    const outer = join(root, 'node_modules', 'custom-bench');
    await benchmarkPackage(outer, { name: 'custom-bench', id: 'custom' });
    const app = join(root, 'app');
    await cp(outer, join(app, 'node_modules', 'custom-bench'), { recursive: true });
    expect((await load(app, 'custom')).id).toBe('custom');
  });

  it('takes the copy next to the CLI when a package names itself as an installed one of the same version', async () => {
    const root = await project();
    const installed = JSON.parse(
      await readFile(new URL('../../benchmarks/gsm8k/package.json', import.meta.url), 'utf8'),
    );
    const impostor = join(root, 'node_modules', '@evalchemy', 'benchmark-gsm8k');
    await benchmarkPackage(impostor, { name: installed.name, id: 'gsm8k', version: installed.version });
    const plugin = findPlugin(await discoverPlugins(root), 'benchmark', 'gsm8k');
    expect(plugin.directory).toBe(await realpath(new URL('../../benchmarks/gsm8k', import.meta.url)));
    expect((await loadPlugin(plugin, 'benchmark')).id).toBe('gsm8k');
    expect(existsSync(join(impostor, 'imported'))).toBe(false);
  });

  it('is a conflict when two versions of one package are installed in two places', async () => {
    const root = await project();
    await benchmarkPackage(join(root, 'node_modules', 'custom-bench'), {
      name: 'custom-bench',
      id: 'custom',
    });
    const app = join(root, 'app');
    await benchmarkPackage(join(app, 'node_modules', 'custom-bench'), {
      name: 'custom-bench',
      id: 'custom',
      version: '2.0.0',
    });
    await expect(load(app, 'custom')).rejects.toThrow(/custom-bench@2\.0\.0 .* and custom-bench@1\.0\.0 /);
    await expect(load(app, 'custom')).rejects.toThrow(
      'These are 2 versions of one package: keep one and remove the others ' +
        `(2.0.0: npm uninstall custom-bench, in ${app}; 1.0.0: npm uninstall custom-bench, in ${root}).`,
    );
  });
});

describe('a template package', () => {
  it('is not a plugin: neither found nor run', async () => {
    const root = await project();
    const directory = join(root, 'node_modules', 'template-bench');
    await benchmarkPackage(directory, { name: 'template-bench', id: 'template' });
    const packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    packageJson.evalchemy.template = true;
    await writeFile(join(directory, 'package.json'), JSON.stringify(packageJson));
    const plugins = await discoverPlugins(root);
    expect(plugins.map((plugin) => plugin.packageName)).not.toContain('template-bench');
    expect(() => findPlugin(plugins, 'benchmark', 'template')).toThrow('No benchmark named "template"');
  });
});

describe('the hint for a plugin that is not installed', () => {
  it.each([
    ['benchmark', 'MT-Bench', '@evalchemy/benchmark-mtbench'],
    ['benchmark', 'GPQADiamond', '@evalchemy/benchmark-gpqa_diamond'],
    ['benchmark', 'ARC', '@evalchemy/benchmark-arc_challenge'],
    ['backend', 'llama.cpp', '@evalchemy/backend-llamacpp'],
    ['sandbox', 'bwrap', '@evalchemy/sandbox-process'],
  ] as const)('names the package that provides the %s %s', (kind, name, packageName) => {
    const plural = { benchmark: 'benchmarks', backend: 'backends', sandbox: 'sandboxes' }[kind];
    expect(() => findPlugin([], kind, name)).toThrow(
      `No ${kind} named "${name}" is installed. Installed ${plural}: (none). It is published as ${packageName}: install it (npm install ${packageName}) and run again.`,
    );
  });

  it('guesses no package name for a name no evalchemy package has', () => {
    expect(() => findPlugin([], 'benchmark', 'nosuchbench')).toThrow(
      'No benchmark named "nosuchbench" is installed. Installed benchmarks: (none). No @evalchemy package provides it either: check the spelling.',
    );
  });
});

describe('a plugin built for a newer core', () => {
  it('is named with the core its peer range needs, and told to update @evalchemy/cli or take an older plugin', async () => {
    const root = await project();
    const directory = join(root, 'node_modules', 'tomorrow-bench');
    await benchmarkPackage(directory, { name: 'tomorrow-bench', id: 'tomorrow' });
    const packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    packageJson.peerDependencies = { '@evalchemy/core': '>=99.0.0' };
    await writeFile(join(directory, 'package.json'), JSON.stringify(packageJson));
    const plugins = await discoverPlugins(root);
    expect(corePeerRangeWarnings(plugins)).toEqual([
      `tomorrow-bench@1.0.0 (${directory}) needs @evalchemy/core >=99.0.0 (its peer range), and this ` +
        `@evalchemy/cli ${cliVersion} runs with @evalchemy/core ${coreVersion}: it may not work. It was built for a ` +
        'newer core: update @evalchemy/cli (npm install @evalchemy/cli@latest), or install an older version of ' +
        `tomorrow-bench whose range includes ${coreVersion}.`,
    ]);
  });

  it('made for an older core instead, is told to update the plugin', async () => {
    const root = await project();
    const directory = join(root, 'node_modules', 'yesterday-bench');
    await benchmarkPackage(directory, { name: 'yesterday-bench', id: 'yesterday' });
    const packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    packageJson.peerDependencies = { '@evalchemy/core': '<0.0.1' };
    await writeFile(join(directory, 'package.json'), JSON.stringify(packageJson));
    const [warning] = corePeerRangeWarnings(await discoverPlugins(root));
    expect(warning).toContain(
      `Install a version of yesterday-bench whose range includes ${coreVersion} (npm install yesterday-bench@latest)`,
    );
  });
});

describe('the plugins of a run that are not installed', () => {
  it('are all named at once, each with the package that provides it, and one command installs them', async () => {
    const withoutSome = (await discoverPlugins(await project())).filter(
      (plugin) =>
        !['@evalchemy/benchmark-mtbench', '@evalchemy/benchmark-ifeval', '@evalchemy/backend-vllm'].includes(
          plugin.packageName,
        ),
    );
    expect(() =>
      findPlugins(withoutSome, [
        { kind: 'backend', name: 'hf' },
        { kind: 'benchmark', name: 'gsm8k' },
        { kind: 'benchmark', name: 'MTBench' },
        { kind: 'benchmark', name: 'mt_bench' },
        { kind: 'benchmark', name: 'IFEval' },
        { kind: 'benchmark', name: 'LiveBench' },
      ]),
    ).toThrow(
      '4 of the plugins this run needs are not installed, nothing was run:\n' +
        '  backend "hf": npm install @evalchemy/backend-vllm\n' +
        '  benchmark "MTBench": npm install @evalchemy/benchmark-mtbench\n' +
        '  benchmark "IFEval": npm install @evalchemy/benchmark-ifeval\n' +
        '  benchmark "LiveBench": no @evalchemy package provides it: check the spelling\n' +
        'Install them with: npm install @evalchemy/backend-vllm @evalchemy/benchmark-mtbench @evalchemy/benchmark-ifeval\n' +
        'Installed backends: ',
    );
  });

  it("count a tag's members that are not installed, with the rest", async () => {
    const withoutSome = (await discoverPlugins(await project())).filter(
      (plugin) => !['arc_easy', 'mtbench'].includes(String(plugin.manifest.id)),
    );
    expect(() =>
      findPlugins(withoutSome, [
        { kind: 'benchmark', name: 'ai2_arc' },
        { kind: 'benchmark', name: 'MTBench' },
      ]),
    ).toThrow(
      '2 of the plugins this run needs are not installed, nothing was run:\n' +
        '  benchmark "arc_easy" (of the tag "ai2_arc"): npm install @evalchemy/benchmark-arc_easy\n' +
        '  benchmark "MTBench": npm install @evalchemy/benchmark-mtbench\n' +
        'Install them with: npm install @evalchemy/benchmark-arc_easy @evalchemy/benchmark-mtbench\n',
    );
    const all = await discoverPlugins(await project());
    expect(
      findPlugins(all, [{ kind: 'benchmark', name: 'ai2_arc' }]).map((plugin) => plugin.manifest.id),
    ).toEqual(['arc_challenge', 'arc_easy']);
  });

  it('say of a subtask among them how to run it', async () => {
    const plugins = await discoverPlugins(await project());
    expect(() =>
      findPlugins(plugins, [
        { kind: 'benchmark', name: 'hendrycks_math_algebra' },
        { kind: 'benchmark', name: 'LiveBench' },
      ]),
    ).toThrow(
      '  benchmark "hendrycks_math_algebra": part of the benchmark hendrycks_math, not one of its own: run ' +
        `hendrycks_math with tasks.hendrycks_math.${knownSubtasks.hendrycks_math_algebra!.option}: ` +
        '[hendrycks_math_algebra] in a --config file\n' +
        '  benchmark "LiveBench": no @evalchemy package provides it: check the spelling\n',
    );
  });

  it('one alone gets the message of findPlugin; all installed, the plugins in order', async () => {
    const plugins = await discoverPlugins(await project());
    expect(
      findPlugins(plugins, [{ kind: 'benchmark', name: 'GSM8K' }]).map((plugin) => plugin.packageName),
    ).toEqual(['@evalchemy/benchmark-gsm8k']);
    expect(() => findPlugins(plugins, [{ kind: 'benchmark', name: 'nosuchbench' }])).toThrow(
      'No benchmark named "nosuchbench" is installed.',
    );
  });
});

describe('task tags', () => {
  it("select every installed benchmark carrying the tag, a third party's too, in id order", async () => {
    const root = await project();
    await benchmarkPackage(join(root, 'node_modules', 'bench-geo'), {
      name: 'bench-geo',
      id: 'geo_quiz',
      tags: ['school_quizzes'],
    });
    await benchmarkPackage(join(root, 'node_modules', 'bench-bio'), {
      name: 'bench-bio',
      id: 'bio_quiz',
      tags: ['school_quizzes'],
    });
    const plugins = await discoverPlugins(root);
    expect(findBenchmarks(plugins, 'school_quizzes').map((plugin) => plugin.manifest.id)).toEqual([
      'bio_quiz',
      'geo_quiz',
    ]);
    expect(findBenchmarks(plugins, 'ai2_arc').map((plugin) => plugin.manifest.id)).toEqual([
      'arc_challenge',
      'arc_easy',
    ]);
    // A benchmark's own name wins over a tag.
    expect(findBenchmarks(plugins, 'ARC-Easy').map((plugin) => plugin.manifest.id)).toEqual(['arc_easy']);
  });

  it('name the packages to install when a tag of ours is only partly installed', async () => {
    const installed = (await discoverPlugins(await project())).filter(
      (plugin) => plugin.manifest.id !== 'arc_easy',
    );
    expect(() => findBenchmarks(installed, 'ai2_arc')).toThrow(
      'The task "ai2_arc" is a tag that runs arc_challenge and arc_easy, and arc_easy is not installed. ' +
        'Install @evalchemy/benchmark-arc_easy (npm install @evalchemy/benchmark-arc_easy) and run again',
    );
    expect(() => findBenchmarks([], 'ai2_arc')).toThrow(
      'npm install @evalchemy/benchmark-arc_challenge @evalchemy/benchmark-arc_easy',
    );
    expect(() => findBenchmarks(installed, 'no_such_tag')).toThrow('No benchmark named "no_such_tag"');
  });

  it('say how to run an lm-eval subject task that is an option of ours, not a benchmark', async () => {
    const plugins = await discoverPlugins(await project());
    expect(() => findBenchmarks(plugins, 'hendrycks_math_algebra')).toThrow(
      'The task "hendrycks_math_algebra" is part of the benchmark hendrycks_math, not a benchmark of its own. ' +
        'Run --tasks hendrycks_math with a --config file setting tasks.hendrycks_math.subjects: [hendrycks_math_algebra].',
    );
  });
});
