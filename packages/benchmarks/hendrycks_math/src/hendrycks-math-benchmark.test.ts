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
import plugin, {
  createHendrycksMath,
  type HendrycksMathProblem,
  type HendrycksMathSplit,
  type HendrycksMathSubject,
  hendrycksMathFile,
  hendrycksMathOptionsSchema,
  hendrycksMathSubjectTasks,
  hendrycksMathTestFile,
  VERSION,
} from './index.js';

// Synthetic problems in the Hub's layout (problem, level, type, solution), two algebra and one geometry; the
// other subjects' files are empty. There is no offline copy of MATH in shared/datasets.
const rows: Partial<Record<HendrycksMathSubject, Record<string, string>[]>> = {
  hendrycks_math_algebra: [
    {
      problem: 'What is $\\frac{2}{4}$ in lowest terms?',
      level: 'Level 1',
      type: 'Algebra',
      solution: 'Divide by 2: $\\boxed{\\frac{1}{2}}$.',
    },
    {
      problem: 'Solve $x + 3 = 10$.',
      level: 'Level 1',
      type: 'Algebra',
      solution: 'Subtract 3 to get $x = \\boxed{7}$.',
    },
  ],
  hendrycks_math_geometry: [
    {
      problem: 'How many degrees are in each angle of an equilateral triangle?',
      level: 'Level 2',
      type: 'Geometry',
      solution: 'The angles are equal and sum to $180^\\circ$, so each is $\\boxed{60^\\circ}$.',
    },
  ],
};

function fixtureParquet(problems: Record<string, string>[]): Buffer {
  const text = (name: string) =>
    ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
  const columns = ['problem', 'level', 'type', 'solution'];
  return Buffer.from(
    parquetWriteBuffer({
      schema: [{ name: 'schema', num_children: columns.length }, ...columns.map(text)],
      columnData: columns.map((name) => ({ name, data: problems.map((problem) => problem[name]) })),
    } as Parameters<typeof parquetWriteBuffer>[0]),
  );
}

// Three algebra train problems, T0–T2, for the few-shot exemplars; the other subjects' train files are empty.
const trainRows: Partial<Record<HendrycksMathSubject, Record<string, string>[]>> = {
  hendrycks_math_algebra: [0, 1, 2].map((index) => ({
    problem: `T${index}: what is ${index} + 1?`,
    level: 'Level 1',
    type: 'Algebra',
    solution: `It is $\\boxed{${index + 1}}$.`,
  })),
};

// The fixtures as an offline copy laid out like shared/datasets, each file pinned by its own sha256.
const offlineDirectory = mkdtempSync(join(tmpdir(), 'hendrycks-math-offline-'));
const pinnedFiles = new Map<string, DatasetFileV1>();
for (const subject of hendrycksMathSubjectTasks) {
  for (const split of ['test', 'train'] as const) {
    const file = hendrycksMathFile(subject, split);
    const bytes = fixtureParquet((split === 'test' ? rows : trainRows)[subject] ?? []);
    mkdirSync(dirname(join(offlineDirectory, file.offlinePath)), { recursive: true });
    writeFileSync(join(offlineDirectory, file.offlinePath), bytes);
    pinnedFiles.set(`${subject}/${split}`, {
      ...file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }
}
const dataFile = (subject: HendrycksMathSubject, split: HendrycksMathSplit) =>
  pinnedFiles.get(`${subject}/${split}`)!;

runBenchmarkConformance(createHendrycksMath({ dataFile }), {
  packageJsonPath: new URL('../package.json', import.meta.url),
  datasetsDirectory: offlineDirectory,
});

const chatOnly: BackendCapabilitiesV1 = {
  chat: true,
  completion: false,
  loglikelihood: false,
  cacheable: true,
};
const completionOnly: BackendCapabilitiesV1 = { ...chatOnly, chat: false, completion: true };

async function load(options: Record<string, unknown> = {}) {
  const benchmark = createHendrycksMath({ dataFile });
  const source = await benchmark.doLoad({
    options: hendrycksMathOptionsSchema.parse(options),
    datasets: createOfflineDatasetResolver(offlineDirectory),
    seed: 0,
    log: createRecordingLogger(),
  });
  return [...(source.samples as Iterable<SampleV1<HendrycksMathProblem>>)];
}

const reply = (text: string) => ({
  type: 'generate' as const,
  generations: [[{ text, finishReason: 'stop' as const, warnings: [] }]],
});

describe('hendrycks_math', () => {
  it('keeps VERSION equal to package.json and pins the seven subject files of EleutherAI/hendrycks_math', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
    expect(manifest.evalchemy.id).toBe(plugin.id);
    expect(hendrycksMathSubjectTasks.map((subject) => hendrycksMathTestFile(subject).hub.path)).toEqual([
      'algebra/test-00000-of-00001.parquet',
      'counting_and_probability/test-00000-of-00001.parquet',
      'geometry/test-00000-of-00001.parquet',
      'intermediate_algebra/test-00000-of-00001.parquet',
      'number_theory/test-00000-of-00001.parquet',
      'prealgebra/test-00000-of-00001.parquet',
      'precalculus/test-00000-of-00001.parquet',
    ]);
  });

  it("loads every subject by default with lm-eval's task names and the boxed answers as gold", async () => {
    const samples = await load();
    expect(samples.map((sample) => sample.id)).toEqual([
      'hendrycks_math_algebra/0',
      'hendrycks_math_algebra/1',
      'hendrycks_math_geometry/0',
    ]);
    expect(samples.map((sample) => sample.data.answer)).toEqual(['\\frac{1}{2}', '7', '60^\\circ']);
    expect(samples[2]!.metadata).toEqual({
      subject: 'hendrycks_math_geometry',
      level: 'Level 2',
      type: 'Geometry',
    });
  });

  it('runs only the subjects asked for, and names the accepted ones for an unknown subject', async () => {
    const samples = await load({ subjects: ['hendrycks_math_geometry'] });
    expect(samples.map((sample) => sample.id)).toEqual(['hendrycks_math_geometry/0']);
    const parsed = hendrycksMathOptionsSchema.safeParse({ subjects: ['algebra'] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('hendrycks_math_algebra');
  });

  it('asks "Problem: …\\nAnswer:" zero-shot, greedy, until "Problem:", as chat or completion', async () => {
    const [first] = await load();
    const parameters = { temperature: 0, maxTokens: 256, stop: ['Problem:'] };
    const prompt = 'Problem: What is $\\frac{2}{4}$ in lowest terms?\nAnswer:';
    const context = (capabilities: BackendCapabilitiesV1) => ({
      options: hendrycksMathOptionsSchema.parse({}),
      backend: { id: 't', modelId: 't', capabilities },
    });
    expect(plugin.doPlan(first!, context(chatOnly))).toEqual({ type: 'chat', turns: [prompt], parameters });
    expect(plugin.doPlan(first!, context(completionOnly))).toEqual({
      type: 'completion',
      prompt,
      parameters,
    });
  });

  it('draws few-shot exemplars from train as lm-eval: Random(1234).sample per problem, in turn', async () => {
    // CPython: r = random.Random(1234); r.sample([T0, T1, T2], 2) -> [T1, T0], then -> [T0, T2].
    const [first, second] = await load({ subjects: ['hendrycks_math_algebra'], num_fewshot: 2 });
    expect(first!.data.fewshot.map((example) => example.answer)).toEqual(['2', '1']);
    expect(second!.data.fewshot.map((example) => example.answer)).toEqual(['1', '3']);
    const plan = plugin.doPlan(first!, {
      options: hendrycksMathOptionsSchema.parse({ num_fewshot: 2 }),
      backend: { id: 't', modelId: 't', capabilities: completionOnly },
    });
    expect(plan.type === 'completion' && plan.prompt).toBe(
      'Problem: T1: what is 1 + 1?\nAnswer: 2\n\n' +
        'Problem: T0: what is 0 + 1?\nAnswer: 1\n\n' +
        'Problem: What is $\\frac{2}{4}$ in lowest terms?\nAnswer:',
    );
    // Another seed (lm-eval's fourth --seed value): Random(7) gives [T1, T0] twice.
    const seeded = await load({ subjects: ['hendrycks_math_algebra'], num_fewshot: 2, fewshot_seed: 7 });
    expect(seeded.map((sample) => sample.data.fewshot.map((example) => example.answer))).toEqual([
      ['2', '1'],
      ['2', '1'],
    ]);
    await expect(load({ subjects: ['hendrycks_math_geometry'], num_fewshot: 1 })).rejects.toThrow(
      /num_fewshot 1 is more than the 0 train problems of hendrycks_math_geometry/,
    );
  });

  it('scores the $…$ answer with lm-eval is_equiv and reports the subjects and the group', async () => {
    const [fraction, seven, degrees] = await load();
    const scores = await Promise.all([
      plugin.doScore(fraction!, reply(' $0.5$\n\n')),
      plugin.doScore(seven!, reply(' $x = 8$')),
      plugin.doScore(degrees!, reply(' $60$ degrees')),
    ]);
    expect(scores.map((score) => score.metrics.exact_match)).toEqual([1, 0, 1]);
    expect(scores.map((score) => score.extracted)).toEqual(['0.5', 'x = 8', '60']);
    const metrics = plugin.doAggregate(
      [fraction!, seven!, degrees!].map((sample, index) => ({
        id: sample.id,
        metadata: sample.metadata ?? {},
        metrics: scores[index]!.metrics,
      })),
    );
    expect(metrics.exact_match?.value).toBeCloseTo(2 / 3, 12);
    expect(metrics.exact_match_hendrycks_math_algebra?.value).toBe(0.5);
    expect(metrics.exact_match_hendrycks_math_geometry).toEqual({ value: 1 });
  });
});
