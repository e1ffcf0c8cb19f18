import { existsSync } from 'node:fs';
import { glob, readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type BackendProviderV1,
  type BenchmarkV1,
  ConfigurationError,
  type PluginKind,
  PluginLoadError,
  type PluginManifest,
  pluginManifestSchema,
  type SandboxProviderV1,
} from '@evalchemy/core';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { installedVersion, ownVersion } from './installed-version.js';
import { knownPlugins, knownSubtasks, knownTags } from './known-plugins.js';

/** Refuses an `--include_path` folder that does not exist. */
export function checkIncludePath(directory: string): void {
  if (!existsSync(directory)) {
    throw new ConfigurationError(
      `--include_path ${directory} does not exist: give a folder of plugin packages (each with an "evalchemy" manifest in its package.json).`,
    );
  }
}

/** The folder of an `--include_path` flag, absolute (from `cwd`) and checked; none without the flag. */
export function includePathsOf(flag: string | undefined, cwd: string): string[] {
  if (flag === undefined) return [];
  const directory = resolve(cwd, flag);
  checkIncludePath(directory);
  return [directory];
}

/** A plugin package found on disk, not yet imported. */
export interface DiscoveredPlugin {
  packageName: string;
  packageVersion: string;
  /** The package folder's real path (symbolic links resolved). */
  directory: string;
  /** The `@evalchemy/core` range its package.json declares as a peer, if it declares one. */
  corePeerRange?: string;
  /** The validated manifest, or why it is invalid (reported when the plugin is selected or listed). */
  manifest: PluginManifest | { problem: string; kind?: PluginKind; id?: string };
}

export type PluginObject<Kind extends PluginKind> = Kind extends 'benchmark'
  ? BenchmarkV1<unknown, unknown>
  : Kind extends 'backend'
    ? BackendProviderV1<unknown>
    : SandboxProviderV1<unknown>;

/** The contract versions this CLI runs plugins of. */
export const supportedSpecifications: readonly string[] = ['v1'];

const plurals: Record<PluginKind, string> = {
  benchmark: 'benchmarks',
  backend: 'backends',
  sandbox: 'sandboxes',
};

/**
 * Finds every installed plugin by reading package.json manifests, without importing anything: the pnpm
 * workspace and the `node_modules` folder around the CLI itself (a checkout of this repository, a global or
 * npx install), then the pnpm workspace around the working directory and the `node_modules` folders of the
 * user's project (from the working directory up). Template packages (`"template": true`) are left out. A
 * package reached twice (through links, or one name and version installed in two places) is kept once, the
 * copy next to the CLI first; two different packages claiming one name are both kept, and `findPlugin`
 * refuses that name.
 */
export async function discoverPlugins(
  workingDirectory: string,
  options: {
    /**
     * `--include_path` folders, searched last: each a plugin package itself, a folder of plugin packages, or a
     * `node_modules`-like tree (scoped folders, and a `node_modules` inside it).
     */
    includePaths?: readonly string[];
  } = {},
): Promise<DiscoveredPlugin[]> {
  const cliDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const cliNodeModules = ancestors(cliDirectory).find((directory) =>
    directory.endsWith(`${'/'}node_modules`),
  );
  const packageDirectories = [
    ...(await workspacePackageDirectories(cliDirectory)),
    ...(cliNodeModules ? await nodeModulesPackages(cliNodeModules) : []),
    ...(await workspacePackageDirectories(workingDirectory)),
  ];
  for (const directory of ancestors(workingDirectory)) {
    packageDirectories.push(...(await nodeModulesPackages(join(directory, 'node_modules'))));
  }
  for (const directory of options.includePaths ?? []) {
    packageDirectories.push(
      directory,
      ...(await nodeModulesPackages(directory)),
      ...(await nodeModulesPackages(join(directory, 'node_modules'))),
    );
  }

  const plugins: DiscoveredPlugin[] = [];
  const seenDirectories = new Set<string>();
  const seenPackages = new Set<string>();
  for (const found of packageDirectories) {
    const directory = await realpath(found).catch(() => undefined);
    if (directory === undefined || seenDirectories.has(directory)) continue;
    seenDirectories.add(directory);
    const plugin = await readPluginPackage(directory);
    if (plugin === undefined) continue;
    const identity = `${plugin.packageName}@${plugin.packageVersion}`;
    if (seenPackages.has(identity)) continue;
    seenPackages.add(identity);
    plugins.push(plugin);
  }
  return plugins;
}

function ancestors(start: string): string[] {
  const list: string[] = [];
  let directory = resolve(start);
  for (;;) {
    list.push(directory);
    const parent = dirname(directory);
    if (parent === directory) return list;
    directory = parent;
  }
}

async function workspacePackageDirectories(start: string): Promise<string[]> {
  const root = ancestors(start).find((directory) => existsSync(join(directory, 'pnpm-workspace.yaml')));
  if (root === undefined) return [];
  const workspace = parseYaml(await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8')) as {
    packages?: string[];
  };
  const directories: string[] = [];
  for (const pattern of workspace.packages ?? []) {
    for await (const match of glob(`${pattern}/package.json`, { cwd: root })) {
      directories.push(dirname(join(root, match)));
    }
  }
  return directories.sort();
}

async function nodeModulesPackages(nodeModules: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(nodeModules);
  } catch {
    return [];
  }
  const directories: string[] = [];
  for (const entry of entries.sort()) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      const scoped = await readdir(join(nodeModules, entry)).catch(() => [] as string[]);
      for (const name of scoped.sort()) directories.push(join(nodeModules, entry, name));
    } else {
      directories.push(join(nodeModules, entry));
    }
  }
  return directories;
}

async function readPluginPackage(directory: string): Promise<DiscoveredPlugin | undefined> {
  let packageJson: {
    name?: string;
    version?: string;
    evalchemy?: unknown;
    peerDependencies?: Record<string, string>;
  };
  try {
    packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const raw = packageJson.evalchemy as Record<string, unknown> | undefined;
  if (raw === undefined || raw.template === true) return undefined;
  const packageName = packageJson.name ?? directory;
  const parsed = pluginManifestSchema.safeParse(raw);
  const manifest = parsed.success
    ? parsed.data
    : {
        problem: parsed.error.issues
          .map((issue) => {
            const value = issue.path.length === 1 ? raw[String(issue.path[0])] : undefined;
            const where = issue.path.join('.') || 'evalchemy';
            return `${typeof value === 'string' ? `${where} ${JSON.stringify(value)}` : where}: ${issue.message}`;
          })
          .join('; '),
        ...(typeof raw.kind === 'string' ? { kind: raw.kind as PluginKind } : {}),
        ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
      };
  const corePeerRange = packageJson.peerDependencies?.['@evalchemy/core'];
  return {
    packageName,
    packageVersion: packageJson.version ?? '0.0.0',
    directory,
    manifest,
    ...(corePeerRange !== undefined ? { corePeerRange } : {}),
  };
}

/** Lowercases and drops `-`, `_` and spaces, so `MTBench`, `mt_bench` and `mt-bench` name the same plugin. */
function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** The published `@evalchemy` plugin of a kind that `name` refers to (id or alias), installed or not. */
export function findKnownPlugin(
  kind: PluginKind,
  name: string,
): { id: string; packageName: string } | undefined {
  const wanted = normaliseName(name);
  const known = knownPlugins.find(
    (plugin) =>
      plugin.kind === kind && [plugin.id, ...plugin.aliases].some((alias) => normaliseName(alias) === wanted),
  );
  return known && { id: known.id, packageName: `@evalchemy/${kind}-${known.id}` };
}

/** Every name (id and aliases, normalised) a plugin of `kind` answers to; none for another kind. */
function pluginNames(plugin: DiscoveredPlugin, kind: PluginKind): string[] {
  const manifest = plugin.manifest;
  if (manifest.kind !== kind || manifest.id === undefined) return [];
  return [manifest.id, ...('aliases' in manifest ? manifest.aliases : [])].map(normaliseName);
}

/** Whether `name` (its id or an alias, in any case and spelling that `findPlugin` accepts) refers to `plugin`. */
export function pluginAnswersTo(plugin: DiscoveredPlugin, kind: PluginKind, name: string): boolean {
  return pluginNames(plugin, kind).includes(normaliseName(name));
}

/** The other discovered plugins of the same kind that answer to one of the names `plugin` answers to. */
export function conflictingPlugins(
  plugins: DiscoveredPlugin[],
  plugin: DiscoveredPlugin,
): DiscoveredPlugin[] {
  const kind = plugin.manifest.kind;
  if (kind === undefined) return [];
  const names = pluginNames(plugin, kind);
  return plugins.filter(
    (other) => other !== plugin && pluginNames(other, kind).some((name) => names.includes(name)),
  );
}

/** `name@version (real path)`, how errors and `evalchemy list` point at one package. */
export function describePlugin(plugin: DiscoveredPlugin): string {
  return `${plugin.packageName}@${plugin.packageVersion} (${plugin.directory})`;
}

/**
 * The discovered plugin of a kind that `name` refers to (id or alias, case-insensitive). Two packages
 * answering to the name are an error, whichever way they were found: one could be a package the user never
 * meant to run (in a parent workspace, say), which would receive the backend's API key.
 */
export function findPlugin(plugins: DiscoveredPlugin[], kind: PluginKind, name: string): DiscoveredPlugin {
  const claimants = plugins.filter((plugin) => pluginAnswersTo(plugin, kind, name));
  if (claimants.length > 1) throw conflictError(kind, name, claimants);
  const [match] = claimants;
  if (match === undefined) {
    const packageName = findKnownPlugin(kind, name)?.packageName;
    throw new PluginLoadError(
      `No ${kind} named "${name}" is installed. ${installedList(plugins, kind)} ` +
        (packageName
          ? `It is published as ${packageName}: install it (npm install ${packageName}) and run again.`
          : 'No @evalchemy package provides it either: check the spelling.'),
    );
  }
  return match;
}

/**
 * `findPlugin` (`findBenchmarks` for a benchmark, tags included) for every plugin a run names, checked together
 * before any is imported: all the names that no installed plugin answers to, and the missing members of a tag,
 * are in one error, each with the package that provides it, and one `npm install` command for them all. One
 * missing plugin alone gets the message of `findPlugin` or `findBenchmarks`.
 */
export function findPlugins(
  plugins: DiscoveredPlugin[],
  wanted: readonly { kind: PluginKind; name: string }[],
): DiscoveredPlugin[] {
  const missing: ReturnType<typeof missingPlugins> = [];
  const seen = new Set<string>();
  for (const { kind, name } of wanted) {
    // A name given twice (`MTBench,mtbench`) is reported once.
    if (seen.has(`${kind}:${normaliseName(name)}`)) continue;
    seen.add(`${kind}:${normaliseName(name)}`);
    missing.push(...missingPlugins(plugins, kind, name));
  }
  if (missing.length > 1) {
    const lines = missing.map(
      ({ label, packageName, advice }) =>
        `  ${label}: ${advice ?? (packageName ? `npm install ${packageName}` : 'no @evalchemy package provides it: check the spelling')}`,
    );
    const packages = [...new Set(missing.flatMap(({ packageName }) => packageName ?? []))];
    const kinds = [...new Set(missing.map(({ kind }) => kind))];
    throw new PluginLoadError(
      `${missing.length} of the plugins this run needs are not installed, nothing was run:\n${lines.join('\n')}\n` +
        (packages.length > 0
          ? `Install ${packages.length > 1 ? 'them' : 'it'} with: npm install ${packages.join(' ')}\n`
          : '') +
        kinds.map((kind) => installedList(plugins, kind)).join(' '),
    );
  }
  return wanted.flatMap(({ kind, name }) =>
    kind === 'benchmark' ? findBenchmarks(plugins, name) : [findPlugin(plugins, kind, name)],
  );
}

/** What of the plugin (or, for a benchmark tag, the plugins) `name` selects is not installed. */
function missingPlugins(
  plugins: DiscoveredPlugin[],
  kind: PluginKind,
  name: string,
): { label: string; packageName: string | undefined; kind: PluginKind; advice?: string }[] {
  if (plugins.some((plugin) => pluginAnswersTo(plugin, kind, name))) return [];
  if (kind === 'benchmark') {
    const wanted = normaliseName(name);
    const tagged = plugins.filter(
      ({ manifest }) =>
        manifest.kind === 'benchmark' &&
        'tags' in manifest &&
        manifest.tags.some((tag) => normaliseName(tag) === wanted),
    );
    const knownTag = Object.keys(knownTags).find((tag) => normaliseName(tag) === wanted);
    if (tagged.length > 0 || knownTag !== undefined) {
      return (knownTag === undefined ? [] : (knownTags[knownTag] ?? []))
        .filter((id) => !tagged.some((plugin) => plugin.manifest.id === id))
        .map((id) => ({
          label: `benchmark "${id}" (of the tag "${name}")`,
          packageName: `@evalchemy/benchmark-${id}`,
          kind,
        }));
    }
  }
  const subtask =
    kind === 'benchmark'
      ? Object.entries(knownSubtasks).find(([task]) => normaliseName(task) === normaliseName(name))?.[1]
      : undefined;
  if (subtask !== undefined) {
    return [
      {
        label: `benchmark "${name}"`,
        packageName: undefined,
        kind,
        advice: `part of the benchmark ${subtask.benchmark}, not one of its own: run ${subtask.benchmark} with tasks.${subtask.benchmark}.${subtask.option}: [${name}] in a --config file`,
      },
    ];
  }
  return [{ label: `${kind} "${name}"`, packageName: findKnownPlugin(kind, name)?.packageName, kind }];
}

function installedList(plugins: DiscoveredPlugin[], kind: PluginKind): string {
  const installed = plugins
    .filter((plugin) => plugin.manifest.kind === kind)
    .map((plugin) => plugin.manifest.id ?? plugin.packageName)
    .sort();
  return `Installed ${plurals[kind]}: ${installed.length > 0 ? installed.join(', ') : '(none)'}.`;
}

/**
 * Two or more packages answer to one name: which to remove. The published `@evalchemy` package for the name is
 * the one to keep; two versions of one package, the one in the project; else the user chooses.
 */
function conflictError(kind: PluginKind, name: string, claimants: DiscoveredPlugin[]): PluginLoadError {
  const official = findKnownPlugin(kind, name)?.packageName;
  const removal = (plugin: DiscoveredPlugin) => {
    const installedIn = /^(.*?)[\\/]node_modules[\\/]/.exec(plugin.directory)?.[1];
    return installedIn === undefined
      ? `delete or rename its folder ${plugin.directory} (a workspace package), or change its manifest id`
      : `npm uninstall ${plugin.packageName}, in ${installedIn}`;
  };
  const others = claimants.filter((plugin) => plugin.packageName !== official);
  const sameName = new Set(claimants.map((plugin) => plugin.packageName)).size === 1;
  let advice: string;
  if (official !== undefined && others.length < claimants.length) {
    advice =
      `${official} is the published package for ${kind} "${name}": keep it and remove ` +
      `${others.map((plugin) => `${plugin.packageName}@${plugin.packageVersion} (${removal(plugin)})`).join(' and ')}, ` +
      'or give that one another id and aliases.';
  } else if (sameName) {
    advice =
      `These are ${claimants.length} versions of one package: keep one and remove the others (` +
      `${claimants.map((plugin) => `${plugin.packageVersion}: ${removal(plugin)}`).join('; ')}).`;
  } else {
    advice = `Remove the one you do not want (${claimants.map((plugin) => `${plugin.packageName}: ${removal(plugin)}`).join('; ')}), or give it another id, then run again.`;
  }
  return new PluginLoadError(
    `${claimants.length} packages claim the ${kind} "${name}": ${claimants.map(describePlugin).join(' and ')}. ${advice}`,
  );
}

/**
 * The benchmarks a task name selects: the one benchmark answering to it (id or alias), else every installed
 * benchmark whose manifest carries it as a tag (lm-eval's `--tasks ai2_arc`), sorted by id. A tag of ours whose
 * members are not all installed is an error naming the packages to install; a known part of a benchmark (a
 * subject task) says how to select it; any other name fails as `findPlugin` does.
 */
export function findBenchmarks(plugins: DiscoveredPlugin[], name: string): DiscoveredPlugin[] {
  if (plugins.some((plugin) => pluginAnswersTo(plugin, 'benchmark', name))) {
    return [findPlugin(plugins, 'benchmark', name)];
  }
  const wanted = normaliseName(name);
  const tagged = plugins
    .filter((plugin) => {
      const manifest = plugin.manifest;
      return (
        manifest.kind === 'benchmark' &&
        'tags' in manifest &&
        manifest.tags.some((tag) => normaliseName(tag) === wanted)
      );
    })
    .sort((a, b) => String(a.manifest.id).localeCompare(String(b.manifest.id)));
  const knownTag = Object.keys(knownTags).find((tag) => normaliseName(tag) === wanted);
  const members = knownTag === undefined ? [] : (knownTags[knownTag] ?? []);
  const missing = members.filter((id) => !tagged.some((plugin) => plugin.manifest.id === id));
  if (missing.length > 0) {
    const packages = missing.map((id) => `@evalchemy/benchmark-${id}`);
    throw new PluginLoadError(
      `The task "${name}" is a tag that runs ${members.join(' and ')}, and ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed. ` +
        `Install ${packages.join(' and ')} (npm install ${packages.join(' ')}) and run again, or name the installed tasks instead.`,
    );
  }
  if (tagged.length > 0) return tagged;
  const subtask = Object.entries(knownSubtasks).find(([task]) => normaliseName(task) === wanted)?.[1];
  if (subtask !== undefined) {
    throw new PluginLoadError(
      `The task "${name}" is part of the benchmark ${subtask.benchmark}, not a benchmark of its own. ` +
        `Run --tasks ${subtask.benchmark} with a --config file setting tasks.${subtask.benchmark}.${subtask.option}: [${name}].`,
    );
  }
  return [findPlugin(plugins, 'benchmark', name)];
}

function validManifest(plugin: DiscoveredPlugin): PluginManifest {
  const { manifest, packageName } = plugin;
  if ('problem' in manifest) {
    throw new PluginLoadError(
      `Plugin package ${packageName} has an invalid "evalchemy" manifest in package.json: ${manifest.problem}.`,
      { packageName },
    );
  }
  return manifest;
}

/**
 * One warning per plugin whose declared `@evalchemy/core` peer range leaves out the core this CLI runs with: it
 * was made for another release of the contract and may fail in ways the checks of `loadPlugin` cannot see. A
 * warning, not an error: the wide ranges plugins declare (`>=0.1.0`) leave out a core only when they mean to.
 * A range that starts above the installed core asks for a newer CLI; one that ends below it, for a newer plugin.
 */
export function corePeerRangeWarnings(plugins: readonly DiscoveredPlugin[]): string[] {
  const core = installedVersion('@evalchemy/core');
  return plugins
    .filter(
      ({ corePeerRange }) =>
        corePeerRange !== undefined && !semver.satisfies(core, corePeerRange, { includePrerelease: true }),
    )
    .map((plugin) => {
      const range = plugin.corePeerRange!;
      const lowest = semver.validRange(range) === null ? null : semver.minVersion(range);
      const needsNewer = lowest !== null && semver.gt(lowest, core);
      const what =
        `${describePlugin(plugin)} needs @evalchemy/core ${range} (its peer range), and this @evalchemy/cli ` +
        `${ownVersion()} runs with @evalchemy/core ${core}: it may not work.`;
      return needsNewer
        ? `${what} It was built for a newer core: update @evalchemy/cli (npm install @evalchemy/cli@latest), or ` +
            `install an older version of ${plugin.packageName} whose range includes ${core}.`
        : `${what} Install a version of ${plugin.packageName} whose range includes ${core} ` +
            `(npm install ${plugin.packageName}@latest), or an @evalchemy/cli built on a core in that range.`;
    });
}

/**
 * The contract version a plugin runs as: the newest one both its manifest and this CLI support. When there is
 * none, the error names the package, what it implements and what this CLI supports, and which to update, before
 * any of its code runs.
 */
export function chooseSpecification(plugin: DiscoveredPlugin): string {
  const number = (version: string) => Number(version.slice(1));
  const oldestFirst = (a: string, b: string) => number(a) - number(b);
  const implemented = [...validManifest(plugin).specification].sort(oldestFirst);
  const chosen = implemented.filter((version) => supportedSpecifications.includes(version)).at(-1);
  if (chosen === undefined) {
    const versions = (list: readonly string[]) => `version${list.length > 1 ? 's' : ''} ${list.join(', ')}`;
    const newest = Math.max(...supportedSpecifications.map(number));
    const newer = implemented.every((version) => number(version) > newest);
    const cli = `@evalchemy/cli ${ownVersion()} (@evalchemy/core ${installedVersion('@evalchemy/core')})`;
    throw new PluginLoadError(
      `Plugin package ${describePlugin(plugin)} implements contract ${versions(implemented)}, and this ` +
        `${cli} supports ${versions(supportedSpecifications)}: it cannot run here. ` +
        (newer
          ? `It was built for a newer @evalchemy/core: update @evalchemy/cli (npm install @evalchemy/cli@latest) to ` +
            `one that supports ${implemented.join(' or ')}, or install an older version of ${plugin.packageName} ` +
            `that implements ${supportedSpecifications.join(' or ')}.`
          : `Install a version of ${plugin.packageName} that implements ${supportedSpecifications.join(' or ')} ` +
            `(npm install ${plugin.packageName}@latest), or an @evalchemy/cli that supports ${implemented.join(' or ')}.`),
      { packageName: plugin.packageName },
    );
  }
  return chosen;
}

/**
 * Imports a plugin's entry module, once its real path (symbolic links resolved) is known to be inside the
 * package: a manifest must not make the CLI run a file the package does not own.
 */
export async function importPluginEntry(plugin: DiscoveredPlugin): Promise<Record<string, unknown>> {
  const { entry } = validManifest(plugin);
  const { packageName } = plugin;
  const where = `Plugin package ${packageName} (${plugin.directory})`;
  const packageDirectory = await realpath(plugin.directory);
  const entryPath = await realpath(resolve(packageDirectory, entry)).catch(() => undefined);
  if (entryPath === undefined) {
    throw new PluginLoadError(
      `${where}: its entry "${entry}" does not exist. Build the package (pnpm build) or reinstall it.`,
      { packageName },
    );
  }
  const inside = relative(packageDirectory, entryPath);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new PluginLoadError(
      `${where}: its entry "${entry}" is ${entryPath}, outside the package (through a symbolic link); ` +
        'it was not loaded. An entry must be a file inside its package: reinstall the package, or remove it.',
      { packageName },
    );
  }
  try {
    return await import(pathToFileURL(entryPath).href);
  } catch (error) {
    throw new PluginLoadError(`Plugin package ${packageName} failed to load: ${(error as Error).message}`, {
      cause: error,
      packageName,
    });
  }
}

/** Imports a plugin's entry module and checks that its default export fulfils the contract it declares. */
export async function loadPlugin<Kind extends PluginKind>(
  plugin: DiscoveredPlugin,
  kind: Kind,
): Promise<PluginObject<Kind>> {
  const manifest = validManifest(plugin);
  const specification = chooseSpecification(plugin);
  const { packageName } = plugin;
  const module = await importPluginEntry(plugin);
  const object = module.default as Record<string, unknown> | undefined;
  const problems: string[] = [];
  if (typeof object !== 'object' || object === null) {
    problems.push('its entry module has no default export object');
  } else {
    if (object.specificationVersion !== specification) {
      problems.push(
        `it implements contract version ${String(object.specificationVersion)}, but this CLI runs it as ${specification}, ` +
          `the newest version both its manifest (${manifest.specification.join(', ')}) and this CLI (${supportedSpecifications.join(', ')}) support`,
      );
    }
    if (object.kind !== kind)
      problems.push(`its default export is a ${String(object.kind)}, expected a ${kind}`);
    if (object.id !== manifest.id)
      problems.push(`its id is "${String(object.id)}" but its manifest says "${manifest.id}"`);
    const methods =
      kind === 'benchmark'
        ? ['doLoad', 'doPlan', 'doScore']
        : kind === 'backend'
          ? ['createBackend']
          : ['createSandbox', 'checkAvailable'];
    for (const method of methods) {
      if (typeof object[method] !== 'function') problems.push(`it has no ${method}() method`);
    }
  }
  if (problems.length > 0) {
    throw new PluginLoadError(
      `Plugin package ${packageName} does not fulfil the evalchemy ${kind} contract: ${problems.join('; ')}.`,
      {
        packageName,
      },
    );
  }
  return object as unknown as PluginObject<Kind>;
}
