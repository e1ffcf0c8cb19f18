import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createMbppPlus } from './mbppplus-benchmark.js';

runBenchmarkConformance(createMbppPlus(), { packageJsonPath: new URL('../package.json', import.meta.url) });

describe('mbppplus planning', () => {
  const benchmark = createMbppPlus();
  const capabilities = { chat: true, completion: true, loglikelihood: false, cacheable: true };
  const backend = { id: 'b', modelId: 'm', capabilities };

  it("asks a chat model with Evalchemy's 3-shot prompt (tasks 3, 4 and 6 as exemplars)", async () => {
    const source = await benchmark.doLoad({
      options: benchmark.optionsSchema.parse({}),
      datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
      seed: 0,
      log: createRecordingLogger(),
    });
    const [first] = [...(source.samples as Iterable<Parameters<typeof benchmark.doPlan>[0]>)];
    const plan = benchmark.doPlan(first!, { options: benchmark.optionsSchema.parse({}), backend });
    expect(plan.type).toBe('chat');
    if (plan.type !== 'chat') return;
    const prompt = plan.turns[0]!;
    expect(
      prompt.startsWith(
        'Please refer the given examples and generate a python function for my problem.\nExamples are listed as follows:\n- Example 1:\n>>> Problem:\nWrite a python function to identify non-prime numbers.\n>>> Test Cases:\nassert is_not_prime(2) == False\n',
      ),
    ).toBe(true);
    expect(prompt).toContain(
      '- Example 3:\n>>> Problem:\nWrite a python function to check whether the two numbers differ at one bit position only or not.',
    );
    expect(
      prompt.endsWith(
        'Here is my problem:\n>>> Problem:\nWrite a function to find the shared elements from the given two lists.\n>>> Test Cases:\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\nassert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))\nassert set(similar_elements((11, 12, 14, 13),(17, 15, 14, 13))) == set((13, 14))\n',
      ),
    ).toBe(true);
    expect(plan.parameters).toMatchObject({ temperature: 0, maxTokens: 1024 });
  });

  it("has a completion model continue the docstring prompt with evalplus's MBPP stop strings", async () => {
    const sample = {
      id: 'Mbpp/2',
      data: {
        taskId: 'Mbpp/2',
        prompt: '"""\nAdd.\nassert add(1, 2) == 3\n"""\n',
        entryPoint: 'add',
        canonicalSolution: '',
        chatPrompt: '',
        record: '{}',
      },
    };
    const options = benchmark.optionsSchema.parse({ mode: 'completion', n: 3 });
    const plan = benchmark.doPlan(sample, { options, backend });
    expect(plan).toMatchObject({
      type: 'completion',
      prompt: '"""\nAdd.\nassert add(1, 2) == 3\n"""\n',
      parameters: { temperature: 0.8, maxTokens: 768 },
      generations: 3,
    });
    if (plan.type === 'completion')
      expect(plan.parameters.stop).toEqual(expect.arrayContaining(['\n"""', '\nassert']));
  });
});
