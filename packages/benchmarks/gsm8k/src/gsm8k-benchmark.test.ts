import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendCapabilitiesV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import plugin, { createGsm8k, type Gsm8kSample, gsm8kGoldAnswer, VERSION } from './index.js';

const chatOnly: BackendCapabilitiesV1 = {
  chat: true,
  completion: false,
  loglikelihood: false,
  cacheable: true,
};
const completionOnly: BackendCapabilitiesV1 = {
  chat: false,
  completion: true,
  loglikelihood: false,
  cacheable: true,
};

async function loadAll(options: Record<string, unknown> = {}): Promise<SampleV1<Gsm8kSample>[]> {
  const benchmark = createGsm8k();
  const source = await benchmark.doLoad({
    options: benchmark.optionsSchema.parse(options),
    datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
    seed: 0,
    log: createRecordingLogger(),
  });
  return [...(source.samples as Iterable<SampleV1<Gsm8kSample>>)];
}

/**
 * What lm-eval's default ContextSampler gives the first `count` test documents, computed by CPython itself:
 * one `random.Random(seed)` per task, then `rnd.sample(train_docs, k)` for each document in order.
 */
function pythonFewshotQuestions(count: number, k: number, seed: number): string[][] {
  const script = [
    'import json, random, sys',
    'train = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]',
    'rnd = random.Random(int(sys.argv[4]))',
    'print(json.dumps([[d["question"] for d in rnd.sample(train, int(sys.argv[3]))] for _ in range(int(sys.argv[2]))]))',
  ].join('\n');
  const train = join(sharedDatasetsDirectory(), 'gsm8k', 'train.jsonl');
  const output = execFileSync('python3', ['-c', script, train, String(count), String(k), String(seed)], {
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[][];
}

runBenchmarkConformance(plugin, { packageJsonPath: new URL('../package.json', import.meta.url) });

describe('gsm8k', () => {
  it('keeps VERSION equal to package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
  });

  it('loads the 1319 test problems with 0-based row ids, each with 5 train exemplars', async () => {
    const samples = await loadAll();
    expect(samples).toHaveLength(1319);
    expect(samples[0]?.id).toBe('0');
    expect(samples[1318]?.id).toBe('1318');
    expect(samples.every((sample) => sample.data.fewshot.length === 5)).toBe(true);
  });

  it("draws each document's exemplars from the train split as lm-eval does (CPython's random.Random(1234))", async () => {
    const samples = await loadAll();
    const expected = pythonFewshotQuestions(6, 5, 1234);
    expect(samples.slice(0, 6).map((sample) => sample.data.fewshot.map((shot) => shot.question))).toEqual(
      expected,
    );
    // the draws go on from document to document: the second document's exemplars are not the first's
    expect(expected[1]).not.toEqual(expected[0]);
  });

  it('follows --num_fewshot and the few-shot seed (the 4th value of lm-eval --seed)', async () => {
    const samples = await loadAll({ num_fewshot: 3, fewshot_seed: 42 });
    const expected = pythonFewshotQuestions(3, 3, 42);
    expect(samples.slice(0, 3).map((sample) => sample.data.fewshot.map((shot) => shot.question))).toEqual(
      expected,
    );
  });

  // Rendered by a short Python script from lm-evaluation-harness's lm_eval/tasks/gsm8k/gsm8k.yaml (commit
  // 4e7e0d47): random.Random(1234).sample(train, 5), each exemplar as doc_to_text "Question: {q}\nAnswer:",
  // target_delimiter " ", doc_to_target (the whole answer) and fewshot_delimiter "\n\n", then doc_to_text of test
  // row 0. Checked by hand against public lm-eval 5-shot logs of document 0, which open with the same two
  // exemplars ("Jen and Tyler are gymnasts…", "Four people in a law firm…").
  it('renders the 5-shot completion prompt of the first test question exactly as lm-eval', async () => {
    const [first] = await loadAll();
    const expected = readFileSync(
      new URL('./__fixtures__/gsm8k-5shot-first-test-prompt.txt', import.meta.url),
      'utf8',
    );
    expect(expected.startsWith('Question: Jen and Tyler are gymnasts practicing flips.')).toBe(true);
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({}),
      backend: { id: 'test', modelId: 'test', capabilities: completionOnly },
    });
    expect(plan).toEqual({
      type: 'completion',
      prompt: expected,
      parameters: { temperature: 0, maxTokens: 256, stop: ['Question:', '</s>', '<|im_end|>'] },
    });
  });

  it('sends chat backends the exemplars as user/assistant turns and the question as the turn', async () => {
    const [first] = await loadAll();
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({}),
      backend: { id: 'test', modelId: 'test', capabilities: chatOnly },
    });
    expect(plan.type).toBe('chat');
    if (plan.type !== 'chat') return;
    const [shot] = first!.data.fewshot;
    expect(plan.history).toHaveLength(10);
    expect(plan.history?.slice(0, 2)).toEqual([
      { role: 'user', content: `Question: ${shot?.question}\nAnswer:` },
      { role: 'assistant', content: shot?.answer },
    ]);
    expect(plan.history?.[1]?.content).toMatch(/\n#### 12$/);
    expect(plan.turns).toEqual([`Question: ${first?.data.question}\nAnswer:`]);
  });

  it('scores every gold answer 1 on both metrics when given as the dataset writes it ("#### N")', async () => {
    const benchmark = createGsm8k();
    const failures: string[] = [];
    for (const sample of await loadAll({ num_fewshot: 0 })) {
      const text = ` Some work.\n#### ${gsm8kGoldAnswer(sample.data.answer)}`;
      const score = await benchmark.doScore(sample, {
        type: 'generate',
        generations: [[{ text, finishReason: 'stop', warnings: [] }]],
      });
      if (score.metrics.exact_match_strict !== 1 || score.metrics.exact_match_flexible !== 1)
        failures.push(sample.id);
    }
    expect(failures).toEqual([]);
  });

  it('gives "The answer is 18." flexible credit only: strict-match needs "#### "', async () => {
    const [first] = await loadAll({ num_fewshot: 0 });
    const score = await plugin.doScore(first!, {
      type: 'generate',
      generations: [
        [{ text: 'She makes 9 * 2 = 18. The answer is 18.', finishReason: 'stop', warnings: [] }],
      ],
    });
    expect(score.metrics).toEqual({ exact_match_strict: 0, exact_match_flexible: 1 });
    expect(score.extracted).toEqual({ strict: '[invalid]', flexible: '18.' });
  });

  it('renders a zero-shot prompt as the bare question', async () => {
    const [first] = await loadAll({ num_fewshot: 0 });
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({ num_fewshot: 0 }),
      backend: { id: 'test', modelId: 'test', capabilities: completionOnly },
    });
    expect(plan.type === 'completion' && plan.prompt).toBe(`Question: ${first?.data.question}\nAnswer:`);
  });

  it("reports each metric also under lm-eval's name, with lm-eval's stderr key", () => {
    const scored = [1, 0, 1, 1].map((strict, index) => ({
      id: String(index),
      metadata: {},
      metrics: { exact_match_strict: strict, exact_match_flexible: 1 },
    }));
    const metrics = plugin.doAggregate(scored);
    // mean 3/4; sample standard deviation (n − 1) 0.5, over √4: 0.25 (Python: statistics.stdev / math.sqrt)
    expect(metrics.exact_match_strict).toEqual({ value: 0.75, stderr: 0.25 });
    expect(metrics['exact_match,strict-match']).toEqual({ value: 0.75 });
    expect(metrics['exact_match_stderr,strict-match']).toEqual({ value: 0.25 });
    expect(metrics['exact_match,flexible-extract']).toEqual({ value: 1 });
    expect(metrics['exact_match_stderr,flexible-extract']).toEqual({ value: 0 });
  });

  it('rejects unknown options', () => {
    expect(plugin.optionsSchema.safeParse({ shots: 5 }).success).toBe(false);
    expect(plugin.optionsSchema.safeParse({ num_fewshot: -1 }).success).toBe(false);
  });
});
