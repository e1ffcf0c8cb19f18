import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, StorageError } from '@evalchemy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRun, writeRunFiles } from './__fixtures__/run-fixture.js';
import { findResultsFiles, readRunFiles } from './read-run-files.js';

describe('readRunFiles and findResultsFiles', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'evalchemy-run-files-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reads a results file and the samples files beside it with the same timestamp', async () => {
    const run = buildRun({
      tasks: [
        { task: 'gsm8k', scores: [1, 0, null] },
        { task: 'arc_challenge', scores: [1], metric: 'acc_norm', kind: 'loglikelihood' },
      ],
    });
    const directory = join(root, 'one', 'stories260K');
    const path = await writeRunFiles(directory, run, { timestamp: '2026-12-02T16-25-46.471' });
    // A samples file of another run in the same folder is not read.
    await writeFile(join(directory, 'samples_gsm8k_2026-12-01T00-00-00.000.jsonl'), 'not json\n');
    const read = await readRunFiles(path);
    expect(read.resultsPath).toBe(path);
    expect(read.results).toEqual(run.results);
    expect(read.samples).toEqual(run.samples);
  });

  it('reads the samples beside a results file of any name (--output_path FILE.json) by the run start time', async () => {
    const run = buildRun({ tasks: [{ task: 'gsm8k', scores: [1, 0] }] });
    const directory = join(root, 'named');
    const written = await writeRunFiles(directory, run);
    const path = join(directory, 'my-run.json');
    await rename(written, path);
    const read = await readRunFiles(path);
    expect(read.samples).toEqual(run.samples);
  });

  it('reads a run without samples files as a run without samples', async () => {
    const run = buildRun({
      tasks: [
        { task: 'gsm8k', scores: [1] },
        { task: 'mmlu', scores: [0] },
      ],
    });
    const path = await writeRunFiles(join(root, 'partial'), run, { withoutSamplesOf: ['mmlu'] });
    const read = await readRunFiles(path);
    expect(Object.keys(read.samples)).toEqual(['gsm8k']);
  });

  it('names the file and the first field at fault in an invalid results file', async () => {
    const run = buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] });
    const path = join(root, 'results_bad.json');
    await writeFile(path, JSON.stringify({ ...run.results, run_id: 'not-a-uuid' }));
    const error = await readRunFiles(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toContain(`${path} is not an evalchemy results file: run_id:`);
    const notJson = join(root, 'results_text.json');
    await writeFile(notJson, 'hello');
    await expect(readRunFiles(notJson)).rejects.toThrow(`${notJson} is not JSON`);
    await expect(readRunFiles(join(root, 'missing.json'))).rejects.toThrow(StorageError);
  });

  it('names the samples file and line at fault', async () => {
    const run = buildRun({ tasks: [{ task: 'gsm8k', scores: [1, 1] }] });
    const directory = join(root, 'bad-samples');
    const path = await writeRunFiles(directory, run, { timestamp: 'T1' });
    await writeFile(
      join(directory, 'samples_gsm8k_T1.jsonl'),
      `${JSON.stringify(run.samples.gsm8k?.[0])}\n{"task":"gsm8k"}\n`,
    );
    await expect(readRunFiles(path)).rejects.toThrow(
      /samples_gsm8k_T1\.jsonl, line 2, is not an evalchemy sample record: sample_id/,
    );
  });

  it('finds every results file under a directory, and takes a file as itself', async () => {
    const base = join(root, 'tree');
    const a = await writeRunFiles(
      join(base, 'model-a'),
      buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] }),
      { timestamp: 'A' },
    );
    const b = await writeRunFiles(
      join(base, 'deep', 'model-b'),
      buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] }),
      {
        timestamp: 'B',
      },
    );
    expect(await findResultsFiles(base)).toEqual([b, a].sort());
    expect(await findResultsFiles(a)).toEqual([a]);
    await expect(findResultsFiles(join(root, 'nowhere'))).rejects.toThrow(StorageError);
  });
});
