// The dependency rules of issue 12, on this repository and, to show that a violation fails, on a small tree
// that breaks each of them. Where the helper libraries sit: code-eval and math-grading follow the benchmarks'
// rules, sandbox-kit the sandboxes' (core only), node-llama-cpp imports nothing of ours; the private
// integration-tests package may import everything; tools/ is not checked.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDependencyRules, importedModules, roleOf } from './dependency-rules.js';

describe('the dependency rules', () => {
  it('hold in this repository, for package.json files and every source and test file', () => {
    const violations = checkDependencyRules(resolve(import.meta.dirname, '..'));
    expect(violations.map(({ where, message }) => `${where}: ${message}`)).toEqual([]);
  });

  it('place every kind of package, the helper libraries with what they help', () => {
    expect(
      Object.fromEntries(
        [
          'packages/core',
          'packages/test-kit',
          'packages/runner',
          'packages/cli',
          'packages/backends/openai',
          'packages/benchmarks/gsm8k',
          'packages/sandboxes/docker',
          'packages/code-eval',
          'packages/math-grading',
          'packages/sandbox-kit',
          'packages/node-llama-cpp',
          'packages/integration-tests',
          'packages/leaderboard',
          'packages/dashboard',
        ].map((directory) => [directory, roleOf(directory) ?? 'none']),
      ),
    ).toEqual({
      'packages/core': 'core',
      'packages/test-kit': 'test-kit',
      'packages/runner': 'runner',
      'packages/cli': 'cli',
      'packages/backends/openai': 'backend',
      'packages/benchmarks/gsm8k': 'benchmark',
      'packages/sandboxes/docker': 'sandbox',
      'packages/code-eval': 'benchmark-library',
      'packages/math-grading': 'benchmark-library',
      'packages/sandbox-kit': 'sandbox-library',
      'packages/node-llama-cpp': 'backend-library',
      'packages/integration-tests': 'integration-tests',
      'packages/leaderboard': 'leaderboard',
      'packages/dashboard': 'none',
    });
  });

  it('read static imports, type imports, re-exports, literal import() and require()', () => {
    const source = [
      "import a from '@evalchemy/a';",
      "import type { B } from '@evalchemy/b/sub';",
      "export { c } from './c.js';",
      "const d = await import('@evalchemy/d');",
      "const e = require('e');",
      'const f = await import(name);',
    ].join('\n');
    expect(importedModules(source)).toEqual([
      '@evalchemy/a',
      '@evalchemy/b/sub',
      './c.js',
      '@evalchemy/d',
      'e',
    ]);
  });
});

describe('a tree that breaks every rule', () => {
  const root = mkdtempSync(join(tmpdir(), 'dependency-rules-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const pkg = (directory: string, name: string, fields: Record<string, Record<string, string>> = {}) =>
    write(`${directory}/package.json`, JSON.stringify({ name, ...fields }));

  pkg('packages/core', '@evalchemy/core');
  write('packages/core/src/index.ts', "import { x } from '@evalchemy/test-kit';\n");
  pkg('packages/test-kit', '@evalchemy/test-kit', { dependencies: { '@evalchemy/runner': 'workspace:^' } });
  write('packages/test-kit/src/index.ts', "import { createDatasetResolver } from '@evalchemy/runner';\n");
  pkg('packages/runner', '@evalchemy/runner', { dependencies: { '@evalchemy/test-kit': 'workspace:^' } });
  write('packages/runner/src/run.ts', "import openai from '@evalchemy/backend-openai';\n");
  write('packages/runner/src/run.test.ts', "import { createMockBackend } from '@evalchemy/test-kit';\n");
  pkg('packages/cli', '@evalchemy/cli', { devDependencies: { '@evalchemy/sandbox-docker': 'workspace:*' } });
  write('packages/cli/src/cli.test.ts', "export { default } from '@evalchemy/sandbox-docker';\n");
  pkg('packages/backends/openai', '@evalchemy/backend-openai');
  write(
    'packages/backends/openai/src/index.ts',
    "const gsm8k = await import('@evalchemy/benchmark-gsm8k');\n",
  );
  pkg('packages/backends/vllm', '@evalchemy/backend-vllm', {
    dependencies: { '@evalchemy/backend-openai': 'workspace:^' },
  });
  write(
    'packages/backends/vllm/src/index.ts',
    [
      "import { OpenAIBackend } from '@evalchemy/backend-openai';",
      "import replay from '@evalchemy/backend-replay';",
    ].join('\n'),
  );
  pkg('packages/backends/replay', '@evalchemy/backend-replay');
  write('packages/backends/openai/src/vllm.ts', "import { VllmBackend } from '@evalchemy/backend-vllm';\n");
  pkg('packages/benchmarks/gsm8k', '@evalchemy/benchmark-gsm8k', {
    devDependencies: { '@evalchemy/runner': 'workspace:*', '@evalchemy/test-kit': 'workspace:*' },
  });
  write(
    'packages/benchmarks/gsm8k/src/gsm8k.ts',
    [
      "import { codeBenchmark } from '@evalchemy/code-eval';",
      "import { runBenchmarkConformance } from '@evalchemy/test-kit';",
      "import { hello } from '@evalchemy/benchmark-hello';",
    ].join('\n'),
  );
  write(
    'packages/benchmarks/gsm8k/src/gsm8k.test.ts',
    [
      "import { runBenchmarkConformance } from '@evalchemy/test-kit';",
      "import { runEvaluation } from '@evalchemy/runner';",
      "import { createOpenAIBackend } from '../../../backends/openai/src/index.js';",
    ].join('\n'),
  );
  write(
    'packages/benchmarks/gsm8k/src/__fixtures__/run.ts',
    "import docker from '@evalchemy/sandbox-docker';\n",
  );
  pkg('packages/benchmarks/hello', '@evalchemy/benchmark-hello');
  pkg('packages/benchmarks/mixeval', '@evalchemy/benchmark-mixeval');
  write(
    'packages/benchmarks/mixeval/src/index.ts',
    "import hard from '@evalchemy/benchmark-mixeval_hard';\n",
  );
  pkg('packages/benchmarks/mixeval_hard', '@evalchemy/benchmark-mixeval_hard', {
    dependencies: { '@evalchemy/benchmark-mixeval': 'workspace:^' },
  });
  write(
    'packages/benchmarks/mixeval_hard/src/index.ts',
    [
      "import { createMixEval } from '@evalchemy/benchmark-mixeval';",
      "import { hello } from '@evalchemy/benchmark-hello';",
    ].join('\n'),
  );
  pkg('packages/sandboxes/docker', '@evalchemy/sandbox-docker', {
    dependencies: { '@evalchemy/sandbox-kit': 'workspace:^' },
  });
  write(
    'packages/sandboxes/docker/src/docker.test.ts',
    "import { hostileCases } from '@evalchemy/sandbox-process';\n",
  );
  pkg('packages/sandboxes/process', '@evalchemy/sandbox-process');
  pkg('packages/sandbox-kit', '@evalchemy/sandbox-kit');
  write('packages/sandbox-kit/src/index.ts', "import type { SandboxV1 } from '@evalchemy/core';\n");
  pkg('packages/code-eval', '@evalchemy/code-eval');
  write(
    'packages/code-eval/src/executor.test.ts',
    "import { createProcessSandbox } from '@evalchemy/sandbox-process';\n",
  );
  pkg('packages/node-llama-cpp', '@evalchemy/node-llama-cpp');
  write('packages/node-llama-cpp/build.ts', "import { x } from '@evalchemy/core';\n");
  pkg('packages/integration-tests', '@evalchemy/integration-tests');
  write(
    'packages/integration-tests/src/run.test.ts',
    [
      "import { runEvaluation } from '@evalchemy/runner';",
      "import docker from '@evalchemy/sandbox-docker';",
      "import { settingsFor } from '../../runner/src/__fixtures__/run-settings.js';",
    ].join('\n'),
  );
  pkg('packages/dashboard', '@evalchemy/dashboard');
  write('packages/benchmarks/gsm8k/node_modules/@evalchemy/runner/index.js', "import '@evalchemy/cli';\n");

  const violations = checkDependencyRules(root);
  const found = (where: string) => violations.filter((violation) => violation.where === where);

  it('finds exactly the violations, in package.json files, sources, tests and fixtures', () => {
    expect(violations.map((violation) => violation.where).sort()).toEqual(
      [
        'packages/backends/openai/src/index.ts',
        'packages/backends/openai/src/vllm.ts',
        'packages/backends/vllm/src/index.ts',
        'packages/benchmarks/gsm8k/package.json (devDependencies)',
        'packages/benchmarks/gsm8k/src/__fixtures__/run.ts',
        'packages/benchmarks/gsm8k/src/gsm8k.test.ts',
        'packages/benchmarks/gsm8k/src/gsm8k.test.ts',
        'packages/benchmarks/gsm8k/src/gsm8k.ts',
        'packages/benchmarks/gsm8k/src/gsm8k.ts',
        'packages/benchmarks/mixeval/src/index.ts',
        'packages/benchmarks/mixeval_hard/src/index.ts',
        'packages/cli/package.json (devDependencies)',
        'packages/cli/src/cli.test.ts',
        'packages/code-eval/src/executor.test.ts',
        'packages/core/src/index.ts',
        'packages/dashboard/package.json',
        'packages/node-llama-cpp/build.ts',
        'packages/runner/package.json (dependencies)',
        'packages/runner/src/run.ts',
        'packages/sandboxes/docker/src/docker.test.ts',
        'packages/test-kit/package.json (dependencies)',
        'packages/test-kit/src/index.ts',
      ].sort(),
    );
  });

  it('core imports no other package of ours', () => {
    expect(found('packages/core/src/index.ts')[0]?.message).toBe(
      '@evalchemy/core (core) depends on @evalchemy/test-kit (test-kit): core imports no other package of ours.',
    );
  });

  it('the test-kit depends on core only', () => {
    expect(found('packages/test-kit/package.json (dependencies)')[0]?.message).toContain(
      'depends on @evalchemy/runner (runner): the test-kit depends on @evalchemy/core only',
    );
  });

  it('benchmarks and backends never import each other, also not through a relative path or import()', () => {
    expect(found('packages/backends/openai/src/index.ts')[0]?.message).toContain(
      'depends on @evalchemy/benchmark-gsm8k (benchmark): a backend imports core',
    );
    expect(found('packages/benchmarks/gsm8k/src/gsm8k.test.ts').map((v) => v.message)).toEqual([
      expect.stringContaining('depends on @evalchemy/runner (runner)'),
      expect.stringContaining('depends on @evalchemy/backend-openai (backend)'),
    ]);
    expect(found('packages/benchmarks/gsm8k/src/gsm8k.ts').map((v) => v.message)).toEqual([
      expect.stringContaining(
        'depends on @evalchemy/test-kit (test-kit) (allowed only in tests and devDependencies)',
      ),
      expect.stringContaining('depends on @evalchemy/benchmark-hello (benchmark)'),
    ]);
  });

  it('a benchmark variant imports its base benchmark and no other; the base never imports the variant', () => {
    expect(found('packages/benchmarks/mixeval_hard/package.json (dependencies)')).toEqual([]);
    expect(found('packages/benchmarks/mixeval_hard/src/index.ts').map((v) => v.message)).toEqual([
      expect.stringContaining('depends on @evalchemy/benchmark-hello (benchmark)'),
    ]);
    expect(found('packages/benchmarks/mixeval/src/index.ts')[0]?.message).toContain(
      'depends on @evalchemy/benchmark-mixeval_hard (benchmark)',
    );
  });

  it('the vllm launcher imports the openai backend and no other backend; openai never imports vllm', () => {
    expect(found('packages/backends/vllm/package.json (dependencies)')).toEqual([]);
    expect(found('packages/backends/vllm/src/index.ts').map((v) => v.message)).toEqual([
      expect.stringContaining('depends on @evalchemy/backend-replay (backend): a backend imports core'),
    ]);
    expect(found('packages/backends/openai/src/vllm.ts')[0]?.message).toContain(
      'depends on @evalchemy/backend-vllm (backend)',
    );
  });

  it('benchmarks never import a concrete sandbox, and plugins never the runner or the CLI', () => {
    expect(found('packages/benchmarks/gsm8k/src/__fixtures__/run.ts')[0]?.message).toContain(
      'depends on @evalchemy/sandbox-docker (sandbox): a benchmark imports core and benchmark libraries',
    );
    expect(found('packages/benchmarks/gsm8k/package.json (devDependencies)')[0]?.message).toContain(
      'depends on @evalchemy/runner (runner)',
    );
    expect(found('packages/sandboxes/docker/src/docker.test.ts')[0]?.message).toContain(
      'depends on @evalchemy/sandbox-process (sandbox): a sandbox imports core and sandbox libraries',
    );
  });

  it('the runner and the CLI import plugins only through discovery, and the test-kit only in tests', () => {
    expect(found('packages/runner/src/run.ts')[0]?.message).toContain('depends on @evalchemy/backend-openai');
    expect(found('packages/cli/src/cli.test.ts')[0]?.message).toContain(
      'depends on @evalchemy/sandbox-docker',
    );
    expect(found('packages/runner/package.json (dependencies)')[0]?.message).toContain(
      'depends on @evalchemy/test-kit (test-kit) (allowed only in tests and devDependencies)',
    );
  });

  it('helper libraries follow what they help, and a package without a role is named', () => {
    expect(found('packages/code-eval/src/executor.test.ts')[0]?.message).toContain(
      'a benchmark library follows the benchmarks',
    );
    expect(found('packages/node-llama-cpp/build.ts')[0]?.message).toContain(
      'a backend library imports no package of ours',
    );
    expect(found('packages/dashboard/package.json')[0]?.message).toBe(
      '@evalchemy/dashboard has no role in the dependency rules: give its folder one in roleOf (tools/dependency-rules.ts).',
    );
  });
});
