import type { ResultsFileV1, SampleRecordV1 } from '@evalchemy/core';
import { readResultsFile, readSamplesFile } from '@evalchemy/test-kit';
import type { RunOutcome } from '../run-evaluation.js';

/**
 * The results file and every samples file of a finished run, read back from disk. Fails the test unless each
 * matches the schema `@evalchemy/core` publishes, with no field the schema does not describe.
 */
export async function readRunFiles(
  outcome: RunOutcome,
): Promise<{ results: ResultsFileV1; samples: Record<string, SampleRecordV1[]> }> {
  const results = await readResultsFile(outcome.resultsPath);
  const samples: Record<string, SampleRecordV1[]> = {};
  for (const { task, samplesPath } of outcome.tasks) {
    if (samplesPath !== undefined) samples[task] = await readSamplesFile(samplesPath);
  }
  return { results, samples };
}
