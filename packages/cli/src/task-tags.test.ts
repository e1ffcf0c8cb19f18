import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';
import { startHubStandIn } from './__fixtures__/hub-stand-in.js';

// lm-eval's `--tasks ai2_arc` is the tag of arc_easy and arc_challenge: both run, each reported under its own
// name. There is no offline ARC copy, so a stand-in for the Hub (HF_ENDPOINT) on 127.0.0.1 serves two synthetic
// questions per set at the pinned paths.

interface ArcRow {
  id: string;
  question: string;
  choices: { text: string[]; label: string[] };
  answerKey: string;
}

function arcParquet(rows: ArcRow[]): Buffer {
  const text = (name: string) =>
    ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
  const list = (name: string) =>
    [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ] as const;
  return Buffer.from(
    parquetWriteBuffer({
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
    } as Parameters<typeof parquetWriteBuffer>[0]),
  );
}

const abcd = ['A', 'B', 'C', 'D'];
// The scripted model always answers B: right on both challenge questions, on one of the two easy ones.
const challengeRows: ArcRow[] = [
  {
    id: 'C1',
    question: 'Which gas do plants take in for photosynthesis?',
    choices: { text: ['oxygen', 'carbon dioxide', 'helium', 'neon'], label: abcd },
    answerKey: 'B',
  },
  {
    id: 'C2',
    question: 'What mostly causes the seasons on Earth?',
    choices: { text: ['distance', 'axial tilt', 'clouds', 'tides'], label: abcd },
    answerKey: 'B',
  },
];
const easyRows: ArcRow[] = [
  {
    id: 'E1',
    question: 'Which part of a plant takes in water?',
    choices: { text: ['leaves', 'roots', 'flowers', 'stem'], label: abcd },
    answerKey: 'B',
  },
  {
    id: 'E2',
    question: 'Which of these is a source of light?',
    choices: { text: ['moon', 'mirror', 'the Sun', 'rock'], label: ['1', '2', '3', '4'] },
    answerKey: '3',
  },
];

const revision = '210d026faf9955653af8916fad021475a3f00453';
const hubFiles = new Map([
  [
    `/datasets/allenai/ai2_arc/resolve/${revision}/ARC-Challenge/test-00000-of-00001.parquet`,
    arcParquet(challengeRows),
  ],
  [
    `/datasets/allenai/ai2_arc/resolve/${revision}/ARC-Easy/test-00000-of-00001.parquet`,
    arcParquet(easyRows),
  ],
]);

let model: ScriptedServer | undefined;
let hub: { url: string; close(): Promise<void> } | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  await hub?.close();
  hub = undefined;
});

describe('evalchemy list', () => {
  it('shows the tags of the ARC benchmarks', async () => {
    const result = await evalchemy(['list']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\n {2}arc_challenge .*\(tags: ai2_arc\)\n/);
    expect(result.stdout).toMatch(/\n {2}arc_easy .*\(tags: ai2_arc\)\n/);
  });
});

describe('evalchemy run --tasks <tag>', () => {
  it('runs every installed benchmark tagged ai2_arc, each reported under its own name', async () => {
    model = await startScriptedServer({ reply: () => 'Thinking it over. The best answer is B.' });
    hub = await startHubStandIn(hubFiles);
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-tags-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: model.url, output, tasks: 'ai2_arc', limit: 10, model: 'org/arc' }),
      { env: { EVALCHEMY_DATASETS_DIR: '', HF_ENDPOINT: hub.url } },
    );
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\| arc_challenge\s+\| acc_norm\s+\| 1\s+\|/);
    expect(result.stdout).toMatch(/\| arc_easy\s+\| acc_norm\s+\| 0\.5000/);
    const { results, files } = await resultsIn(output, 'org__arc');
    expect(results.results).toMatchObject({
      arc_challenge: { acc: 1, acc_norm: 1 },
      arc_easy: { acc: 0.5, acc_norm: 0.5 },
    });
    expect(Object.keys(results.results).sort()).toEqual(['arc_challenge', 'arc_easy']);
    expect(files.filter((name) => /^samples_arc_(challenge|easy)_.*\.jsonl$/.test(name))).toHaveLength(2);
    expect(model.requestCount).toBe(4);
  });

  it('names a tagged benchmark once when it is given by id and by tag', async () => {
    model = await startScriptedServer({ reply: () => 'The best answer is B.' });
    hub = await startHubStandIn(hubFiles);
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-tags-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: model.url, output, tasks: 'arc_easy,ai2_arc', limit: 10, model: 'org/arc' }),
      { env: { EVALCHEMY_DATASETS_DIR: '', HF_ENDPOINT: hub.url } },
    );
    expect(result.exitCode).toBe(0);
    const { results } = await resultsIn(output, 'org__arc');
    expect(Object.keys(results.results).sort()).toEqual(['arc_challenge', 'arc_easy']);
    expect(model.requestCount).toBe(4);
  });
});
