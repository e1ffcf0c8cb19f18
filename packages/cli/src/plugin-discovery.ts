import { existsSync } from 'node:fs';
import { glob, readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type BackendProviderV1,
  type BenchmarkV1,
  type PluginKind,
  PluginLoadError,
  type PluginManifest,
  pluginManifestSchema,
  type SandboxProviderV1,
} from '@evalchemy/core';
import { parse as parseYaml } from 'yaml';

/** A plugin package found on disk, not yet imported. */
export interface DiscoveredPlugin {
  packageName: string;
  packageVersion: string;
  directory: string;
  /** The validated manifest, or why it is invalid (reported when the plugin is selected or listed). */
  manifest: PluginManifest | { problem: string; kind?: PluginKind; id?: string };
}

export type PluginObject<Kind extends PluginKind> = Kind extends 'benchmark'
  ? BenchmarkV1<unknown, unknown>
  : Kind extends 'backend'
    ? BackendProviderV1<unknown>
    : SandboxProviderV1<unknown>;

/**
 * Finds every installed plugin by reading package.json manifests, without importing anything: the pnpm
 * workspace around the working directory or around the CLI itself (a checkout of this repository), the
 * `node_modules` folders of the user's project (from the working directory up), and the `node_modules`
 * folder the CLI is installed in (global or npx installs). The first package found for an id wins.
 */
export async function discoverPlugins(workingDirectory: string): Promise<DiscoveredPlugin[]> {
  const cliDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const packageDirectories = new Set<string>();
  for (const start of [workingDirectory, cliDirectory]) {
    for (const directory of await workspacePackageDirectories(start)) packageDirectories.add(directory);
  }
  for (const directory of ancestors(workingDirectory)) {
    for (const found of await nodeModulesPackages(join(directory, 'node_modules')))
      packageDirectories.add(found);
  }
  const cliNodeModules = ancestors(cliDirectory).find((directory) =>
    directory.endsWith(`${'/'}node_modules`),
  );
  if (cliNodeModules) {
    for (const found of await nodeModulesPackages(cliNodeModules)) packageDirectories.add(found);
  }

  const plugins: DiscoveredPlugin[] = [];
  const seen = new Set<string>();
  for (const directory of packageDirectories) {
    const plugin = await readPluginPackage(directory);
    if (plugin === undefined) continue;
    const key = `${'kind' in plugin.manifest ? plugin.manifest.kind : ''}:${'id' in plugin.manifest ? plugin.manifest.id : plugin.packageName}`;
    if (seen.has(key)) continue;
    seen.add(key);
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
  let packageJson: { name?: string; version?: string; evalchemy?: unknown };
  try {
    packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (packageJson.evalchemy === undefined) return undefined;
  const packageName = packageJson.name ?? directory;
  const parsed = pluginManifestSchema.safeParse(packageJson.evalchemy);
  const raw = packageJson.evalchemy as { kind?: PluginKind; id?: string };
  const manifest = parsed.success
    ? parsed.data
    : {
        problem: parsed.error.issues
          .map((issue) => `${issue.path.join('.') || 'evalchemy'}: ${issue.message}`)
          .join('; '),
        ...(typeof raw.kind === 'string' ? { kind: raw.kind } : {}),
        ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
      };
  return { packageName, packageVersion: packageJson.version ?? '0.0.0', directory, manifest };
}

/** Lowercases and drops `-`, `_` and spaces, so `MTBench`, `mt_bench` and `mt-bench` name the same plugin. */
function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** The discovered plugin of a kind that `name` refers to (id or alias, case-insensitive). */
export function findPlugin(plugins: DiscoveredPlugin[], kind: PluginKind, name: string): DiscoveredPlugin {
  const wanted = normaliseName(name);
  const candidates = plugins.filter((plugin) =>
    'kind' in plugin.manifest ? plugin.manifest.kind === kind : false,
  );
  const match = candidates.find((plugin) => {
    const manifest = plugin.manifest;
    if (!('id' in manifest) || manifest.id === undefined) return false;
    const names = [manifest.id, ...('aliases' in manifest ? manifest.aliases : [])];
    return names.some((candidate) => normaliseName(candidate) === wanted);
  });
  if (match === undefined) {
    const known = candidates
      .map((plugin) => ('id' in plugin.manifest ? plugin.manifest.id : plugin.packageName))
      .sort();
    throw new PluginLoadError(
      `No ${kind} named "${name}" is installed. Installed ${kind}s: ${known.length > 0 ? known.join(', ') : '(none)'}. ` +
        `Install its package (e.g. npm install @evalchemy/${kind}-${name.toLowerCase()}) and run again.`,
    );
  }
  return match;
}

/** Imports a plugin's entry module and checks that its default export fulfils the contract it declares. */
export async function loadPlugin<Kind extends PluginKind>(
  plugin: DiscoveredPlugin,
  kind: Kind,
): Promise<PluginObject<Kind>> {
  const { manifest, packageName } = plugin;
  if ('problem' in manifest) {
    throw new PluginLoadError(
      `Plugin package ${packageName} has an invalid "evalchemy" manifest in package.json: ${manifest.problem}.`,
      {
        packageName,
      },
    );
  }
  const entryPath = resolve(plugin.directory, manifest.entry);
  if (!existsSync(entryPath)) {
    throw new PluginLoadError(
      `Plugin package ${packageName}: its entry ${manifest.entry} does not exist (${entryPath}). Build the package (pnpm build) or reinstall it.`,
      { packageName },
    );
  }
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(entryPath).href);
  } catch (error) {
    throw new PluginLoadError(`Plugin package ${packageName} failed to load: ${(error as Error).message}`, {
      cause: error,
      packageName,
    });
  }
  const object = module.default as Record<string, unknown> | undefined;
  const problems: string[] = [];
  if (typeof object !== 'object' || object === null) {
    problems.push('its entry module has no default export object');
  } else {
    if (object.specificationVersion !== manifest.specification) {
      problems.push(
        `it implements contract version ${String(object.specificationVersion)}, but its manifest declares ${manifest.specification} (this CLI supports v1)`,
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
