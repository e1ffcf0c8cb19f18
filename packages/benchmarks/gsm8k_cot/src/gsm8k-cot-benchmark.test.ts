import { readFileSync } from 'node:fs';
import type { BackendCapabilitiesV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import plugin, {
  createGsm8kCot,
  type Gsm8kCotProblem,
  gsm8kCotExemplars,
  gsm8kGoldAnswer,
  VERSION,
} from './index.js';

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

async function loadAll(): Promise<SampleV1<Gsm8kCotProblem>[]> {
  const benchmark = createGsm8kCot();
  const source = await benchmark.doLoad({
    options: benchmark.optionsSchema.parse({}),
    datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
    seed: 0,
    log: createRecordingLogger(),
  });
  return [...(source.samples as Iterable<SampleV1<Gsm8kCotProblem>>)];
}

runBenchmarkConformance(plugin, { packageJsonPath: new URL('../package.json', import.meta.url) });

describe('gsm8k_cot', () => {
  it('keeps VERSION equal to package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
  });

  it('loads the 1319 test problems with 0-based row ids', async () => {
    const samples = await loadAll();
    expect(samples).toHaveLength(1319);
    expect(samples[0]?.id).toBe('0');
    expect(samples[1318]?.id).toBe('1318');
  });

  it('scores every gold answer 1 on both metrics when stated as "The answer is X."', async () => {
    const benchmark = createGsm8kCot();
    const failures: string[] = [];
    for (const sample of await loadAll()) {
      const text = `The answer is ${gsm8kGoldAnswer(sample.data.answer)}.`;
      const score = await benchmark.doScore(sample, {
        type: 'generate',
        generations: [[{ text, finishReason: 'stop', warnings: [] }]],
      });
      if (score.metrics.exact_match_strict !== 1 || score.metrics.exact_match_flexible !== 1)
        failures.push(sample.id);
    }
    expect(failures).toEqual([]);
  });

  // The fixture was rendered by a short Python script straight from lm-evaluation-harness's
  // lm_eval/tasks/gsm8k/gsm8k-cot.yaml (commit 4e7e0d47): each fewshot sample as doc_to_text "Q: {q}\nA:",
  // target_delimiter " ", its target and fewshot_delimiter "\n\n", then doc_to_text of test row 0.
  it('renders the 8-shot completion prompt of the first test question exactly as lm-eval', async () => {
    const [first] = await loadAll();
    const expected = readFileSync(
      new URL('./__fixtures__/gsm8k-cot-8shot-first-test-prompt.txt', import.meta.url),
      'utf8',
    );
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({}),
      backend: { id: 'test', modelId: 'test', capabilities: completionOnly },
    });
    expect(plan).toEqual({
      type: 'completion',
      prompt: expected,
      parameters: { temperature: 0, maxTokens: 256, stop: ['Q:', '</s>', '<|im_end|>'] },
    });
  });

  it('sends chat backends the exemplars as user/assistant turns and the question as the turn', async () => {
    const [first] = await loadAll();
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({ num_fewshot: 2 }),
      backend: { id: 'test', modelId: 'test', capabilities: chatOnly },
    });
    expect(plan.type).toBe('chat');
    if (plan.type !== 'chat') return;
    expect(plan.history).toEqual([
      { role: 'user', content: `Q: ${gsm8kCotExemplars[0]?.question}\nA:` },
      { role: 'assistant', content: gsm8kCotExemplars[0]?.target },
      { role: 'user', content: `Q: ${gsm8kCotExemplars[1]?.question}\nA:` },
      { role: 'assistant', content: gsm8kCotExemplars[1]?.target },
    ]);
    expect(plan.turns).toEqual([`Q: ${first?.data.question}\nA:`]);
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

  it('rejects num_fewshot above 8', () => {
    expect(plugin.optionsSchema.safeParse({ num_fewshot: 9 }).success).toBe(false);
    expect(plugin.optionsSchema.safeParse({ shots: 8 }).success).toBe(false);
  });

  it('renders a zero-shot prompt as the bare question', async () => {
    const [first] = await loadAll();
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({ num_fewshot: 0 }),
      backend: { id: 'test', modelId: 'test', capabilities: completionOnly },
    });
    expect(plan.type === 'completion' && plan.prompt).toBe(`Q: ${first?.data.question}\nA:`);
  });
});
