import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createArcChallenge } from '@evalchemy/benchmark-arc_challenge';
import type { BackendCapabilitiesV1, DatasetFileV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
} from '@evalchemy/test-kit';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import plugin, { type ArcQuestion, arcEasyTestFile, createArcEasy, VERSION } from './index.js';

// Two synthetic questions in the Hub's ARC-Easy layout (id, question, choices{text[], label[]}, answerKey), the
// second with numeric labels and five choices.
const rows: ArcQuestion[] = [
  {
    id: 'Synthetic_Easy_1',
    question: 'Which part of a plant takes in most of the water the plant needs?',
    choices: { text: ['leaves', 'roots', 'flowers', 'stem'], label: ['A', 'B', 'C', 'D'] },
    answerKey: 'B',
  },
  {
    id: 'Synthetic_Easy_2',
    question: 'Which of these is a source of light?',
    choices: { text: ['moon', 'mirror', 'the Sun', 'window', 'rock'], label: ['1', '2', '3', '4', '5'] },
    answerKey: '3',
  },
];

function fixtureParquet(): Buffer {
  const text = (name: string) =>
    ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
  const list = (name: string) =>
    [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ] as const;
  const buffer = parquetWriteBuffer({
    schema: [
      { name: 'schema', num_children: 4 },
      text('id'),
      text('question'),
      { name: 'choices', repetition_type: 'OPTIONAL', num_children: 2 },
      ...list('text'),
      ...list('label'),
      text('answerKey'),
    ],
    columnData: [
      { name: 'id', data: rows.map((row) => row.id) },
      { name: 'question', data: rows.map((row) => row.question) },
      { name: 'choices', data: rows.map((row) => row.choices) },
      { name: 'answerKey', data: rows.map((row) => row.answerKey) },
    ],
  } as Parameters<typeof parquetWriteBuffer>[0]);
  return Buffer.from(buffer);
}

// The fixture as an offline copy laid out like shared/datasets (which has no ARC copy).
const offlineDirectory = mkdtempSync(join(tmpdir(), 'arc-easy-offline-'));
const offlineFixture = fixtureParquet();
mkdirSync(dirname(join(offlineDirectory, arcEasyTestFile.offlinePath)), { recursive: true });
writeFileSync(join(offlineDirectory, arcEasyTestFile.offlinePath), offlineFixture);
const pinned: DatasetFileV1 = {
  ...arcEasyTestFile,
  sha256: createHash('sha256').update(offlineFixture).digest('hex'),
};
runBenchmarkConformance(createArcEasy({ dataset: pinned }), {
  packageJsonPath: new URL('../package.json', import.meta.url),
  datasetsDirectory: offlineDirectory,
});

const withLoglikelihood: BackendCapabilitiesV1 = {
  chat: false,
  completion: true,
  loglikelihood: true,
  cacheable: true,
};

describe('arc_easy', () => {
  async function load(file: DatasetFileV1): Promise<SampleV1<ArcQuestion>[]> {
    const benchmark = createArcEasy({ dataset: file });
    const datasets = createOfflineDatasetResolver(offlineDirectory);
    const source = await benchmark.doLoad({ options: {}, datasets, seed: 0, log: createRecordingLogger() });
    return [...(source.samples as Iterable<SampleV1<ArcQuestion>>)];
  }

  it('is lm-eval arc_easy: its own id, version and set, tagged ai2_arc like arc_challenge', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const challenge = JSON.parse(
      readFileSync(new URL('../../arc_challenge/package.json', import.meta.url), 'utf8'),
    );
    expect(plugin.id).toBe('arc_easy');
    expect(manifest.evalchemy.id).toBe(plugin.id);
    expect(VERSION).toBe(manifest.version);
    expect(plugin.version).toBe(VERSION);
    expect(manifest.evalchemy.tags).toEqual(['ai2_arc']);
    expect(challenge.evalchemy.tags).toEqual(['ai2_arc']);
    expect(arcEasyTestFile.hub).toEqual({
      repository: 'allenai/ai2_arc',
      revision: '210d026faf9955653af8916fad021475a3f00453',
      path: 'ARC-Easy/test-00000-of-00001.parquet',
    });
  });

  it("reads the pinned parquet in the Hub's layout, verified, and refuses another sha256", async () => {
    const samples = await load(pinned);
    expect(samples.map((sample) => sample.data)).toEqual(rows);
    await expect(load({ ...pinned, sha256: '0'.repeat(64) })).rejects.toThrow(/sha256/);
  });

  it('plans and scores exactly as arc_challenge does (one prompt and metric for both ARC sets)', async () => {
    const samples = await load(pinned);
    const challenge = createArcChallenge({ dataset: pinned });
    const context = { options: {}, backend: { id: 't', modelId: 't', capabilities: withLoglikelihood } };
    for (const sample of samples) {
      expect(plugin.doPlan(sample, context)).toEqual(challenge.doPlan(sample, context));
    }
    expect(plugin.doPlan(samples[1]!, context)).toEqual({
      type: 'loglikelihood',
      context: 'Question: Which of these is a source of light?\nAnswer:',
      continuations: [' moon', ' mirror', ' the Sun', ' window', ' rock'],
    });
    // " the Sun" (7 characters) is less likely in total than " moon" but more likely per character.
    const logprobs = [-3, -6, -4, -9, -8];
    const score = await plugin.doScore(samples[1]!, {
      type: 'loglikelihood',
      results: logprobs.map((logprob) => ({ logprob, isGreedy: false, warnings: [] })),
    });
    expect(score.metrics).toEqual({ acc: 0, acc_norm: 1 });
  });
});
