import { createMbppPlus } from '@evalchemy/benchmark-mbppplus';
import {
  codeBenchmarkHarness,
  detailList as list,
  sandboxPythons,
  useSuiteSandbox,
} from '@evalchemy/code-eval/testing';
import { createDatasetResolver } from '@evalchemy/runner';
import { createProcessSandbox } from '@evalchemy/sandbox-process';
import { createRecordingLogger, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';

const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });

describe.each(sandboxPythons())('mbppplus in the bubblewrap sandbox, $label', (python) => {
  // One sandbox execution per CPU (the process sandbox's default concurrency).
  const suite = useSuiteSandbox(() => createProcessSandbox(python.settings()), python);
  const benchmark = createMbppPlus();
  const options = benchmark.optionsSchema.parse({ n: 2, k: [1, 2] });
  const { load, score, scoreAll } = codeBenchmarkHarness(benchmark, options, {
    suite,
    datasets,
    log: createRecordingLogger(),
  });

  // The full corpus (a quarter of it without numpy: SandboxPython.corpus), base and plus inputs: about 270 s of
  // CPU for the canonical solutions, twice (expected outputs, then the candidate), spread over the CPUs.
  it('passes all 378 canonical solutions on base and plus tests and fails a broken function, as completions', {
    timeout: 1_800_000,
  }, async () => {
    const corpus = await load();
    expect(corpus).toHaveLength(378);
    const samples = python.corpus(corpus);
    const scores = await scoreAll(
      samples,
      (sample) => [
        sample.data.canonicalSolution,
        `\ndef ${sample.data.entryPoint}(*args):\n    raise ValueError("broken")\n`,
      ],
      'completion',
    );
    const failures = scores.flatMap((score, index) =>
      list(score, 'verdicts')[0] === 'passed' ? [] : [`${samples[index]!.id}: ${list(score, 'verdicts')[0]}`],
    );
    expect(failures).toEqual([]);
    for (const score of scores)
      expect(list(score, 'verdicts')[1]).toBe('failed: input 0: ValueError: broken');
    const aggregate = benchmark.doAggregate(
      scores.map((score, index) => ({ id: samples[index]!.id, metadata: {}, ...score })),
      { options },
    );
    // One of two samples right on every problem: pass@1 = 0.5, pass@2 = 1, for base and plus.
    expect(aggregate['pass@1']?.value).toBeCloseTo(0.5, 12);
    expect(aggregate['pass@1_base']?.value).toBeCloseTo(0.5, 12);
    expect(aggregate['pass@2_plus']?.value).toBeCloseTo(1, 12);
  });

  it('extracts the code from a chat reply; a solution right on base but wrong on plus counts for base only', async () => {
    const samples = await load();
    const task = samples.find((sample) => sample.id === 'Mbpp/3')!;
    const right = `Here you go:\n\`\`\`python${task.data.canonicalSolution}\`\`\`\nIt checks divisors.`;
    // Tries divisors below 50 only: right for the base inputs (1, 2, 10, 35, 37), wrong for 7921 = 89²
    // among evalplus's added inputs.
    const smallDivisors =
      '```python\nimport math\ndef is_not_prime(n):\n    if n == 1:\n        return True\n    for i in range(2, min(int(math.sqrt(n)) + 1, 50)):\n        if n % i == 0:\n            return True\n    return False\n```';
    const result = await score(task, [right, smallDivisors], 'chat');
    expect(result.details?.baseVerdicts).toEqual(['passed', 'passed']);
    expect(list(result, 'plusVerdicts')[0]).toBe('passed');
    expect(list(result, 'verdicts')[1]).toMatch(/^failed: plus input \d+: AssertionError/);
    expect(result.metrics).toEqual({ 'pass@1': 0.5, 'pass@1_base': 1, 'pass@1_plus': 0.5 });
  });
});
