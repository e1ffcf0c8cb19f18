import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BackendCapabilitiesV1,
  ConfigurationError,
  type DatasetFileV1,
  type DatasetResolverV1,
  type SampleV1,
} from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
} from '@evalchemy/test-kit';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import plugin, { createDrop, type DropQuestion, dropValidationFile, VERSION } from './index.js';

interface HubRow {
  section_id: string;
  query_id: string;
  passage: string;
  question: string;
  answers_spans: { spans: string[]; types: string[] };
}

// Three questions in ucinlp/drop's parquet layout: a number, a multi-span and a date answer.
const rows: HubRow[] = [
  {
    section_id: 'nfl_1184',
    query_id: 'f37e81fa-ef7b-4583-b671-762fc433faa9',
    passage:
      'Hoping to rebound from their loss, the Bills flew to Gillette Stadium. Buffalo trailed early as kicker Stephen Gostkowski got a 2,000-point career milestone with a 38-yard field goal, then QB Tom Brady found Randy Moss on a 28-yard touchdown pass.',
    question: 'How many yards was the longest field goal?',
    answers_spans: { spans: ['38'], types: ['number'] },
  },
  {
    section_id: 'history_1240',
    query_id: '5b3e3cb4-e5a4-4d5d-8d1a-1e0a2c8f1f11',
    passage:
      'The coalition was formed by the Dutch Republic and England, joined later by Savoy, against the French crown.',
    question: 'Which two countries formed the coalition first?',
    answers_spans: { spans: ['Dutch Republic', 'England'], types: ['span', 'span'] },
  },
  {
    section_id: 'history_2250',
    query_id: 'a2d1e9a0-3c3e-4d16-9c39-1b6b1d1e3f40',
    passage: 'The armistice took effect on 11 November 1918, ending the fighting on the Western Front.',
    question: 'When did the armistice take effect?',
    answers_spans: { spans: ['11 November 1918'], types: ['date'] },
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
      { name: 'schema', num_children: 5 },
      text('section_id'),
      text('query_id'),
      text('passage'),
      text('question'),
      { name: 'answers_spans', repetition_type: 'OPTIONAL', num_children: 2 },
      ...list('spans'),
      ...list('types'),
    ],
    columnData: [
      { name: 'section_id', data: rows.map((row) => row.section_id) },
      { name: 'query_id', data: rows.map((row) => row.query_id) },
      { name: 'passage', data: rows.map((row) => row.passage) },
      { name: 'question', data: rows.map((row) => row.question) },
      { name: 'answers_spans', data: rows.map((row) => row.answers_spans) },
    ],
  } as Parameters<typeof parquetWriteBuffer>[0]);
  return Buffer.from(buffer);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// Conformance reads the fixture as an offline copy laid out like shared/datasets.
const offlineDirectory = mkdtempSync(join(tmpdir(), 'drop-offline-'));
const offlineFixture = fixtureParquet();
mkdirSync(dirname(join(offlineDirectory, dropValidationFile.offlinePath)), { recursive: true });
writeFileSync(join(offlineDirectory, dropValidationFile.offlinePath), offlineFixture);
const pinned: DatasetFileV1 = { ...dropValidationFile, sha256: sha256(offlineFixture) };
runBenchmarkConformance(createDrop({ dataset: pinned }), {
  packageJsonPath: new URL('../package.json', import.meta.url),
  datasetsDirectory: offlineDirectory,
});

const backend = (capabilities: BackendCapabilitiesV1) => ({ id: 't', modelId: 't', capabilities });
const completion = backend({ chat: true, completion: true, loglikelihood: true, cacheable: true });
const chatOnly = backend({ chat: true, completion: false, loglikelihood: false, cacheable: true });
const loglikelihoodOnly = backend({ chat: false, completion: false, loglikelihood: true, cacheable: true });

function reply(text: string) {
  return {
    type: 'generate' as const,
    generations: [[{ text, finishReason: 'stop' as const, warnings: [] }]],
  };
}

async function loadWith(file: DatasetFileV1, datasets: DatasetResolverV1): Promise<SampleV1<DropQuestion>[]> {
  const source = await createDrop({ dataset: file }).doLoad({
    options: {},
    datasets,
    seed: 0,
    log: createRecordingLogger(),
  });
  return [...(source.samples as Iterable<SampleV1<DropQuestion>>)];
}

describe('drop', () => {
  function load(file: DatasetFileV1 = pinned): Promise<SampleV1<DropQuestion>[]> {
    return loadWith(file, createOfflineDatasetResolver(offlineDirectory));
  }

  it('keeps VERSION equal to package.json and the manifest id equal to the benchmark id', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
    expect(manifest.evalchemy.id).toBe(plugin.id);
    expect(plugin.primaryMetric).toBe('f1');
  });

  it("averages em and f1 with their stderr, also under lm-eval's keys em,none and em_stderr,none", () => {
    const scored = [
      { em: 1, f1: 1 },
      { em: 0, f1: 0.5 },
      { em: 0, f1: 0 },
      { em: 1, f1: 1 },
    ].map((metrics, index) => ({ id: String(index), metadata: {}, metrics }));
    const metrics = plugin.doAggregate(scored);
    // em: mean 0.5, sample standard deviation (n − 1) 0.57735…, over √4 (Python: statistics.stdev / math.sqrt)
    expect(metrics.em?.value).toBe(0.5);
    expect(metrics.em?.stderr).toBeCloseTo(0.28867513459481287, 15);
    expect(metrics['em,none']).toEqual({ value: 0.5 });
    expect(metrics['em_stderr,none']).toEqual({ value: metrics.em?.stderr });
    expect(metrics['f1,none']).toEqual({ value: 0.625 });
    expect(metrics['f1_stderr,none']).toEqual({ value: metrics.f1?.stderr });
  });

  it("reads the pinned parquet in the Hub's layout, verified, into query ids and gold spans", async () => {
    const samples = await load();
    expect(samples.map((sample) => sample.id)).toEqual(rows.map((row) => row.query_id));
    expect(samples.map((sample) => sample.data.answers)).toEqual([
      [['38']],
      [['Dutch Republic', 'England']],
      [['11 November 1918']],
    ]);
    expect(samples[0]?.metadata).toEqual({ section_id: 'nfl_1184' });
  });

  it('refuses a data file whose sha256 differs from the pin', async () => {
    await expect(load({ ...pinned, sha256: '0'.repeat(64) })).rejects.toThrow(/sha256/);
  });

  it('prompts "{passage} {question}" greedily, stopping at the first full stop', async () => {
    const [first] = await load();
    const prompt = `${rows[0]?.passage} ${rows[0]?.question}`;
    const parameters = { temperature: 0, maxTokens: 256, stop: ['.'] };
    expect(plugin.doPlan(first!, { options: {}, backend: completion })).toEqual({
      type: 'completion',
      prompt,
      parameters,
    });
    expect(plugin.doPlan(first!, { options: {}, backend: chatOnly })).toEqual({
      type: 'chat',
      turns: [prompt],
      parameters,
    });
    expect(() => plugin.doPlan(first!, { options: {}, backend: loglikelihoodOnly })).toThrow(
      ConfigurationError,
    );
  });

  it('scores numbers, multi-span and date answers with DROP em and f1', async () => {
    const [number, spans, date] = await load();
    const score = async (sample: SampleV1<DropQuestion> | undefined, text: string) =>
      (await plugin.doScore(sample!, reply(text))).metrics;
    expect(await score(number, ' 38 yards')).toEqual({ em: 0, f1: 0.67 });
    expect(await score(number, ' 28 yards')).toEqual({ em: 0, f1: 0 });
    // Text after the first full stop is not part of the answer, even when the backend did not stop there.
    expect(await score(number, ' 38. It was kicked by Gostkowski')).toEqual({ em: 1, f1: 1 });
    expect(await score(spans, ' the Dutch Republic and England')).toEqual({ em: 0, f1: 0.33 });
    expect(await score(spans, ' the Dutch Republic')).toEqual({ em: 0, f1: 0.5 });
    expect(await score(date, ' November 1918')).toEqual({ em: 0, f1: 0.8 });
    expect(await score(date, ' 11 November, 1918')).toEqual({ em: 1, f1: 1 });
  });

  it("reads lm-eval's EleutherAI/drop rows with validated answers as extra gold answers", async () => {
    const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
    const file: DatasetFileV1 = {
      hub: { repository: 'EleutherAI/drop', revision: 'main', path: 'eleutherai-drop.jsonl' },
      offlinePath: 'eleutherai-drop.jsonl',
      sha256: sha256(readFileSync(join(fixtures, 'eleutherai-drop.jsonl'))),
    };
    const [date, number] = await loadWith(file, createOfflineDatasetResolver(fixtures));
    expect(date?.data.answers).toEqual([['12 May 1795'], ['May 1795']]);
    expect(number?.data.answers).toEqual([['25']]);
    expect((await plugin.doScore(date!, reply(' May 1795'))).metrics).toEqual({ em: 1, f1: 1 });
    expect((await plugin.doScore(number!, reply(' 25'))).metrics).toEqual({ em: 1, f1: 1 });
  });
});
