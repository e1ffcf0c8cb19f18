// The dependency rules between the packages of this repository (issue 12), checked by dependency-rules.test.ts
// on every package.json and on the import statements (static, `export … from`, literal `import()` and
// `require()`) of every source and test file under packages/. Repository scripts (tools/, tools/bench) may import
// anything and are not checked.
import { globSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** What a package is, which decides what it may import. */
export type Role =
  | 'core'
  | 'test-kit'
  | 'runner'
  | 'cli'
  | 'backend'
  | 'benchmark'
  | 'sandbox'
  | 'benchmark-library'
  | 'sandbox-library'
  | 'backend-library'
  | 'leaderboard'
  | 'create-plugin'
  | 'integration-tests';

interface Rule {
  /** Roles of the packages of ours it may import from any file and list in any dependency field. */
  may: readonly Role[];
  /** Roles it may import only from tests (`*.test.ts`, `__fixtures__/`) and list only in devDependencies. */
  testsMay: readonly Role[];
  /** The rule as a sentence, for the violation message. */
  says: string;
}

/**
 * The roles' rules. Helper libraries take the side of what they help: the libraries of benchmarks (code-eval,
 * math-grading, python-random) follow the benchmarks' rules (core and each other only; never the runner, the CLI, a backend,
 * a benchmark or a concrete sandbox), the sandboxes' library (sandbox-kit) may import core only, and the
 * backends' library (node-llama-cpp, node-llama-cpp's published code) none of ours. Every package may import
 * itself.
 */
export const rules: Record<Role, Rule> = {
  core: { may: [], testsMay: [], says: 'core imports no other package of ours' },
  'test-kit': {
    may: ['core'],
    testsMay: [],
    says: 'the test-kit depends on @evalchemy/core only, so that plugin authors can test with core and the test-kit alone',
  },
  runner: {
    may: ['core'],
    testsMay: ['test-kit'],
    says: 'the runner imports core (and the test-kit in its tests) and plugins only through discovery',
  },
  cli: {
    may: ['core', 'runner', 'leaderboard'],
    testsMay: ['test-kit'],
    says: 'the CLI imports core, the runner and the leaderboard (and the test-kit in its tests) and plugins only through discovery; its tests run plugins through the built CLI',
  },
  backend: {
    may: ['core', 'backend-library'],
    testsMay: ['test-kit'],
    says: 'a backend imports core and backend libraries (and the test-kit in its tests): never a benchmark, another backend (but for the launcher-client pairs of backendClients), a sandbox, the runner or the CLI',
  },
  benchmark: {
    may: ['core', 'benchmark-library'],
    testsMay: ['test-kit'],
    says: 'a benchmark imports core and benchmark libraries (and the test-kit in its tests): never a backend, another benchmark, a concrete sandbox, the runner or the CLI; tests needing those belong in packages/integration-tests',
  },
  sandbox: {
    may: ['core', 'sandbox-library'],
    testsMay: ['test-kit'],
    says: 'a sandbox imports core and sandbox libraries (and the test-kit in its tests): never another plugin, the runner or the CLI',
  },
  'benchmark-library': {
    may: ['core', 'benchmark-library'],
    testsMay: ['test-kit'],
    says: 'a benchmark library follows the benchmarks: core and benchmark libraries (and the test-kit in its tests), never a plugin, the runner or the CLI',
  },
  'sandbox-library': {
    may: ['core'],
    testsMay: ['test-kit'],
    says: 'a sandbox library imports core only (and the test-kit in its tests)',
  },
  'backend-library': { may: [], testsMay: [], says: 'a backend library imports no package of ours' },
  leaderboard: {
    may: ['core'],
    testsMay: ['test-kit'],
    says: 'the leaderboard reads results files through core and nothing else (the test-kit in its tests), so a team can install it alone',
  },
  'create-plugin': {
    may: [],
    testsMay: ['core', 'test-kit'],
    says: 'create-plugin imports no package of ours: core and the test-kit are devDependencies only, whose published ranges the packages it creates take',
  },
  'integration-tests': {
    may: [
      'core',
      'test-kit',
      'runner',
      'cli',
      'backend',
      'benchmark',
      'sandbox',
      'benchmark-library',
      'sandbox-library',
      'backend-library',
      'leaderboard',
    ],
    testsMay: [],
    says: 'the private integration tests may import every package',
  },
};

/**
 * Benchmark packages that are variants of another benchmark package and build on its exported factory: the one
 * exception to "a benchmark never imports another benchmark". A manifest names one benchmark id, so a
 * benchmark with two upstream task names (MixEval and MixEval-Hard) is two packages; the variant depends on
 * its base (installing it installs the base too), never the other way round.
 */
export const benchmarkVariants: Readonly<Record<string, string>> = {
  '@evalchemy/benchmark-mixeval_hard': '@evalchemy/benchmark-mixeval',
  '@evalchemy/benchmark-arc_easy': '@evalchemy/benchmark-arc_challenge',
};

/**
 * Backend packages that launch a server and speak to it through another backend's client: the one exception to
 * "a backend never imports another backend". vllm starts `vllm serve` replicas and sends every request through
 * the openai backend's `OpenAIBackend` (one per replica), so the OpenAI-compatible wire format, retries and
 * loglikelihood live in one place. The launcher depends on the client, never the other way round.
 */
export const backendClients: Readonly<Record<string, string>> = {
  '@evalchemy/backend-vllm': '@evalchemy/backend-openai',
};

/** The role of the package in `directory` (relative to the repository root, `/`-separated), if it has one. */
export function roleOf(directory: string): Role | undefined {
  const [top, group, name] = directory.split('/');
  if (top !== 'packages' || group === undefined) return undefined;
  if (name !== undefined) {
    return ({ backends: 'backend', benchmarks: 'benchmark', sandboxes: 'sandbox' } as const)[
      group as 'backends' | 'benchmarks' | 'sandboxes'
    ];
  }
  return (
    {
      core: 'core',
      'test-kit': 'test-kit',
      runner: 'runner',
      cli: 'cli',
      'code-eval': 'benchmark-library',
      'math-grading': 'benchmark-library',
      'python-random': 'benchmark-library',
      'sandbox-kit': 'sandbox-library',
      'node-llama-cpp': 'backend-library',
      leaderboard: 'leaderboard',
      'create-plugin': 'create-plugin',
      'integration-tests': 'integration-tests',
    } as Record<string, Role>
  )[group];
}

export interface Violation {
  /** The file (and dependency field), relative to the root. */
  where: string;
  message: string;
}

interface WorkspacePackage {
  name: string;
  /** Relative to the root, `/`-separated. */
  directory: string;
  role: Role | undefined;
  packageJson: Record<string, Record<string, string> | undefined>;
}

const sourceExtensions = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'];
const ignoredFolders = new Set(['node_modules', 'dist', '.nx']);
const runtimeFields = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** Every violation of the rules by the packages under `root`/packages (none: an empty list). */
export function checkDependencyRules(root: string): Violation[] {
  const packages = globSync(['packages/*/package.json', 'packages/*/*/package.json'], { cwd: root })
    .map((path): WorkspacePackage => {
      const directory = dirname(path).split(sep).join('/');
      const packageJson = JSON.parse(readFileSync(join(root, path), 'utf8'));
      return { name: packageJson.name, directory, role: roleOf(directory), packageJson };
    })
    .sort((a, b) => b.directory.length - a.directory.length);
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const violations: Violation[] = [];

  for (const pkg of packages) {
    if (pkg.role === undefined) {
      violations.push({
        where: `${pkg.directory}/package.json`,
        message: `${pkg.name} has no role in the dependency rules: give its folder one in roleOf (tools/dependency-rules.ts).`,
      });
      continue;
    }
    const rule = rules[pkg.role];
    const check = (where: string, target: string, inTests: boolean) => {
      const imported = byName.get(target);
      if (imported === undefined) {
        violations.push({ where, message: `${target} is not a package of this repository.` });
        return;
      }
      if (imported === pkg || imported.role === undefined) return;
      if (benchmarkVariants[pkg.name] === imported.name) return;
      if (backendClients[pkg.name] === imported.name) return;
      if (rule.may.includes(imported.role) || (inTests && rule.testsMay.includes(imported.role))) return;
      const onlyInTests = rule.testsMay.includes(imported.role)
        ? ' (allowed only in tests and devDependencies)'
        : '';
      violations.push({
        where,
        message: `${pkg.name} (${pkg.role}) depends on ${imported.name} (${imported.role})${onlyInTests}: ${rule.says}.`,
      });
    };

    for (const field of [...runtimeFields, 'devDependencies']) {
      for (const target of Object.keys(pkg.packageJson[field] ?? {})) {
        if (target.startsWith('@evalchemy/')) {
          check(`${pkg.directory}/package.json (${field})`, target, field === 'devDependencies');
        }
      }
    }

    const files = globSync(`**/*.{${sourceExtensions.join(',')}}`, {
      cwd: join(root, pkg.directory),
      exclude: (path) => ignoredFolders.has(basename(path)),
    });
    for (const file of files) {
      const path = join(root, pkg.directory, file);
      const where = `${pkg.directory}/${file.split(sep).join('/')}`;
      const inTests = /\.test\.[cm]?[jt]s$/.test(file) || file.split(sep).includes('__fixtures__');
      for (const specifier of importedModules(readFileSync(path, 'utf8'))) {
        const target = packageOfSpecifier(specifier, path, root, packages);
        if (target !== undefined) check(where, target, inTests);
      }
    }
  }
  return violations;
}

/** The module specifiers a file imports, re-exports, `import()`s or `require()`s with a literal. */
export function importedModules(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The name of our package a specifier reaches: `@evalchemy/<name>[/subpath]`, or a relative path into another package. */
function packageOfSpecifier(
  specifier: string,
  importer: string,
  root: string,
  packages: readonly WorkspacePackage[],
): string | undefined {
  const scoped = /^(@evalchemy\/[^/]+)/.exec(specifier);
  if (scoped) return scoped[1];
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(root, resolve(dirname(importer), specifier))
    .split(sep)
    .join('/');
  // Packages are sorted longest directory first, so a nested package wins over its parent folder.
  return packages.find((pkg) => target === pkg.directory || target.startsWith(`${pkg.directory}/`))?.name;
}
