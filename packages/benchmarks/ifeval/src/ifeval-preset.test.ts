import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { AggregateMetricV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createIfeval, type IfevalItem } from './index.js';

const benchmark = createIfeval();

async function load(raw: Record<string, unknown>): Promise<SampleV1<IfevalItem>[]> {
  const source = await benchmark.doLoad({
    options: benchmark.optionsSchema.parse(raw),
    datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
    seed: 0,
    log: createRecordingLogger(),
  });
  return [...(source.samples as Iterable<SampleV1<IfevalItem>>)];
}

/**
 * The keys Evalchemy's IFEval evaluates, by its own rule (IFEval/eval_instruct.py `read_test_examples`:
 * `range(start_idx, min(end_idx, len(examples)))` with start_idx 10, end_idx 510), computed by python3.
 */
function evalchemyKeys(): number[] {
  const script = [
    'import json, sys',
    'examples = [json.loads(x) for x in open(sys.argv[1], encoding="utf-8")]',
    'print(json.dumps([examples[i]["key"] for i in range(10, min(510, len(examples)))]))',
  ].join('\n');
  const file = join(sharedDatasetsDirectory(), 'ifeval', 'input_data.jsonl');
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as number[];
}

const chat = {
  id: 'b',
  modelId: 'm',
  capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
};

describe('ifeval presets', () => {
  it('evaluates all 541 prompts with 1280 new tokens by default, as lm-eval ifeval', async () => {
    const samples = await load({});
    expect(samples).toHaveLength(541);
    const options = benchmark.optionsSchema.parse({});
    expect(options).toEqual({ maxTokens: 1280, startIndex: 0 });
    const plan = benchmark.doPlan(samples[0]!, { options, backend: chat });
    expect(plan).toMatchObject({ parameters: { temperature: 0, maxTokens: 1280 } });
  });

  it("preset evalchemy evaluates Evalchemy's 500 prompts (rows 10–509) with 512 new tokens", async () => {
    const samples = await load({ preset: 'evalchemy' });
    expect(samples.map((sample) => Number(sample.id))).toEqual(evalchemyKeys());
    expect(samples).toHaveLength(500);
    const options = benchmark.optionsSchema.parse({ preset: 'evalchemy' });
    expect(options).toEqual({ preset: 'evalchemy', maxTokens: 512, startIndex: 10, endIndex: 510 });
    const plan = benchmark.doPlan(samples[0]!, { options, backend: chat });
    expect(plan).toMatchObject({ parameters: { temperature: 0, maxTokens: 512 } });
  });

  it('lets options the user gives override the preset, and rejects unknown presets', () => {
    expect(benchmark.optionsSchema.parse({ preset: 'evalchemy', maxTokens: 2048 })).toMatchObject({
      maxTokens: 2048,
      startIndex: 10,
      endIndex: 510,
    });
    expect(benchmark.optionsSchema.safeParse({ preset: 'google' }).success).toBe(false);
    expect(Object.keys(benchmark.optionsSchema.shape)).toEqual([
      'preset',
      'maxTokens',
      'startIndex',
      'endIndex',
    ]);
  });

  it("reports the loose accuracies also under Evalchemy's keys prompt-level and instruction-level", () => {
    const scored = [
      { loose: [true, true], strict: [true, false] },
      { loose: [false, true, true], strict: [false, false, true] },
    ].map((verdicts, index) => ({
      id: String(index),
      metadata: {},
      metrics: {
        prompt_level_strict_acc: verdicts.strict.every(Boolean) ? 1 : 0,
        prompt_level_loose_acc: verdicts.loose.every(Boolean) ? 1 : 0,
      },
      details: { instruction_id_list: verdicts.loose.map(() => 'punctuation:no_comma'), ...verdicts },
    }));
    const metrics = benchmark.doAggregate(scored);
    // Evalchemy's get_report: prompt_correct / prompt_total = 1/2, instruction_correct / instruction_total = 4/5
    expect(metrics['prompt-level']).toMatchObject({ value: 0.5 });
    expect(metrics['instruction-level']).toMatchObject({ value: 0.8 });
    expect(metrics['prompt-level']).toEqual(metrics.prompt_level_loose_acc);
    expect(metrics['instruction-level']).toEqual(metrics.inst_level_loose_acc);
    // and under lm-eval's keys, with a stderr only for the prompt-level means (lm-eval: "N/A" for the others)
    expect(metrics['prompt_level_strict_acc,none']).toEqual({ value: 0 });
    expect(metrics['prompt_level_loose_acc_stderr,none']).toEqual({
      value: (metrics.prompt_level_loose_acc as AggregateMetricV1).stderr,
    });
    expect(metrics['inst_level_strict_acc,none']).toEqual({ value: 0.4 });
    expect(metrics['inst_level_strict_acc_stderr,none']).toBeUndefined();
  });
});
