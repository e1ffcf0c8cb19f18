// pnpm create-plugin benchmark <id> [--root <dir>]: copies the template package packages/benchmarks/hello to
// packages/benchmarks/<id>, renamed, and writes its changeset. Only benchmarks for now: backends and sandboxes
// have no template package yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreatePluginError,
  type IdentifierForms,
  identifierForms,
  renameTemplate,
} from '../packages/create-plugin/src/identifier-forms.js';
import { templateFiles } from '../packages/create-plugin/src/template.js';

// The id's spellings and the renaming are @evalchemy/create-plugin's, which makes packages outside the repository.
export { CreatePluginError, type IdentifierForms, identifierForms, renameTemplate };

export interface CreatePluginSettings {
  /** Only `benchmark` is supported. */
  kind: string;
  /** The new plugin's id: folder, manifest id, task name. */
  id: string;
  /** Repository root holding `packages/benchmarks/hello`; default the checkout this file is in. */
  root?: string;
}

export interface CreatedPlugin {
  packageName: string;
  /** The new package's folder, absolute. */
  directory: string;
  /** The changeset written, absolute. */
  changeset: string;
  /** Files written into the package, relative to it. */
  files: string[];
}

const templateId = 'hello';
/** The template-only part of the template's README, dropped from the copy. */
const templateOnlyBlock = /\n?<!-- template-only -->[\s\S]*?<!-- \/template-only -->\n?/g;
const defaultRoot = resolve(import.meta.dirname, '..');
/** What new plugin packages start at, as every package in packages/ did. */
const initialVersion = '0.1.0';

export const usage = `Usage: pnpm create-plugin benchmark <id> [--root <dir>]

Creates packages/benchmarks/<id> from the template packages/benchmarks/hello, renamed after <id>, and a
changeset. Only "benchmark" is supported for now.

<id>: lowercase letters, digits, "_" and "-", starting with a letter (my_task, aime25, arc_challenge).
--root: the repository to create it in (default: this checkout).`;

/** Creates the package and its changeset; nothing is written when a check fails. */
export async function createPlugin(settings: CreatePluginSettings): Promise<CreatedPlugin> {
  if (settings.kind !== 'benchmark') {
    throw new CreatePluginError(
      `Cannot create a plugin of kind "${settings.kind}": only "benchmark" is supported for now.\n\n${usage}`,
    );
  }
  const forms = identifierForms(settings.id);
  const root = resolve(settings.root ?? defaultRoot);
  const template = join(root, 'packages', 'benchmarks', templateId);
  const directory = join(root, 'packages', 'benchmarks', forms.id);
  const packageName = `@evalchemy/benchmark-${forms.id}`;
  if (!existsSync(join(template, 'package.json'))) {
    throw new CreatePluginError(`The template ${template} is missing: is ${root} the repository root?`);
  }
  if (existsSync(directory)) {
    throw new CreatePluginError(
      `${relative(root, directory)} already exists: choose another id, or remove that folder first.`,
    );
  }
  // `<id>.md` unless another package's changeset has that name (ids such as `core` or `replay`).
  const changeset = [`${forms.id}.md`, `benchmark-${forms.id}.md`]
    .map((name) => join(root, '.changeset', name))
    .find((path) => !existsSync(path));
  if (changeset === undefined) {
    throw new CreatePluginError(`.changeset/${forms.id}.md and .changeset/benchmark-${forms.id}.md exist.`);
  }

  const files: string[] = [];
  try {
    for (const path of await templateFiles(template)) {
      const target = renameTemplate(path, forms);
      const text = transformFile(path, await readFile(join(template, path), 'utf8'), forms, packageName);
      await mkdir(join(directory, target, '..'), { recursive: true });
      await writeFile(join(directory, target), text);
      files.push(target);
    }
    formatPackage(root, directory);
    await mkdir(join(root, '.changeset'), { recursive: true });
    await writeFile(changeset, `---\n"${packageName}": minor\n---\n\nAdd the ${forms.id} benchmark.\n`);
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return { packageName, directory, changeset, files };
}

function transformFile(path: string, text: string, forms: IdentifierForms, packageName: string): string {
  if (path === 'CHANGELOG.md') return `# ${packageName}\n`;
  const renamed = renameTemplate(text.replace(templateOnlyBlock, ''), forms);
  if (path === 'package.json') {
    const packageJson = JSON.parse(renamed) as { evalchemy: Record<string, unknown> };
    // `"template": true` keeps the template out of `evalchemy list` and `run`; the copy is a plugin.
    const { template: _template, ...manifest } = packageJson.evalchemy;
    const copy = { ...packageJson, private: undefined, version: initialVersion, evalchemy: manifest };
    return `${JSON.stringify(copy, null, 2)}\n`;
  }
  if (path === join('src', 'version.ts')) {
    return renamed.replace(/VERSION = '[^']*'/, `VERSION = '${initialVersion}'`);
  }
  return renamed;
}

/**
 * Longer or shorter names change line breaks and the order of sorted exports: the repository's biome rewrites
 * the new package as it would any file. Skipped where biome is not installed (a bare copy of the template).
 */
function formatPackage(root: string, directory: string): void {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome) || !existsSync(join(root, 'biome.json'))) return;
  const result = spawnSync(biome, ['check', '--write', '--colors=off', directory], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    console.warn(`biome could not format ${relative(root, directory)}:\n${result.stdout}${result.stderr}`);
  }
}

/** What to do after `createPlugin`, for the terminal. */
export function nextSteps(created: CreatedPlugin, root: string = defaultRoot): string {
  const folder = relative(root, created.directory);
  return [
    `Created ${folder} (${created.packageName}) and ${relative(root, created.changeset)}.`,
    '',
    'Next steps:',
    '  1. pnpm install',
    `  2. Edit ${folder}: the data, prompt and metrics in src/, the options, README.md and the descriptions`,
    '     in package.json (each file starts with what to change; the template README explains the rest).',
    `  3. pnpm exec nx run ${created.packageName}:test     (builds, then runs its tests)`,
    '  4. pnpm exec biome check --write . && pnpm exec nx run-many -t typecheck',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch {
    console.error(usage);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [kind, id, ...rest] = positionals;
  if (kind === undefined || id === undefined || rest.length > 0) {
    console.error(usage);
    return 1;
  }
  const root = values.root;
  try {
    const created = await createPlugin({ kind, id, ...(root !== undefined ? { root } : {}) });
    console.log(nextSteps(created, resolve(root ?? defaultRoot)));
    return 0;
  } catch (error) {
    if (!(error instanceof CreatePluginError)) throw error;
    console.error(`create-plugin: ${error.message}`);
    return 1;
  }
}

function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main(process.argv.slice(2));
}
