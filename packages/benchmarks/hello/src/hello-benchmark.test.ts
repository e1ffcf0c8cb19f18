import { tmpdir } from 'node:os';
import type { SampleV1 } from '@evalchemy/core';
import { runBenchmarkConformance } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import plugin, { type HelloProblem, helloProblems } from './index.js';

// The contract checks every benchmark of the repository runs. A benchmark with a pinned data file leaves out
// `datasetsDirectory`, so that the suite reads ../shared/datasets (or EVALCHEMY_DATASETS_DIR); this one has
// no file to read.
runBenchmarkConformance(plugin, {
  packageJsonPath: new URL('../package.json', import.meta.url),
  datasetsDirectory: tmpdir(),
});

// What a new benchmark changes here: the prompt as the reference renders it (a fixture in __fixtures__
// rendered by the reference code is best), options, and how many samples the data holds.
const first: SampleV1<HelloProblem> = { id: '0', data: helloProblems[0]! };

/** The plan of the first problem for a backend that offers only `api`. */
function plan(api: 'chat' | 'completion', options: Record<string, unknown>) {
  const capabilities = { chat: api === 'chat', completion: api === 'completion', loglikelihood: false };
  return plugin.doPlan(first, {
    options: plugin.optionsSchema.parse(options),
    backend: { id: 'test', modelId: 'test', capabilities: { ...capabilities, cacheable: true } },
  });
}

describe('hello', () => {
  it('sends chat backends the instruction, the worked examples as turns, then the question', () => {
    expect(plan('chat', { num_fewshot: 1 })).toEqual({
      type: 'chat',
      system: 'Answer with a number only.',
      history: [
        { role: 'user', content: 'What is 1+1?' },
        { role: 'assistant', content: '2' },
      ],
      turns: ['What is 2+3?'],
      parameters: { temperature: 0, maxTokens: 16 },
    });
  });

  it('sends completion backends one prompt that stops at the end of the answer line', () => {
    expect(plan('completion', { num_fewshot: 2 })).toEqual({
      type: 'completion',
      prompt:
        'Answer with a number only.\n\nQ: What is 1+1?\nA: 2\n\nQ: What is 8-3?\nA: 5\n\nQ: What is 2+3?\nA:',
      parameters: { temperature: 0, maxTokens: 16, stop: ['\n'] },
    });
  });

  it('asks zero-shot by default', () => {
    expect(plan('completion', {})).toMatchObject({
      prompt: 'Answer with a number only.\n\nQ: What is 2+3?\nA:',
    });
  });

  it('rejects num_fewshot beyond the worked examples, and unknown options', () => {
    expect(plugin.optionsSchema.safeParse({ num_fewshot: 3 }).success).toBe(false);
    expect(plugin.optionsSchema.safeParse({ shots: 1 }).success).toBe(false);
  });
});
