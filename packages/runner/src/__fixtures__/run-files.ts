import { readFile } from 'node:fs/promises';
import {
  type ResultsFileV1,
  resultsFileSchema,
  type SampleRecordV1,
  sampleRecordSchema,
} from '@evalchemy/core';
import { expect } from 'vitest';
import { z } from 'zod';
import type { RunOutcome } from '../run-evaluation.js';

/**
 * The results file and every samples file of a finished run, read back from disk. Fails the test unless each
 * matches the schema `@evalchemy/core` publishes, with no field the schema does not describe.
 */
export async function readRunFiles(
  outcome: RunOutcome,
): Promise<{ results: ResultsFileV1; samples: Record<string, SampleRecordV1[]> }> {
  const text = await readFile(outcome.resultsPath, 'utf8');
  const results = matching(resultsFileSchema, JSON.parse(text), outcome.resultsPath);
  const samples: Record<string, SampleRecordV1[]> = {};
  for (const { task, samplesPath } of outcome.tasks) {
    if (samplesPath === undefined) continue;
    const lines = (await readFile(samplesPath, 'utf8')).split('\n').filter((line) => line !== '');
    samples[task] = lines.map((line, index) =>
      matching(sampleRecordSchema, JSON.parse(line), `${samplesPath} line ${index + 1}`),
    );
  }
  return { results, samples };
}

function matching<Schema extends z.ZodType>(schema: Schema, value: unknown, where: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${where} does not match its schema:\n${z.prettifyError(parsed.error)}`);
  // Parsing drops the fields a schema does not describe: a difference is a field written but not documented.
  expect(parsed.data, `${where} has fields its schema does not describe`).toEqual(value);
  return parsed.data;
}
