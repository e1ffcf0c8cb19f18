// Meta test: every `evalchemy` command line in a README of this repository (the top one and every package's)
// is one the CLI accepts: the command exists, its flags are known, the backend and the tasks name published
// plugins and --model_args are options of that backend. README examples are what users paste first.
import { globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type PluginKind, parsePluginOptions } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { normaliseFlags, parseKeyValueList, parseRunFlags } from './arguments.js';
import { configFileSchema } from './config-file.js';
import { parseK8sArguments } from './k8s-command.js';
import { knownTags } from './known-plugins.js';
import { parseLeaderboardArguments } from './leaderboard-command.js';
import { parseMergeFlags } from './merge-command.js';
import { routeModel } from './model-routing.js';
import { findKnownPlugin } from './plugin-discovery.js';
import { parseSlurmStatusArguments, parseSlurmSubmitArguments } from './slurm-command.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const readmes = globSync(['README.md', 'packages/*/README.md', 'packages/*/*/README.md'], {
  cwd: root,
}).sort();
const commandStart = String.raw`(?:evalchemy|npx @evalchemy/cli)\s`;

/**
 * The command lines of a README: inline code spans that start with the command, and lines of fenced code
 * blocks that do (also after `//`), with `\` continuations joined and a trailing `# comment` left out.
 */
function commandLines(markdown: string): string[] {
  const commands = new Set<string>();
  for (const match of markdown.matchAll(new RegExp(`\`(${commandStart}[^\`]*)\``, 'g'))) {
    commands.add(match[1]!.trim());
  }
  let fenced = false;
  for (const line of markdown.replace(/\s*\\\n\s*/g, ' ').split('\n')) {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    const command = new RegExp(`^\\s*(?://\\s*)?(${commandStart}.*?)(?:\\s+#.*)?$`).exec(line)?.[1];
    if (fenced && command !== undefined) commands.add(command.trim());
  }
  return [...commands];
}

/** The plugin a package's README documents: a template's example names the id its copies get. */
interface OwnPlugin {
  kind: PluginKind;
  id: string;
}

/** What the CLI would refuse in a command line (nothing when it parses). */
async function problemsOf(line: string, own?: OwnPlugin): Promise<string[]> {
  const words = (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((word) =>
    word.replace(/^(["'])(.*)\1$/, '$2'),
  );
  const [command, ...args] = words[0] === 'npx' ? words.slice(2) : words.slice(1);
  switch (command) {
    case 'run':
      return runProblems(args, own);
    case 'sandbox':
      try {
        parseArgs({
          args: normaliseFlags(args.slice(1)),
          options: { image: { type: 'string' } },
          strict: true,
        });
      } catch (error) {
        return [(error as Error).message];
      }
      return args[0] === 'build' ? [] : [`"sandbox ${args[0]}": the only sandbox command is build`];
    case 'leaderboard':
      try {
        parseLeaderboardArguments(args);
      } catch (error) {
        return [(error as Error).message];
      }
      return [];
    case 'slurm':
      try {
        if (args[0] === 'status') parseSlurmStatusArguments(args.slice(1));
        else if (args[0] === 'submit') parseSlurmSubmitArguments(args.slice(1));
        else return [`"slurm ${args[0]}": the slurm commands are submit and status`];
      } catch (error) {
        return [(error as Error).message];
      }
      return args[0] === 'submit' ? runProblems(args.slice(args.indexOf('--') + 2), own) : [];
    case 'k8s': {
      let parsed: ReturnType<typeof parseK8sArguments>;
      try {
        parsed = parseK8sArguments(args);
      } catch (error) {
        return [(error as Error).message];
      }
      return parsed.help ? [] : runProblems(parsed.runArguments, own);
    }
    case 'merge':
      try {
        const { positionals, values } = parseMergeFlags(args);
        return positionals.length > 0 || values.help ? [] : ['merge needs folders (evalchemy merge DIR...)'];
      } catch (error) {
        return [(error as Error).message];
      }
    case 'list':
    case 'config-schema':
    case '--version':
    case '--help':
      return args.length > 0 ? [`"${command}" takes no arguments, got ${args.join(' ')}`] : [];
    default:
      return [`no command "${command}" (run, list, leaderboard, sandbox, merge, slurm, k8s, config-schema)`];
  }
}

async function runProblems(args: string[], own: OwnPlugin | undefined): Promise<string[]> {
  let flags: ReturnType<typeof parseRunFlags>;
  try {
    flags = parseRunFlags(args);
  } catch (error) {
    return [(error as Error).message];
  }
  if (flags.help) return [];
  const known = (kind: PluginKind, name: string) =>
    findKnownPlugin(kind, name)?.id ?? (own?.kind === kind && own.id === name ? own.id : undefined);
  const problems: string[] = [];
  if (flags.config === undefined) {
    if (flags.model === undefined) problems.push('no --model (nor --config)');
    if (flags.tasks === undefined) problems.push('no --tasks (nor --config)');
  }
  for (const task of flags.tasks?.split(',') ?? []) {
    if (known('benchmark', task) === undefined && !(task in knownTags))
      problems.push(`--tasks ${task}: no such benchmark or tag`);
  }
  if (flags.sandbox !== undefined && !configFileSchema.shape.sandbox.safeParse(flags.sandbox).success) {
    problems.push(`--sandbox ${flags.sandbox}: not a sandbox choice`);
  }
  if (flags.model === undefined) return problems;
  let routed: ReturnType<typeof routeModel>;
  try {
    const values = parseKeyValueList(flags['model-args'] ?? '', '--model_args');
    routed = routeModel(
      flags.model,
      { values, source: { name: '--model_args', inConfig: false } },
      flags['model-name'],
    );
  } catch (error) {
    return [...problems, (error as Error).message];
  }
  const backend = known('backend', routed.backend);
  if (backend === undefined) problems.push(`--model ${flags.model}: no such backend`);
  if (backend !== undefined && Object.keys(routed.args.values).length > 0) {
    const entry = pathToFileURL(join(root, 'packages', 'backends', backend, 'src', 'index.ts')).href;
    const provider = ((await import(entry)) as { default: { optionsSchema: z.ZodType } }).default;
    try {
      parsePluginOptions(provider.optionsSchema, routed.args.values, `--model_args of ${backend}`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

describe('README command lines', () => {
  it('are found in inline code, code blocks, comments in code and continued lines', () => {
    const markdown = [
      'Run `evalchemy list` or `evalchemy` alone.',
      '```sh',
      'evalchemy run --model openai \\',
      '  --tasks gsm8k   # a comment',
      '// evalchemy run --tasks mmlu',
      'pnpm add @evalchemy/cli',
      '```',
      'npx @evalchemy/cli list outside code is prose.',
    ].join('\n');
    expect(commandLines(markdown)).toEqual([
      'evalchemy list',
      'evalchemy run --model openai --tasks gsm8k',
      'evalchemy run --tasks mmlu',
    ]);
  });

  it.each([
    ['evalchemy --model openai --model_args model=m --tasks gsm8k', 'no command "--model"'],
    ['evalchemy run --model openai --model_args model=m --tasks MT-Bench,GPQADiamond,nope', 'nope: no such'],
    ['evalchemy run --model gpt4 --tasks gsm8k', '--model gpt4: no such backend'],
    [
      'evalchemy run --model openai --model_args model=m,temprature=0 --tasks gsm8k',
      'unknown option "temprature"',
    ],
    [
      'evalchemy run --model openai --model_args model=m --tasks gsm8k --fewshot 3',
      "Unknown option '--fewshot'",
    ],
    ['evalchemy run --tasks gsm8k', 'no --model'],
    [
      'evalchemy run --model openai --model_args model=m --tasks humaneval --sandbox bwrap',
      '--sandbox bwrap',
    ],
    ['evalchemy sandbox pull', 'the only sandbox command is build'],
    ['evalchemy slurm submit --shards 2 -- run --model openai --tasks nope', 'nope: no such'],
    ['evalchemy slurm submit --shards 2 -- run --model openai --tasks gsm8k -o out', '-o/--output_path'],
    ['evalchemy leaderboard show', '"evalchemy leaderboard show" is not a command'],
    ['evalchemy leaderboard list --csv x.csv', "Unknown option '--csv'"],
  ])('%s is refused', async (line, problem) => {
    const problems = await problemsOf(line);
    expect(problems.join('\n')).toContain(problem);
  });

  it('are in the READMEs', () => {
    const count = readmes.reduce(
      (total, readme) => total + commandLines(readFileSync(join(root, readme), 'utf8')).length,
      0,
    );
    expect(count).toBeGreaterThan(30);
  });

  for (const readme of readmes) {
    const packageJson = JSON.parse(readFileSync(join(root, dirname(readme), 'package.json'), 'utf8'));
    const own: OwnPlugin | undefined = packageJson.evalchemy;
    for (const line of commandLines(readFileSync(join(root, readme), 'utf8'))) {
      it(`${readme}: ${line}`, async () => {
        expect(await problemsOf(line, own)).toEqual([]);
      });
    }
  }
});
