import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  ConfigurationError,
  type ResultsFileV1,
  resultsFileSchema,
  type SampleRecordV1,
  StorageError,
  sampleRecordSchema,
} from '@evalchemy/core';
import type { PushInput } from './leaderboard.js';
import { firstSchemaIssue } from './schema-issue.js';

const resultsNamePattern = /^results_(.+)\.json$/;

/**
 * Reads a results file and, beside it, its samples files (`samples_<task>_<timestamp>.jsonl` with the same
 * timestamp). A task without a samples file has no samples.
 */
export async function readRunFiles(path: string): Promise<Omit<PushInput, 'model'>> {
  const resultsPath = resolve(path);
  const text = await readText(resultsPath);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `${resultsPath} is not JSON (${error instanceof Error ? error.message : String(error)}): push a results_<timestamp>.json written by evalchemy run.`,
    );
  }
  const parsed = resultsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigurationError(
      `${resultsPath} is not an evalchemy results file: ${firstSchemaIssue(parsed.error, '(the whole file)')}. Push a results_<timestamp>.json written by evalchemy run.`,
    );
  }
  const results: ResultsFileV1 = parsed.data;
  if (results.shard !== undefined) {
    throw new ConfigurationError(
      `${resultsPath} holds shard ${results.shard.index} of ${results.shard.count} of run ${results.run_id}, only its share of ` +
        'each task: merge the shards first (evalchemy merge DIR, with the folder of every shard), then push the merged results file.',
    );
  }
  // A results file written elsewhere (`--output_path FILE.json`) has its samples under its start time.
  const timestamp =
    resultsNamePattern.exec(basename(resultsPath))?.[1] ??
    results.timing?.start?.replaceAll(':', '-').replace(/Z$/, '');
  const samples: Record<string, SampleRecordV1[]> = {};
  if (timestamp !== undefined) {
    for (const task of Object.keys(results.tasks)) {
      const samplesPath = join(dirname(resultsPath), `samples_${task}_${timestamp}.jsonl`);
      const records = await readSamples(samplesPath);
      if (records !== undefined) samples[task] = records;
    }
  }
  return { results, samples, resultsPath };
}

/** A results file itself, or every `results_*.json` under a directory (recursively), sorted. */
export async function findResultsFiles(pathOrDirectory: string): Promise<string[]> {
  const path = resolve(pathOrDirectory);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw notReadable(path, error);
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && resultsNamePattern.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function readSamples(path: string): Promise<SampleRecordV1[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
      return undefined;
    throw notReadable(path, error);
  }
  const records: SampleRecordV1[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new ConfigurationError(
        `${path}, line ${index + 1}, is not JSON: push the samples file evalchemy run wrote.`,
      );
    }
    const parsed = sampleRecordSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConfigurationError(
        `${path}, line ${index + 1}, is not an evalchemy sample record: ${firstSchemaIssue(parsed.error, '(the whole record)')}.`,
      );
    }
    records.push(parsed.data);
  }
  return records;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw notReadable(path, error);
  }
}

function notReadable(path: string, error: unknown): StorageError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  return new StorageError(
    `could not read ${path}${code === undefined ? '' : ` (${code})`}: check the path (a results_<timestamp>.json, or a directory holding some).`,
    { path, code, cause: error },
  );
}
