#!/usr/bin/env node
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchmarkPackage } from './create-benchmark-package.js';
import { CreatePluginError } from './identifier-forms.js';

const usage = `Usage: npm create @evalchemy/plugin <id> [-- --name <package name>] [--directory <dir>]

Creates a benchmark package for evalchemy from the hello template in ./<id> (or --directory): five
synthetic sums, scored by exact match, with its tests (the published test-kit's conformance suite).

<id>: the task name users pass to --tasks: lowercase letters, digits, "_" and "-", starting with a letter.
--name: the npm package name (default evalchemy-benchmark-<id>; a scope such as @acme/... works too).`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      directory: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 1;
  }
  const { values } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  // `benchmark <id>` as the repository's `pnpm create-plugin benchmark <id>` takes it.
  const positionals =
    parsed.positionals[0] === 'benchmark' && parsed.positionals.length === 2
      ? parsed.positionals.slice(1)
      : parsed.positionals;
  const [id, ...rest] = positionals;
  if (id === undefined || rest.length > 0) {
    console.error(usage);
    return 1;
  }
  try {
    const created = await createBenchmarkPackage({
      id,
      ...(values.name !== undefined ? { packageName: values.name } : {}),
      ...(values.directory !== undefined ? { directory: values.directory } : {}),
    });
    const folder = relative(process.cwd(), created.directory) || '.';
    console.log(
      [
        `Created ${folder} (${created.packageName}), the benchmark "${id}".`,
        '',
        'Next steps:',
        `  cd ${folder}`,
        '  npm install',
        '  npm test             (the conformance suite and the template tests)',
        '  Edit the data, prompt and metrics in src/ and README.md (each file starts with what to change).',
        '  npm publish          (builds first); users then run:',
        `  npm install @evalchemy/cli ${created.packageName} && npx evalchemy run --tasks ${id} --model ...`,
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof CreatePluginError)) throw error;
    console.error(`create-plugin: ${error.message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
