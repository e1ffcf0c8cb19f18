import { parseArgs } from 'node:util';
import { ConfigurationError } from '@evalchemy/core';
import { flagName, normaliseFlags, parseJsonObject, parseKeyValueList, runFlags } from './arguments.js';

/** What `evalchemy slurm submit` writes into the two job scripts. */
export interface SlurmScriptSettings {
  /** Shards of the run: the array job's tasks 0…shards-1. */
  shards: number;
  /** GPUs per array task (`--gres=gpu:G`); 0 asks for none. */
  gpusPerShard: number;
  partition?: string | undefined;
  /** Slurm's time limit per job (`--time`, e.g. `04:00:00`). */
  time?: string | undefined;
  /** More sbatch options, written as `#SBATCH` lines of both scripts (so resubmissions keep them). */
  sbatchArgs: readonly string[];
  /** Absolute job directory: scripts, logs/ and results/ (a filesystem the compute nodes share). */
  jobDirectory: string;
  /** Where the jobs run (`--chdir`): the submitting directory, so relative paths of the command hold. */
  workingDirectory: string;
  /** The shell words that start evalchemy on a compute node (`node /…/bin.js`, `npx @evalchemy/cli`). */
  evalchemy: string;
  /** The run's id, the same for every shard and the merge. */
  runId: string;
  /** The `evalchemy run …` command each shard runs, without the shard's flags. */
  command: readonly string[];
}

/** Names of the files in a job directory. */
export const jobFiles = {
  arrayScript: 'shards.sbatch',
  mergeScript: 'merge.sbatch',
  state: 'slurm-job.json',
  results: 'results',
  logs: 'logs',
  failedAttempts: 'failed-attempts',
} as const;

/** Option keys whose values are keys or passwords (as `evalchemy k8s manifest` refuses them). */
const secretKey = /^key$|(^|_)token$|api_?key|password|passwd|secret|credential/i;

/** The flags the engine sets on each shard's command: the user may not give them after `--`. */
const engineFlags = new Set(['shard', 'num-shards', 'shard-index', 'run-id', 'output-path']);

/** Words a POSIX shell reads back as `word`: unchanged when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Splits `--sbatch_args` into words as a shell would (single and double quotes, backslashes), without any
 * expansion.
 */
export function splitShellWords(text: string, flag: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (quote !== undefined) {
      if (character === quote) quote = undefined;
      else if (character === '\\' && quote === '"' && index + 1 < text.length)
        word = `${word ?? ''}${text[++index]}`;
      else word = `${word ?? ''}${character}`;
    } else if (/\s/.test(character)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (character === "'" || character === '"') {
      quote = character;
      word ??= '';
    } else if (character === '\\' && index + 1 < text.length) {
      word = (word ?? '') + text[++index];
    } else {
      word = (word ?? '') + character;
    }
  }
  if (quote !== undefined) throw new ConfigurationError(`${flag}: a ${quote} quote is not closed.`);
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * Checks the command each shard runs (the words after `--`): an `evalchemy run` whose flags parse, without the
 * flags the engine sets, and without a key in --model_args or --judge_args (the scripts are files on a shared
 * filesystem; the jobs inherit the environment instead).
 */
export function checkShardCommand(command: readonly string[], engine: string): void {
  const [subcommand, ...args] = command;
  if (subcommand === undefined) {
    throw new ConfigurationError(
      `evalchemy ${engine} submit needs the command each shard runs after "--", e.g. ` +
        `evalchemy ${engine} submit --shards 4 -- run --model vllm --model_args pretrained=… --tasks gsm8k`,
    );
  }
  if (subcommand !== 'run') {
    throw new ConfigurationError(
      `the command after "--" must be an "evalchemy run …" command (without "evalchemy"), got "${subcommand}".`,
    );
  }
  const { tokens } = parseArgs({
    args: normaliseFlags(args),
    options: runFlags,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given = [
    ...new Set(
      tokens.flatMap((token) =>
        token.kind === 'option' && engineFlags.has(token.name)
          ? [
              token.name === 'output-path' && token.rawName === '-o'
                ? '-o/--output_path'
                : flagName(token.name),
            ]
          : [],
      ),
    ),
  ];
  if (given.length > 0) {
    throw new ConfigurationError(
      `${given.join(', ')} in the command after "--": evalchemy ${engine} sets --shard, --run_id and --output_path ` +
        `of every shard itself (results go to the job directory's ${jobFiles.results}/ folder); leave ${given.length === 1 ? 'it' : 'them'} out.`,
    );
  }
  if (tokens.some((token) => token.kind === 'option' && token.name === 'use-database')) {
    throw new ConfigurationError(
      `--use_database in the command after "--": a shard's results are not pushed to the leaderboard. Leave it out ` +
        `and push the merged results file once the merge job is done (evalchemy leaderboard push ` +
        `<job dir>/${jobFiles.results}/<model>/results_<time>.json; "evalchemy slurm status" prints its path).`,
    );
  }
  for (const token of tokens) {
    if (token.kind !== 'option' || (token.name !== 'model-args' && token.name !== 'judge-args')) continue;
    const values =
      token.value === undefined
        ? {}
        : (parseJsonObject(token.value, flagName(token.name)) ??
          parseKeyValueList(token.value, flagName(token.name)));
    const key = Object.keys(values).find((name) => secretKey.test(name));
    if (key !== undefined) {
      throw new ConfigurationError(
        `${flagName(token.name)} in the command after "--" holds ${key}=…: the job scripts are files others may read, ` +
          'so keys are never written into them. Export the key instead (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ' +
          `EVALCHEMY_JUDGE_API_KEY, HF_TOKEN) before "evalchemy ${engine} submit": the jobs inherit the environment.`,
      );
    }
  }
}

/** `--array` ranges: `0-3`, or `1,4` for single indices. */
export function arrayRange(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    parts.push(end === start ? String(sorted[start]) : `${sorted[start]}-${sorted[end]}`);
    start = end + 1;
  }
  return parts.join(',');
}

/** sbatch's file name patterns take `%` as a placeholder: a literal one is `%%`. */
function slurmPath(path: string): string {
  return path.replaceAll('%', '%%');
}

/** The `#SBATCH` option groups of `--sbatch_args`: a flag with the words that follow it. */
function extraDirectives(sbatchArgs: readonly string[]): string[] {
  const groups: string[][] = [];
  for (const word of sbatchArgs) {
    if (word.startsWith('-') || groups.length === 0) groups.push([word]);
    else groups.at(-1)!.push(word);
  }
  return groups.map((group) => `#SBATCH ${group.map(shellQuote).join(' ')}`);
}

function commonDirectives(settings: SlurmScriptSettings): string[] {
  return [
    `#SBATCH --chdir=${shellQuote(settings.workingDirectory)}`,
    // The jobs inherit the submitting environment: keys are exported, never written here.
    '#SBATCH --export=ALL',
    ...(settings.partition === undefined ? [] : [`#SBATCH --partition=${shellQuote(settings.partition)}`]),
    ...(settings.time === undefined ? [] : [`#SBATCH --time=${shellQuote(settings.time)}`]),
  ];
}

/** The array job: task I runs shard I of the command. */
export function arrayScript(settings: SlurmScriptSettings): string {
  const logs = slurmPath(`${settings.jobDirectory}/${jobFiles.logs}`);
  const [subcommand, ...args] = settings.command;
  return [
    '#!/bin/bash',
    `# Written by "evalchemy slurm submit": the ${settings.shards} shards of run ${settings.runId}, one array task each.`,
    '#SBATCH --job-name=evalchemy-shards',
    `#SBATCH --array=0-${settings.shards - 1}`,
    `#SBATCH --output=${shellQuote(`${logs}/shard_%A_%a.out`)}`,
    `#SBATCH --error=${shellQuote(`${logs}/shard_%A_%a.err`)}`,
    ...(settings.gpusPerShard > 0 ? [`#SBATCH --gres=gpu:${settings.gpusPerShard}`] : []),
    ...commonDirectives(settings),
    ...extraDirectives(settings.sbatchArgs),
    'set -euo pipefail',
    // A local model (--model vllm) starts its own server on the GPUs Slurm gave this task (CUDA_VISIBLE_DEVICES).
    `exec ${settings.evalchemy} ${[subcommand ?? 'run', ...args].map(shellQuote).join(' ')} \\`,
    `  --shard "\${SLURM_ARRAY_TASK_ID}/${settings.shards}" --run_id ${shellQuote(settings.runId)} \\`,
    `  --output_path ${shellQuote(`${settings.jobDirectory}/${jobFiles.results}`)}`,
    '',
  ].join('\n');
}

/** The run command's `--include_path` folder, which the merge needs too (its plugins score and aggregate). */
function includePathOf(command: readonly string[]): string[] {
  const { values } = parseArgs({
    args: normaliseFlags(command.slice(1)),
    options: runFlags,
    strict: false,
    allowPositionals: true,
  });
  const directory = values['include-path'];
  return typeof directory === 'string' ? [directory] : [];
}

/** The merge job: once every shard succeeded, the results a single process would have written. */
export function mergeScript(settings: SlurmScriptSettings): string {
  const logs = slurmPath(`${settings.jobDirectory}/${jobFiles.logs}`);
  return [
    '#!/bin/bash',
    `# Written by "evalchemy slurm submit": merges the ${settings.shards} shards of run ${settings.runId}.`,
    '#SBATCH --job-name=evalchemy-merge',
    `#SBATCH --output=${shellQuote(`${logs}/merge_%j.out`)}`,
    `#SBATCH --error=${shellQuote(`${logs}/merge_%j.err`)}`,
    ...commonDirectives(settings),
    ...extraDirectives(settings.sbatchArgs),
    'set -euo pipefail',
    `exec ${settings.evalchemy} merge ${shellQuote(`${settings.jobDirectory}/${jobFiles.results}`)} --run_id ${shellQuote(settings.runId)}` +
      includePathOf(settings.command)
        .map((directory) => ` --include_path ${shellQuote(directory)}`)
        .join(''),
    '',
  ].join('\n');
}
