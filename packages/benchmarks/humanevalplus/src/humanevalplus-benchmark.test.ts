import { runBenchmarkConformance } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createHumanEvalPlus } from './humanevalplus-benchmark.js';

runBenchmarkConformance(createHumanEvalPlus(), {
  packageJsonPath: new URL('../package.json', import.meta.url),
});

describe('humanevalplus planning', () => {
  const benchmark = createHumanEvalPlus();
  const sample = () => ({
    id: 'HumanEval/0',
    data: {
      taskId: 'HumanEval/0',
      prompt: 'def f():\n    """Return one."""\n',
      entryPoint: 'f',
      canonicalSolution: '',
      record: '{}',
    },
  });
  const capabilities = { chat: true, completion: true, loglikelihood: false, cacheable: true };

  it("asks a chat model with Evalchemy's instruction and samples at 0.8 when n > 1", () => {
    const options = benchmark.optionsSchema.parse({ n: 5 });
    const plan = benchmark.doPlan(sample(), { options, backend: { id: 'b', modelId: 'm', capabilities } });
    expect(plan.type).toBe('chat');
    if (plan.type !== 'chat') return;
    expect(plan.turns[0]).toContain('Please continue to complete the function.');
    expect(plan.turns[0]).toContain('```python\ndef f():');
    expect(plan.parameters.temperature).toBe(0.8);
    expect(plan.generations).toBe(5);
  });

  it("has a completion model continue the stripped prompt greedily with evalplus's stop strings", () => {
    const options = benchmark.optionsSchema.parse({ mode: 'completion' });
    const plan = benchmark.doPlan(sample(), { options, backend: { id: 'b', modelId: 'm', capabilities } });
    expect(plan).toMatchObject({
      type: 'completion',
      prompt: 'def f():\n    """Return one."""\n',
      parameters: { temperature: 0, maxTokens: 768 },
    });
    if (plan.type === 'completion')
      expect(plan.parameters.stop).toEqual(expect.arrayContaining(['\ndef ', '\nassert ']));
  });

  it('uses evalplus defaults for the time limits and rejects unknown options', () => {
    const options = benchmark.optionsSchema.parse({});
    expect(options).toMatchObject({ minTimeLimitSeconds: 4, timeLimitFactor: 4, n: 1, mode: 'auto' });
    expect(benchmark.optionsSchema.safeParse({ timeout: 3 }).success).toBe(false);
  });
});

describe('humanevalplus metrics', () => {
  it("reports pass@k (base + plus) also under Evalchemy's key python_pass@k, not the _base/_plus variants", () => {
    const benchmark = createHumanEvalPlus();
    const options = benchmark.optionsSchema.parse({});
    // two problems, one generation each: the first passes base and plus, the second base only
    const samples = [
      { correct: 1, correctBase: 1 },
      { correct: 0, correctBase: 1 },
    ].map((counts, index) => ({
      id: `HumanEval/${index}`,
      metadata: {},
      metrics: {},
      details: { n: 1, ...counts },
    }));
    const metrics = benchmark.doAggregate(samples, { options });
    expect(metrics['pass@1']?.value).toBe(0.5);
    expect(metrics['pass@1_base']?.value).toBe(1);
    expect(metrics['python_pass@1']).toEqual(metrics['pass@1']);
    expect(Object.keys(metrics).filter((name) => name.startsWith('python_'))).toEqual(['python_pass@1']);
  });
});
