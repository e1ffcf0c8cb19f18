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

describe('humaneval metrics', () => {
  it("reports pass@k also under Evalchemy's key python_pass@k, same value and stderr", () => {
    const benchmark = createHumanEval();
    const options = benchmark.optionsSchema.parse({ n: 2, k: [1, 2] });
    // three problems, two generations each: 2, 1 and 0 correct
    const samples = [2, 1, 0].map((correct, index) => ({
      id: `HumanEval/${index}`,
      metadata: {},
      metrics: {},
      details: { n: 2, correct },
    }));
    const metrics = benchmark.doAggregate(samples, { options });
    // pass@1 per problem: c/n = 1, 0.5, 0 → mean 0.5; pass@2: 1, 1, 0 → mean 2/3
    expect(metrics['pass@1']?.value).toBe(0.5);
    expect(metrics['python_pass@1']).toEqual(metrics['pass@1']);
    expect(metrics['python_pass@2']).toEqual(metrics['pass@2']);
    expect(metrics['python_pass@2']?.value).toBeCloseTo(2 / 3, 12);
  });
});
