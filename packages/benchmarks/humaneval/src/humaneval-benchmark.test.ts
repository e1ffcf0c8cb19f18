import { runBenchmarkConformance } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createHumanEval } from './humaneval-benchmark.js';

runBenchmarkConformance(createHumanEval(), { packageJsonPath: new URL('../package.json', import.meta.url) });

describe('humaneval planning', () => {
  const benchmark = createHumanEval();
  const sample = () => ({
    id: 'HumanEval/0',
    data: { taskId: 'HumanEval/0', prompt: 'def f():\n', entryPoint: 'f', test: '', canonicalSolution: '' },
  });
  const capabilities = { chat: true, completion: true, loglikelihood: false, cacheable: true };

  it('asks a chat model with the instruction and samples at 0.8 when n > 1', () => {
    const options = benchmark.optionsSchema.parse({ n: 5 });
    const plan = benchmark.doPlan(sample(), { options, backend: { id: 'b', modelId: 'm', capabilities } });
    expect(plan.type).toBe('chat');
    if (plan.type !== 'chat') return;
    expect(plan.turns[0]).toContain('Please continue to complete the function.');
    expect(plan.parameters.temperature).toBe(0.8);
    expect(plan.generations).toBe(5);
  });

  it('has a completion model continue the prompt greedily with the harness stop strings', () => {
    const options = benchmark.optionsSchema.parse({ mode: 'completion' });
    const plan = benchmark.doPlan(sample(), { options, backend: { id: 'b', modelId: 'm', capabilities } });
    expect(plan).toMatchObject({ type: 'completion', prompt: 'def f():\n', parameters: { temperature: 0 } });
    if (plan.type === 'completion') expect(plan.parameters.stop).toContain('\ndef');
  });
});
