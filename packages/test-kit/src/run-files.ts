import { readFile } from 'node:fs/promises';
import {
  type ResultsFileV1,
  resultsFileSchema,
  type SampleRecordV1,
  sampleRecordSchema,
} from '@evalchemy/core';
import { expect } from 'vitest';

/**
 * Reads a results file (`results_<timestamp>.json`). Fails the test unless it matches `resultsFileSchema`,
 * with no field the schema does not describe.
 */
export async function readResultsFile(path: string): Promise<ResultsFileV1> {
  return matching(resultsFileSchema, JSON.parse(await readFile(path, 'utf8')), path);
}

/**
 * Reads a samples file (`samples_<task>_<timestamp>.jsonl`). Fails the test unless every line matches
 * `sampleRecordSchema`, with no field the schema does not describe.
 */
export async function readSamplesFile(path: string): Promise<SampleRecordV1[]> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
  return lines.map((line, index) =>
    matching(sampleRecordSchema, JSON.parse(line), `${path} line ${index + 1}`),
  );
}

function matching<Output>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: Output }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
  where: string,
): Output {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `  ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`,
    );
    throw new Error(`${where} does not match its schema:\n${issues.join('\n')}`);
  }
  // Parsing drops the fields a schema does not describe: a difference is a field written but not documented.
  expect(parsed.data, `${where} has fields its schema does not describe`).toEqual(value);
  return parsed.data;
}
