import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DatasetFileV1 } from '@evalchemy/core';
import { referenceOutputsFile, wildBenchTestFile } from '../wildbench-data.js';
import reference from './reference-run.json' with { type: 'json' };
import scripted from './scripted-run.json' with { type: 'json' };

/** The fixture directory, laid out like EVALCHEMY_DATASETS_DIR. */
export const fixturesDirectory = fileURLToPath(new URL('.', import.meta.url));

function pinned(file: DatasetFileV1, offlinePath: string): DatasetFileV1 {
  const bytes = readFileSync(`${fixturesDirectory}${offlinePath}`);
  return {
    ...file,
    offlinePath,
    sha256: { offline: createHash('sha256').update(bytes).digest('hex') },
    format: { offline: 'jsonl' },
  };
}

/** Seven synthetic WildBench v2 rows (multi-turn histories, checklists, tags), as JSON lines. */
export const fixtureTestFile = pinned(wildBenchTestFile, 'wildbench/v2/test.jsonl');

/** Synthetic gpt-4-turbo-2024-04-09 answers to the seven rows. */
export const fixtureReferenceFile = pinned(
  referenceOutputsFile('gpt-4-turbo-2024-04-09'),
  'wildbench/model-outputs/gpt-4-turbo-2024-04-09/train.jsonl',
);

/** The model answers and the judge's scripted answers of the reference run (`scripted-run.json`). */
export const scriptedRun: {
  answers: Record<string, string>;
  judge: Record<string, { score: string; pairwise?: string; pairwise_literal?: string }>;
} = scripted;

/**
 * What WildBench's and Evalchemy's code produce on the fixtures with the scripted judge answers
 * (`reference-run.json`, written by `reference-run.py`, see its header).
 */
export const referenceRun = reference;
