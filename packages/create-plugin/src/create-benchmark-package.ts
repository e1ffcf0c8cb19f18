import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CreatePluginError,
  type IdentifierForms,
  identifierForms,
  renameTemplate,
} from './identifier-forms.js';
import { templateFiles } from './template.js';

export interface CreateBenchmarkPackageSettings {
  /** The benchmark's id: manifest id, `--tasks` name, options key. */
  id: string;
  /** The folder to create; must not exist. Default `<working directory>/<id>`. */
  directory?: string;
  /** The npm package name. Default `evalchemy-benchmark-<id>`. */
  packageName?: string;
  /** The template (laid out as `dist/template`). Default the one shipped in this package. */
  templateDirectory?: string;
  /**
   * Version ranges of the packages the new package develops with (`@evalchemy/core`, `@evalchemy/test-kit`,
   * `vitest`, `typescript`, `@types/node`). Default this package's own devDependencies, which publishing
   * turns from workspace ranges into the published versions.
   */
  ranges?: Record<string, string>;
}

export interface CreatedBenchmarkPackage {
  packageName: string;
  /** The new package's folder, absolute. */
  directory: string;
  /** Files written, relative to it. */
  files: string[];
}

/** What a package created here starts at. */
const initialVersion = '0.1.0';
const templateOnlyBlock = /\n?<!-- template-only -->[\s\S]*?<!-- \/template-only -->\n?/g;
/** The packages whose ranges the new package takes from `ranges`. */
const developmentPackages = ['@evalchemy/core', '@evalchemy/test-kit', '@types/node', 'typescript', 'vitest'];
const shippedTemplate = join(import.meta.dirname, 'template');

function ownDevelopmentRanges(): Record<string, string> {
  const own = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  return own.devDependencies ?? {};
}

/** Creates a third-party benchmark package from the template; nothing is left behind when a step fails. */
export async function createBenchmarkPackage(
  settings: CreateBenchmarkPackageSettings,
): Promise<CreatedBenchmarkPackage> {
  const forms = identifierForms(settings.id);
  const directory = resolve(settings.directory ?? forms.id);
  const packageName = settings.packageName ?? `evalchemy-benchmark-${forms.id}`;
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(packageName)) {
    throw new CreatePluginError(
      `Invalid package name "${packageName}": npm accepts lowercase letters, digits, "-", ".", "_" and "~", optionally after a @scope/.`,
    );
  }
  const template = settings.templateDirectory ?? shippedTemplate;
  const ranges = settings.ranges ?? ownDevelopmentRanges();
  const missing = developmentPackages.filter(
    (name) => ranges[name] === undefined || ranges[name].startsWith('workspace:'),
  );
  if (missing.length > 0) {
    throw new CreatePluginError(
      `No published version range for ${missing.join(', ')}: run the published @evalchemy/create-plugin (npm create @evalchemy/plugin), not its workspace copy.`,
    );
  }
  if (!existsSync(join(template, 'package.json'))) {
    throw new CreatePluginError(`The template ${template} is missing: reinstall @evalchemy/create-plugin.`);
  }
  if (existsSync(directory)) {
    throw new CreatePluginError(
      `${directory} already exists: choose another id or --directory, or remove it first.`,
    );
  }

  const files: string[] = [];
  try {
    for (const path of await templateFiles(template)) {
      const target = renameTemplate(path, forms);
      const text = transformFile(path, await readFile(join(template, path), 'utf8'), {
        forms,
        packageName,
        ranges,
      });
      await mkdir(join(directory, target, '..'), { recursive: true });
      await writeFile(join(directory, target), text);
      files.push(target);
    }
    await writeFile(join(directory, '.gitignore'), 'node_modules\ndist\n');
    files.push('.gitignore');
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return { packageName, directory, files: files.sort() };
}

interface Transform {
  forms: IdentifierForms;
  packageName: string;
  ranges: Record<string, string>;
}

function transformFile(path: string, text: string, { forms, packageName, ranges }: Transform): string {
  if (path === 'CHANGELOG.md') return `# ${packageName}\n`;
  if (path === 'tsconfig.base.json') return text;
  const renamed = renameTemplate(text.replace(templateOnlyBlock, ''), forms).replaceAll(
    `@evalchemy/benchmark-${forms.id}`,
    packageName,
  );
  if (path === 'tsconfig.json' || path === 'tsconfig.build.json') {
    return renamed.replace(/"extends": "[^"]*tsconfig\.base\.json"/, '"extends": "./tsconfig.base.json"');
  }
  if (path === 'README.md') return renamed.replace(/pnpm add /g, 'npm install ');
  if (path === join('src', 'version.ts')) {
    return renamed.replace(/VERSION = '[^']*'/, `VERSION = '${initialVersion}'`);
  }
  if (path === 'package.json') return packageJson(renamed, packageName, ranges);
  return renamed;
}

/** The template's package.json made a standalone, publishable plugin package. */
function packageJson(text: string, packageName: string, ranges: Record<string, string>): string {
  const template = JSON.parse(text) as {
    evalchemy: Record<string, unknown>;
    peerDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  } & Record<string, unknown>;
  // `"template": true` keeps the template out of `evalchemy list` and `run`; the copy is a plugin.
  const { template: _template, ...manifest } = template.evalchemy;
  const {
    private: _private,
    scripts: _scripts,
    devDependencies: _devDependencies,
    peerDependencies,
    ...rest
  } = template;
  const coreRange = ranges['@evalchemy/core'] as string;
  const copy = {
    ...rest,
    name: packageName,
    version: initialVersion,
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json',
      test: 'vitest run',
      prepack: 'npm run build',
    },
    evalchemy: manifest,
    // The core it is built against and every later one: the CLI warns when its core is older.
    peerDependencies: { ...peerDependencies, '@evalchemy/core': `>=${lowestVersion(coreRange)}` },
    dependencies: template.dependencies,
    devDependencies: Object.fromEntries(developmentPackages.map((name) => [name, ranges[name]])),
  };
  return `${JSON.stringify(copy, null, 2)}\n`;
}

/** `^0.2.1` → `0.2.1`: the version a caret, tilde or comparison range starts at. */
function lowestVersion(range: string): string {
  const match = /(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(range);
  if (match === null) throw new CreatePluginError(`Cannot read a version from the range "${range}".`);
  return match[1] as string;
}
