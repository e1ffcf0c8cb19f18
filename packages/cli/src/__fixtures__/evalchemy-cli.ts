import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsFileV1 } from '@evalchemy/core';
import { readResultsFile, readSamplesFile, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { execa } from 'execa';

const bin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts the built CLI as a user would, with a clean environment (no keys), the shared datasets and a private
 * cache unless `env` names one. Await it for the result; it can be sent signals meanwhile.
 */
export function evalchemy(args: string[], settings: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa('node', [bin, ...args], {
    cwd: settings.cwd ?? packageDirectory,
    reject: false,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      EVALCHEMY_DATASETS_DIR: sharedDatasetsDirectory(),
      EVALCHEMY_CACHE_DIR: mkdtempSync(join(tmpdir(), 'evalchemy-cache-')),
      ...settings.env,
    },
  });
}

/**
 * The arguments of `evalchemy run` with the openai backend against the OpenAI-compatible server at `baseUrl`
 * (model `m` unless `model` is given); `modelArgs` are appended to the backend's options.
 */
export function openaiRun(settings: {
  baseUrl: string;
  output: string;
  tasks: string;
  limit: number;
  model?: string;
  modelArgs?: string;
  extra?: string[];
}): string[] {
  return [
    'run',
    '--model',
    'openai',
    '--model_args',
    `model=${settings.model ?? 'm'},base_url=${settings.baseUrl}${settings.modelArgs ?? ''}`,
    '--tasks',
    settings.tasks,
    '--limit',
    String(settings.limit),
    '--output_path',
    settings.output,
    ...(settings.extra ?? []),
  ];
}

/** The arguments of `evalchemy run` re-scoring FastChat's stored gpt-3.5-turbo MT-Bench answers (replay backend). */
export function replayMtbenchRun(extra: string[] = []): string[] {
  const answers = join(sharedDatasetsDirectory(), 'mtbench/model_answer/gpt-3.5-turbo.jsonl');
  return ['run', '--model', 'replay', '--model_args', `path=${answers}`, '--tasks', 'mtbench', ...extra];
}

/**
 * The results file of a run and the names of every file beside it. Fails the test unless the results file
 * and every samples file match the schemas of `@evalchemy/core`, with no field the schemas do not describe.
 */
export async function resultsIn(
  outputPath: string,
  model: string,
): Promise<{ results: ResultsFileV1; files: string[] }> {
  const directory = join(outputPath, model);
  const files = await readdir(directory);
  for (const name of files.filter((file) => /^samples_.*\.jsonl$/.test(file))) {
    await readSamplesFile(join(directory, name));
  }
  const resultsFile = files.find((name) => name.startsWith('results_'))!;
  return { results: await readResultsFile(join(directory, resultsFile)), files };
}
