import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSamplesFile } from './run-files.js';

const record = {
  task: 'tiny',
  sample_id: '0',
  index: 0,
  metadata: {},
  prompt: { type: 'completion', prompt: 'Q: 1+1\nA:', parameters: { maxTokens: 8 } },
  responses: [[{ text: '2', finish_reason: 'stop', usage: null }]],
  extracted: '2',
  metrics: { exact_match: 1 },
  details: null,
  warnings: [],
};

async function samplesFile(lines: unknown[]): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'run-files-')), 'samples_tiny.jsonl');
  await writeFile(path, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  return path;
}

describe('readSamplesFile', () => {
  it('returns the records of a samples file the runner could have written', async () => {
    expect(await readSamplesFile(await samplesFile([record]))).toEqual([record]);
  });

  it('fails on a record missing a field, naming the line and the field', async () => {
    const { sample_id: _, ...missing } = record;
    await expect(readSamplesFile(await samplesFile([record, missing]))).rejects.toThrow(
      /line 2 does not match its schema:\n {2}sample_id:/,
    );
  });

  it('fails on a field the schema does not describe', async () => {
    await expect(readSamplesFile(await samplesFile([{ ...record, undocumented: 1 }]))).rejects.toThrow(
      /fields its schema does not describe/,
    );
  });
});
