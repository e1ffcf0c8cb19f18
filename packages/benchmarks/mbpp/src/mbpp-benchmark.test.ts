import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createMbpp } from './mbpp-benchmark.js';

runBenchmarkConformance(createMbpp(), { packageJsonPath: new URL('../package.json', import.meta.url) });
runBenchmarkConformance(createMbpp(), {
  packageJsonPath: new URL('../package.json', import.meta.url),
  options: { split: 'sanitized' },
});

describe('mbpp prompts', () => {
  const benchmark = createMbpp();
  const capabilities = { chat: true, completion: true, loglikelihood: false, cacheable: true };
  const backend = { id: 'b', modelId: 'm', capabilities };

  async function first(raw: Record<string, unknown>) {
    const options = benchmark.optionsSchema.parse(raw);
    const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());
    const source = await benchmark.doLoad({ options, datasets, seed: 0, log: createRecordingLogger() });
    const samples = [...(source.samples as Iterable<Parameters<typeof benchmark.doPlan>[0]>)];
    return { options, sample: samples[0]!, size: source.size };
  }

  it("defaults to Evalchemy's full split (task ids 11–510) and its 3-shot chat instruction", async () => {
    const { options, sample, size } = await first({});
    expect(size).toBe(500);
    expect(sample.id).toBe('11');
    const plan = benchmark.doPlan(sample, { options, backend });
    if (plan.type !== 'chat') throw new Error(`expected a chat plan, got ${plan.type}`);
    const prompt = plan.turns[0]!;
    expect(
      prompt.startsWith(
        'Please refer the given examples and generate a python function for my problem.\nExamples are listed as follows:\n- Example 1:\n>>> Problem:\nWrite a function to find the similar elements from the given two tuple lists.\n>>> Test Cases:\nassert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)\n',
      ),
    ).toBe(true);
    // Evalchemy drops carriage returns from the exemplar code.
    expect(prompt).toContain(
      '\n>>> Code:\n```python\ndef similar_elements(test_tup1, test_tup2):\n  res = tuple(set(test_tup1) & set(test_tup2))\n  return (res) \n```\n\n- Example 2:',
    );
    expect(prompt).toContain('- Example 3:\n>>> Problem:\nWrite a function to find the largest integers');
    expect(
      prompt.endsWith(
        '\n\nHere is my problem:\n>>> Problem:\nWrite a python function to remove first and last occurrence of a given character from the string.\n>>> Test Cases:\nassert remove_Occ("hello","l") == "heo"\nassert remove_Occ("abcda","a") == "bcd"\nassert remove_Occ("PHP","P") == "H"\n',
      ),
    ).toBe(true);
    expect(plan.parameters).toMatchObject({ maxTokens: 512, temperature: 0 });
  });

  it("gives a completion model lm-eval's 3-shot prompt, stopping at [DONE]", async () => {
    const { options, sample } = await first({ mode: 'completion' });
    const plan = benchmark.doPlan(sample, { options, backend });
    if (plan.type !== 'completion') throw new Error(`expected a completion plan, got ${plan.type}`);
    expect(plan.parameters.stop).toEqual(['[DONE]']);
    expect(
      plan.prompt.startsWith(
        'You are an expert Python programmer, and here is your task: Write a function to find the similar elements from the given two tuple lists. Your code should pass these tests:\n\nassert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)\nassert similar_elements((1, 2, 3, 4),(5, 4, 3, 7)) == (3, 4)\nassert similar_elements((11, 12, 14, 13),(17, 15, 14, 13)) == (13, 14)\n[BEGIN]\ndef similar_elements(test_tup1, test_tup2):\r\n  res = tuple(set(test_tup1) & set(test_tup2))\r\n  return (res) \n[DONE]\n\nYou are an expert Python programmer, and here is your task: Write a python function to identify non-prime numbers.',
      ),
    ).toBe(true);
    expect(plan.prompt.split('[DONE]\n\n')).toHaveLength(4);
    expect(
      plan.prompt.endsWith(
        'here is your task: Write a python function to remove first and last occurrence of a given character from the string. Your code should pass these tests:\n\nassert remove_Occ("hello","l") == "heo"\nassert remove_Occ("abcda","a") == "bcd"\nassert remove_Occ("PHP","P") == "H"\n[BEGIN]\n',
      ),
    ).toBe(true);
  });

  it('loads the 427 sanitized problems with their own descriptions', async () => {
    const { sample, size } = await first({ split: 'sanitized' });
    expect(size).toBe(427);
    expect(sample.data.text).toBe('Write a function to find the shared elements from the given two lists.');
    expect(benchmark.optionsSchema.safeParse({ split: 'test' }).success).toBe(false);
  });
});
