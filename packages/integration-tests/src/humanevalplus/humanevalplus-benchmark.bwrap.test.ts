import { createHumanEvalPlus } from '@evalchemy/benchmark-humanevalplus';
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

describe.each(sandboxPythons())('humanevalplus in the bubblewrap sandbox, $label', (python) => {
  // One sandbox execution per CPU (the process sandbox's default concurrency).
  const suite = useSuiteSandbox(() => createProcessSandbox(python.settings()), python);
  const benchmark = createHumanEvalPlus();
  const options = benchmark.optionsSchema.parse({ n: 2, k: [1, 2] });
  const { load, score, scoreAll } = codeBenchmarkHarness(benchmark, options, {
    suite,
    datasets,
    log: createRecordingLogger(),
  });

  // The full corpus (a quarter of it without numpy: SandboxPython.corpus), base and plus inputs: about 105 s of
  // CPU for the canonical solutions, twice (expected outputs, then the candidate), spread over the CPUs.
  it('passes all 164 canonical solutions on base and plus tests and fails a broken body, as completions', {
    timeout: 1_500_000,
  }, async () => {
    const corpus = await load();
    expect(corpus).toHaveLength(164);
    const samples = python.corpus(corpus);
    const scores = await scoreAll(
      samples,
      (sample) => [sample.data.canonicalSolution, '    raise ValueError("broken")\n'],
      'completion',
    );
    const failures = scores.flatMap((score, index) =>
      list(score, 'verdicts')[0] === 'passed'
        ? []
        : [`${samples[index]!.id}: ${String(list(score, 'verdicts')[0])}`],
    );
    expect(failures).toEqual([]);
    for (const score of scores) {
      expect(list(score, 'verdicts')[1]).toBe('failed: input 0: ValueError: broken');
    }
    const aggregate = benchmark.doAggregate(
      scores.map((score, index) => ({ id: samples[index]!.id, metadata: {}, ...score })),
      { options },
    );
    // One of two samples right on every problem: pass@1 = 0.5, pass@2 = 1, for base and plus.
    expect(aggregate['pass@1']?.value).toBeCloseTo(0.5, 12);
    expect(aggregate['pass@1_base']?.value).toBeCloseTo(0.5, 12);
    expect(aggregate['pass@2_plus']?.value).toBeCloseTo(1, 12);
  });

  it('extracts the function from a chat reply; a solution right on base but wrong on plus counts for base only', async () => {
    const samples = await load();
    const task = samples.find((sample) => sample.id === 'HumanEval/0')!;
    const right = `Here it is:\n\`\`\`python\n${task.data.prompt}${task.data.canonicalSolution}\`\`\`\n`;
    // Right for the lists of up to six numbers that HumanEval's seven base inputs use; wrong for longer ones,
    // which evalplus's added inputs include.
    const shortListsOnly = `\`\`\`python\nfrom typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    if len(numbers) > 6:\n        return False\n    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n\`\`\``;
    const result = await score(task, [right, shortListsOnly], 'chat');
    expect(result.details?.baseVerdicts).toEqual(['passed', 'passed']);
    expect(list(result, 'plusVerdicts')[0]).toBe('passed');
    expect(String(list(result, 'plusVerdicts')[1])).toMatch(/^failed: input \d+: AssertionError/);
    expect(result.metrics).toEqual({ 'pass@1': 0.5, 'pass@1_base': 1, 'pass@1_plus': 0.5 });
  });
});
