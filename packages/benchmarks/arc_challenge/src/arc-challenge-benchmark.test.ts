import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BackendCapabilitiesV1, DatasetFileV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
} from '@evalchemy/test-kit';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import plugin, { type ArcQuestion, arcChallengeTestFile, createArcChallenge, VERSION } from './index.js';

// Two questions in the Hub's ARC-Challenge layout (id, question, choices{text[], label[]}, answerKey), the
// second with numeric labels as some real rows have.
const rows: ArcQuestion[] = [
  {
    id: 'Mercury_7175875',
    question:
      'An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most likely effect of this increase in rotation?',
    choices: {
      text: [
        'Planetary density will decrease.',
        'Planetary years will become longer.',
        'Planetary days will become shorter.',
        'Planetary gravity will become stronger.',
      ],
      label: ['A', 'B', 'C', 'D'],
    },
    answerKey: 'C',
  },
  {
    id: 'NYSEDREGENTS_2015_4_9',
    question: 'Which object is a good conductor of electricity?',
    choices: { text: ['glass', 'wood', 'copper wire'], label: ['1', '2', '3'] },
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

// Conformance reads the fixture as an offline copy laid out like shared/datasets.
const offlineDirectory = mkdtempSync(join(tmpdir(), 'arc-offline-'));
const offlineFixture = fixtureParquet();
mkdirSync(dirname(join(offlineDirectory, arcChallengeTestFile.offlinePath)), { recursive: true });
writeFileSync(join(offlineDirectory, arcChallengeTestFile.offlinePath), offlineFixture);
const pinned: DatasetFileV1 = {
  ...arcChallengeTestFile,
  sha256: createHash('sha256').update(offlineFixture).digest('hex'),
};
runBenchmarkConformance(createArcChallenge({ dataset: pinned }), {
  packageJsonPath: new URL('../package.json', import.meta.url),
  datasetsDirectory: offlineDirectory,
});

const withLoglikelihood: BackendCapabilitiesV1 = {
  chat: false,
  completion: true,
  loglikelihood: true,
  cacheable: true,
};
const chatOnly: BackendCapabilitiesV1 = {
  chat: true,
  completion: false,
  loglikelihood: false,
  cacheable: true,
};

describe('arc_challenge', () => {
  async function load(file: DatasetFileV1): Promise<SampleV1<ArcQuestion>[]> {
    const benchmark = createArcChallenge({ dataset: file });
    const datasets = createOfflineDatasetResolver(offlineDirectory);
    const source = await benchmark.doLoad({ options: {}, datasets, seed: 0, log: createRecordingLogger() });
    return [...(source.samples as Iterable<SampleV1<ArcQuestion>>)];
  }

  it('keeps VERSION equal to package.json and the manifest id equal to the benchmark id', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
    expect(manifest.evalchemy.id).toBe(plugin.id);
  });

  it("reads the pinned parquet in the Hub's layout, verified, into questions with their ids", async () => {
    const samples = await load(pinned);
    expect(samples.map((sample) => sample.data)).toEqual(rows);
    expect(samples.map((sample) => sample.id)).toEqual(['Mercury_7175875', 'NYSEDREGENTS_2015_4_9']);
  });

  it('refuses a data file whose sha256 differs from the pin', async () => {
    await expect(load({ ...pinned, sha256: '0'.repeat(64) })).rejects.toThrow(/sha256/);
  });

  it('plans lm-eval arc_challenge: "Question: …\\nAnswer:" with " choice" continuations', async () => {
    const [first] = await load(pinned);
    expect(
      plugin.doPlan(first!, {
        options: {},
        backend: { id: 't', modelId: 't', capabilities: withLoglikelihood },
      }),
    ).toEqual({
      type: 'loglikelihood',
      context: `Question: ${rows[0]!.question}\nAnswer:`,
      continuations: rows[0]!.choices.text.map((text) => ` ${text}`),
    });
  });

  it('scores acc by raw and acc_norm by length-normalised log-likelihood', async () => {
    const [, second] = await load(pinned);
    // "copper wire" (11 characters) is least likely in total but most likely per character.
    const logprobs = [-4, -3.5, -5.5];
    const score = await plugin.doScore(second!, {
      type: 'loglikelihood',
      results: logprobs.map((logprob) => ({ logprob, isGreedy: false, warnings: [] })),
    });
    expect(score.metrics).toEqual({ acc: 0, acc_norm: 1 });
  });

  it('asks chat-only backends for a letter and reads "The best answer is C"', async () => {
    const [first, second] = await load(pinned);
    const plan = plugin.doPlan(second!, {
      options: {},
      backend: { id: 't', modelId: 't', capabilities: chatOnly },
    });
    expect(plan.type === 'chat' && plan.turns[0]).toContain('\nC. copper wire\n');
    const reply = (text: string) => ({
      type: 'generate' as const,
      generations: [[{ text, finishReason: 'stop' as const, warnings: [] }]],
    });
    expect((await plugin.doScore(second!, reply('Copper conducts. The best answer is C.'))).metrics.acc).toBe(
      1,
    );
    expect((await plugin.doScore(first!, reply('A is tempting, but the best answer is C'))).metrics.acc).toBe(
      1,
    );
    expect((await plugin.doScore(first!, reply('The best answer is D.'))).metrics.acc).toBe(0);
  });
});
