// Meta test: the README's TypeScript examples compile as a plugin author's test files would, against this
// package's sources and the installed @evalchemy/core. The plugin they test (`./index.js`) is declared with
// the contract's types, as the README describes it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(packageDirectory, 'README.md'), 'utf8');
/** Each TypeScript block with the heading of its section. */
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => ({
  heading: [...readme.slice(0, match.index).matchAll(/^## (.*)$/gm)].at(-1)?.[1] ?? 'top',
  source: match[1]!,
}));

const pluginEntry = `import type { BackendV1, BenchmarkV1, SandboxV1 } from '@evalchemy/core';
declare const benchmark: BenchmarkV1<{ question: string; answer: string }, { judged: boolean }>;
export default benchmark;
export declare function createMyBackend(settings: { baseUrl: string; model: string }): BackendV1;
export declare function createMySandbox(settings: { concurrency: number }): SandboxV1;
`;

/** The compiler's complaints about each example, as `<virtual folder N>/example.test.ts` beside the plugin. */
function diagnosticsOfExamples(): string[][] {
  const folders = examples.map((_, index) => join(packageDirectory, 'src', `readme-example-${index}`));
  const virtual = new Map(
    folders.flatMap((folder, index) => [
      [join(folder, 'example.test.ts'), examples[index]!.source],
      [join(folder, 'index.ts'), pluginEntry],
    ]),
  );
  const { options } = ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(packageDirectory, 'tsconfig.json'), ts.sys.readFile).config,
    ts.sys,
    packageDirectory,
  );
  // The sources of this package, as the published types would be built from them.
  options.paths = { '@evalchemy/test-kit': [join(packageDirectory, 'src', 'index.ts')] };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists(path);
  host.readFile = (path) => virtual.get(path) ?? readFile(path);
  host.directoryExists = (path) => folders.includes(path) || (directoryExists?.(path) ?? true);
  host.getSourceFile = (path, language, ...rest) => {
    const text = virtual.get(path);
    return text === undefined
      ? getSourceFile(path, language, ...rest)
      : ts.createSourceFile(path, text, language, true);
  };
  const roots = folders.map((folder) => join(folder, 'example.test.ts'));
  const program = ts.createProgram(roots, options, host);
  return roots.map((root) =>
    ts
      .getPreEmitDiagnostics(program, program.getSourceFile(root))
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
  );
}

describe('README examples', () => {
  const diagnostics = diagnosticsOfExamples();

  it('are there: one for each kind of plugin', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  examples.forEach(({ heading }, index) => {
    it(`under "${heading}" compiles`, () => {
      expect(diagnostics[index]).toEqual([]);
    });
  });
});
