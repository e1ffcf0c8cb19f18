import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  type LoadContextV1,
  parsePluginOptions,
  type SampleResponsesV1,
  type SampleV1,
} from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { createGpqaDiamond, type GpqaDiamondItem } from './gpqa_diamond-benchmark.js';
import type { GpqaDiamondOptions } from './gpqa_diamond-options.js';
import { extractChoiceLetter, gpqaPrompt } from './gpqa_diamond-scorer.js';
import defaultBenchmark, { VERSION } from './index.js';

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());

runBenchmarkConformance(defaultBenchmark, { packageJsonPath: new URL('../package.json', import.meta.url) });

function options(raw: Record<string, unknown> = {}): GpqaDiamondOptions {
  return parsePluginOptions(defaultBenchmark.optionsSchema, raw, 'gpqa_diamond');
}

async function load(parsed: GpqaDiamondOptions, seed = 0): Promise<SampleV1<GpqaDiamondItem>[]> {
  const context: LoadContextV1<GpqaDiamondOptions> = {
    options: parsed,
    datasets,
    seed,
    log: createRecordingLogger(),
  };
  const source = await createGpqaDiamond().doLoad(context);
  return [...(source.samples as Iterable<SampleV1<GpqaDiamondItem>>)];
}

function generated(text: string): SampleResponsesV1 {
  return { type: 'generate', generations: [[{ text, finishReason: 'stop', warnings: [] }]] };
}

describe('gpqa_diamond', () => {
  it('is a v1 benchmark plugin whose id and version match its manifest', () => {
    expect(defaultBenchmark.id).toBe(packageJson.evalchemy.id);
    expect(VERSION).toBe(packageJson.version);
  });

  it('decrypts the archive and yields 198 questions per run, 3 runs by default', async () => {
    const samples = await load(options());
    expect(samples).toHaveLength(198 * 3);
    expect(new Set(samples.map((sample) => sample.id)).size).toBe(198 * 3);
    const domains = new Map<string, number>();
    for (const sample of samples.filter((s) => s.data.run === 0)) {
      const domain = String(sample.metadata?.domain);
      domains.set(domain, (domains.get(domain) ?? 0) + 1);
    }
    expect(Object.fromEntries(domains)).toEqual({ Chemistry: 93, Physics: 86, Biology: 19 });
  });

  it('shuffles choices per run, reproducibly from the run seed', async () => {
    const first = await load(options({ repeats: 2 }));
    const again = await load(options({ repeats: 2 }));
    const otherSeed = await load(options({ repeats: 2 }), 7);
    expect(again.map((s) => s.data.choices)).toEqual(first.map((s) => s.data.choices));
    const run0 = first.filter((s) => s.data.run === 0);
    const run1 = first.filter((s) => s.data.run === 1);
    expect(run1.some((s, i) => s.data.answer !== run0[i]?.data.answer)).toBe(true);
    expect(otherSeed.some((s, i) => s.data.answer !== first[i]?.data.answer)).toBe(true);
    // Every letter holds the correct answer for some question (no position bias).
    expect(new Set(run0.map((s) => s.data.answer))).toEqual(new Set(['A', 'B', 'C', 'D']));
  });

  it("reproduces Evalchemy's fixed order on request: the correct answer is always D", async () => {
    const samples = await load(options({ choiceOrder: 'evalchemy', repeats: 1 }));
    expect(new Set(samples.map((s) => s.data.answer))).toEqual(new Set(['D']));
  });

  it("preset evalchemy shows the choices as Evalchemy's code does (python3 runs its shuffle)", async () => {
    expect(options({}).choiceOrder).toBe('shuffled');
    expect(options({ preset: 'evalchemy' })).toMatchObject({ choiceOrder: 'evalchemy', repeats: 3 });
    // an explicit choiceOrder wins over the preset
    expect(options({ preset: 'evalchemy', choiceOrder: 'shuffled' }).choiceOrder).toBe('shuffled');
    const samples = (await load(options({ preset: 'evalchemy' }))).filter((sample) => sample.data.run === 0);
    // GPQADiamond/eval_instruct.py generate_multiple_choice_answers, verbatim in logic, on the same CSV
    const script = [
      'import csv, io, json, random, sys, zipfile',
      'archive = zipfile.ZipFile(sys.argv[1])',
      'name = [n for n in archive.namelist() if n.endswith(".csv")][0]',
      'rows = list(csv.DictReader(io.StringIO(archive.read(name, pwd=b"deserted-untie-orchid").decode("utf-8-sig"))))',
      'out = []',
      'for data in rows[:5]:',
      '    answers = [data["Correct Answer"], data["Incorrect Answer 1"], data["Incorrect Answer 2"], data["Incorrect Answer 3"]]',
      '    rnd = random.Random(42)',
      '    rnd.shuffle(answers)',
      '    options = ["A", "B", "C", "D"]',
      '    options_to_answers = {letter: answer for letter, answer in zip(options, answers)}',
      '    multiple_choice_string = ", ".join(f"{letter}) {options_to_answers[letter]}" for letter in options)',
      '    correct = next(letter for letter, answer in options_to_answers.items() if answer == data["Correct Answer"])',
      '    out.append([multiple_choice_string, correct])',
      'print(json.dumps(out))',
    ].join('\n');
    const archive = join(sharedDatasetsDirectory(), 'gpqa-diamond', 'gpqa_diamond.zip');
    const expected = JSON.parse(execFileSync('python3', ['-c', script, archive], { encoding: 'utf8' })) as [
      string,
      string,
    ][];
    const shown = samples.slice(0, 5).map((sample) => {
      const prompt = gpqaPrompt(sample.data.question, sample.data.choices);
      return [
        prompt.slice(prompt.indexOf('Options: ') + 9, prompt.lastIndexOf('\nAnswer:')),
        sample.data.answer,
      ];
    });
    expect(shown).toEqual(expected);
  });

  it("asks with Evalchemy's prompt and seeds run i with seed + i", async () => {
    const parsed = options({ repeats: 2 });
    const samples = await load(parsed, 5);
    const sample = samples.find((s) => s.data.run === 1)!;
    const plan = defaultBenchmark.doPlan(sample, {
      options: parsed,
      backend: {
        id: 'x',
        modelId: 'm',
        capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
      },
    });
    expect(plan).toMatchObject({ type: 'chat', parameters: { maxTokens: 32768, temperature: 0.7, seed: 6 } });
    if (plan.type !== 'chat') throw new Error('chat plan expected');
    expect(plan.turns[0]).toContain(
      'Return your final response within \\boxed{} and only include the letter choice',
    );
    expect(plan.turns[0]).toContain(`Options: A) ${sample.data.choices[0]}, B) ${sample.data.choices[1]}`);
  });

  it('reads the letter as Evalchemy does', () => {
    expect(extractChoiceLetter('The answer is \\boxed{C}')).toBe('C');
    expect(extractChoiceLetter('Between A and B, I pick b.')).toBe('B');
    expect(extractChoiceLetter(' none. ')).toBe('none');
  });

  it('scores the letter after the reasoning trace and reports per-run accuracies', async () => {
    const parsed = options({ repeats: 2 });
    const samples = await load(parsed);
    const scored = [];
    for (const sample of samples) {
      // Run 0 always right; run 1 right only for the first 99 questions. The trace names a wrong letter.
      const wrong = sample.data.answer === 'A' ? 'B' : 'A';
      const right = sample.data.run === 0 || samples.indexOf(sample) < 198 + 99;
      const text = `<think>maybe \\boxed{${wrong}}</think>\\boxed{${right ? sample.data.answer : wrong}}`;
      const score = await defaultBenchmark.doScore(sample, generated(text));
      scored.push({ id: sample.id, metadata: {}, metrics: score.metrics });
    }
    const result = defaultBenchmark.doAggregate(scored, { options: parsed });
    expect(result.accuracy_run_0).toBe(1);
    expect(result.accuracy_run_1).toBe(0.5);
    expect(result.accuracy_avg).toEqual({ value: 0.75, stderr: 0.25 / Math.sqrt(2) });
  });
});
