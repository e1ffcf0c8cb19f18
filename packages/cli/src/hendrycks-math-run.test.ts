import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';
import { startHubStandIn } from './__fixtures__/hub-stand-in.js';

// lm-eval's hendrycks_math group through the built CLI. There is no offline MATH copy, so a stand-in for the Hub
// serves synthetic subject files (two algebra problems, one geometry, the other five empty) at the pinned paths.

const revision = '21a5633873b6a120296cce3e2df9d5550074f4a3';
const configs = [
  'algebra',
  'counting_and_probability',
  'geometry',
  'intermediate_algebra',
  'number_theory',
  'prealgebra',
  'precalculus',
];
const problems: Record<string, { problem: string; solution: string }[]> = {
  algebra: [
    { problem: 'Simplify $\\frac{2}{4}$.', solution: 'It is $\\boxed{\\frac{1}{2}}$.' },
    { problem: 'Solve $x + 3 = 10$.', solution: 'So $x = \\boxed{7}$.' },
  ],
  geometry: [
    {
      problem: 'How many degrees are in each angle of an equilateral triangle?',
      solution: 'Each is $\\boxed{60^\\circ}$.',
    },
  ],
};

function subjectParquet(rows: { problem: string; solution: string }[]): Buffer {
  const text = (name: string) =>
    ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
  return Buffer.from(
    parquetWriteBuffer({
      schema: [
        { name: 'schema', num_children: 4 },
        text('problem'),
        text('level'),
        text('type'),
        text('solution'),
      ],
      columnData: [
        { name: 'problem', data: rows.map((row) => row.problem) },
        { name: 'level', data: rows.map(() => 'Level 1') },
        { name: 'type', data: rows.map(() => 'Synthetic') },
        { name: 'solution', data: rows.map((row) => row.solution) },
      ],
    } as Parameters<typeof parquetWriteBuffer>[0]),
  );
}

const hubFiles = new Map(
  configs.map((config) => [
    `/datasets/EleutherAI/hendrycks_math/resolve/${revision}/${config}/test-00000-of-00001.parquet`,
    subjectParquet(problems[config] ?? []),
  ]),
);

// The model answers in lm-eval's style and runs on into a next "Problem:", which the stop sequence cuts:
// 0.5 (= \frac{1}{2}, right), 8 (wrong), 60 (= 60^\circ, right).
function answer(prompt: string): string {
  const value = prompt.includes('frac') ? '0.5' : prompt.includes('x + 3') ? '8' : '60';
  return ` $${value}$\n\nProblem: What is $1 + 1$?\nAnswer: $2$`;
}

let model: ScriptedServer | undefined;
let hub: { url: string; close(): Promise<void> } | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  await hub?.close();
  hub = undefined;
});

describe('evalchemy run --tasks hendrycks_math', () => {
  it('asks each problem zero-shot and reports every subject and the size-weighted group', async () => {
    const bodies: Record<string, unknown>[] = [];
    model = await startScriptedServer({
      reply: (request) => {
        bodies.push(request.body);
        return answer(request.messages?.at(-1)?.content ?? '');
      },
    });
    hub = await startHubStandIn(hubFiles);
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-math-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: model.url, output, tasks: 'hendrycks_math', limit: 100, model: 'org/math' }),
      { env: { EVALCHEMY_DATASETS_DIR: '', HF_ENDPOINT: hub.url } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\| hendrycks_math\s+\| exact_match\s+\| 0\.6667/);
    const { results } = await resultsIn(output, 'org__math');
    // Weighted by size: 2 of 3 problems (the mean of the subjects' means would be 0.75).
    expect(results.results.hendrycks_math).toMatchObject({
      exact_match: 2 / 3,
      exact_match_hendrycks_math_algebra: 0.5,
      exact_match_hendrycks_math_geometry: 1,
    });
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toMatchObject({
      messages: [{ role: 'user', content: 'Problem: Simplify $\\frac{2}{4}$.\nAnswer:' }],
      temperature: 0,
      stop: ['Problem:'],
    });
  });

  it('takes --limit per subject, as lm-eval limits each task of the group', async () => {
    const asked: string[] = [];
    model = await startScriptedServer({
      reply: (request) => {
        const prompt = request.messages?.at(-1)?.content ?? '';
        asked.push(prompt);
        return answer(prompt);
      },
    });
    hub = await startHubStandIn(hubFiles);
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-math-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: model.url, output, tasks: 'hendrycks_math', limit: 1, model: 'org/math' }),
      { env: { EVALCHEMY_DATASETS_DIR: '', HF_ENDPOINT: hub.url } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    // The first algebra problem and the first geometry one, not the first two problems of the group (both algebra).
    expect(asked).toHaveLength(2);
    expect(asked.filter((prompt) => prompt.includes('Simplify'))).toHaveLength(1);
    expect(asked.filter((prompt) => prompt.includes('equilateral'))).toHaveLength(1);
    const { results } = await resultsIn(output, 'org__math');
    expect(results['n-samples'].hendrycks_math).toMatchObject({ effective: 2 });
    expect(results.results.hendrycks_math).toMatchObject({
      exact_match: 1,
      exact_match_hendrycks_math_algebra: 1,
      exact_match_hendrycks_math_geometry: 1,
    });
  });

  it("says how to run one of lm-eval's subject tasks", async () => {
    const result = await evalchemy([
      'run',
      '--model',
      'openai',
      '--model_args',
      'model=m,base_url=http://127.0.0.1:9/v1',
      '--tasks',
      'hendrycks_math_geometry',
    ]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(
      'Run --tasks hendrycks_math with a --config file setting tasks.hendrycks_math.subjects: [hendrycks_math_geometry].',
    );
  });

  it('runs only the subjects a config file names', async () => {
    model = await startScriptedServer({
      reply: (request) => answer(request.messages?.at(-1)?.content ?? ''),
    });
    hub = await startHubStandIn(hubFiles);
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-math-'));
    const config = join(output, 'run.yaml');
    await writeFile(config, 'tasks:\n  hendrycks_math:\n    subjects: [hendrycks_math_algebra]\n');
    const result = await evalchemy(
      openaiRun({
        baseUrl: model.url,
        output,
        tasks: 'hendrycks_math',
        limit: 100,
        model: 'org/math',
        extra: ['--config', config],
      }),
      { env: { EVALCHEMY_DATASETS_DIR: '', HF_ENDPOINT: hub.url } },
    );
    expect(result.exitCode).toBe(0);
    const { results } = await resultsIn(output, 'org__math');
    expect(results.results.hendrycks_math).toMatchObject({
      exact_match: 0.5,
      exact_match_hendrycks_math_algebra: 0.5,
    });
    expect(results.results.hendrycks_math).not.toHaveProperty('exact_match_hendrycks_math_geometry');
    expect(model.requestCount).toBe(2);
  });
});
