import { parseArgs } from 'node:util';
import { ConfigurationError, type PluginKind } from '@evalchemy/core';
import { normaliseFlags } from './arguments.js';
import { shippedConfigNames, shippedConfigsDirectory } from './config-file.js';
import { knownPlugins } from './known-plugins.js';
import {
  conflictingPlugins,
  corePeerRangeWarnings,
  describePlugin,
  discoverPlugins,
  includePathsOf,
} from './plugin-discovery.js';

export const listHelp = `Usage: evalchemy list [--include_path DIR]

Installed benchmarks, backends and sandboxes with their versions, broken manifests and name conflicts, then the
configs that ship with the CLI.

  --include_path DIR   a folder of more plugin packages (each with an "evalchemy" manifest), listed too
  -h, --help           this help`;

/**
 * `evalchemy list`: installed benchmarks, backends and sandboxes with versions; broken manifests shown with the
 * problem, and packages that claim the same name with each other; then the shipped configs (`--config full`). Plugins made for another core are warned
 * about on stderr.
 */
export async function listCommand(
  argv: string[],
  io: {
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown };
    cwd: string;
  },
): Promise<number> {
  let values: { 'include-path'?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: normaliseFlags(argv),
      options: { 'include-path': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message}. Run "evalchemy list --help" for the flags.`);
  }
  if (values.help) {
    io.stdout.write(`${listHelp}\n`);
    return 0;
  }
  const plugins = await discoverPlugins(io.cwd, {
    includePaths: includePathsOf(values['include-path'], io.cwd),
  });
  const sections: [PluginKind, string][] = [
    ['benchmark', 'Benchmarks'],
    ['backend', 'Backends'],
    ['sandbox', 'Sandboxes'],
  ];
  const lines: string[] = [];
  for (const [kind, title] of sections) {
    const ofKind = plugins.filter((plugin) => 'kind' in plugin.manifest && plugin.manifest.kind === kind);
    lines.push(`${title}:`);
    if (ofKind.length === 0) {
      const published = knownPlugins.filter((known) => known.kind === kind).map((known) => known.id);
      lines.push(
        `  (none installed) install one with: npm install @evalchemy/${kind}-<name>`,
        ...(published.length > 0 ? [`    published: ${published.join(', ')}`] : []),
      );
    }
    for (const plugin of ofKind.sort((a, b) => a.packageName.localeCompare(b.packageName))) {
      const manifest = plugin.manifest;
      if ('problem' in manifest) {
        lines.push(
          `  ${(manifest.id ?? '?').padEnd(16)} ${plugin.packageName}@${plugin.packageVersion}  INVALID MANIFEST: ${manifest.problem}`,
        );
      } else {
        const aliases = manifest.aliases.length > 0 ? ` (also: ${manifest.aliases.join(', ')})` : '';
        const tags = manifest.tags.length > 0 ? ` (tags: ${manifest.tags.join(', ')})` : '';
        lines.push(
          `  ${manifest.id.padEnd(16)} ${`${plugin.packageName}@${plugin.packageVersion}`.padEnd(44)} ${manifest.description ?? ''}${aliases}${tags}`,
        );
      }
      const conflicts = conflictingPlugins(plugins, plugin);
      if (conflicts.length > 0) {
        lines.push(
          `    CONFLICT: ${plugin.directory} shares a name with ${conflicts.map(describePlugin).join(' and ')}; neither runs until one is removed`,
        );
      }
    }
  }
  const invalid = plugins.filter((plugin) => !('kind' in plugin.manifest));
  for (const plugin of invalid) {
    if ('problem' in plugin.manifest)
      lines.push(`Invalid plugin manifest in ${plugin.packageName}: ${plugin.manifest.problem}`);
  }
  lines.push(
    `Configs (evalchemy run --config NAME): ${shippedConfigNames().join(', ')}`,
    `  in ${shippedConfigsDirectory}`,
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  for (const warning of corePeerRangeWarnings(plugins)) io.stderr.write(`warning: ${warning}\n`);
  return 0;
}
