import { createHumanEval } from '@evalchemy/benchmark-humaneval';
import { codeBenchmarkHarness, sandboxPythons, useSuiteSandbox } from '@evalchemy/code-eval/testing';
import { createDatasetResolver } from '@evalchemy/runner';
import { createProcessSandbox } from '@evalchemy/sandbox-process';
import { createRecordingLogger, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';

const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });

describe.each(sandboxPythons())('humaneval in the bubblewrap sandbox, $label', (python) => {
  const suite = useSuiteSandbox(() => createProcessSandbox(python.settings()), python);
  const benchmark = createHumanEval();
  const options = benchmark.optionsSchema.parse({ n: 2, k: [1, 2] });
  const { load, score, scoreAll } = codeBenchmarkHarness(benchmark, options, {
    suite,
    datasets,
    log: createRecordingLogger(),
  });

  it('passes all 164 canonical solutions and fails an empty body, as completions', {
    timeout: 600_000,
  }, async () => {
    const samples = await load();
    expect(samples).toHaveLength(164);
    const scores = await scoreAll(
      samples,
      (sample) => [sample.data.canonicalSolution, '    pass\n'],
      'completion',
    );
    const failures = scores.flatMap((score, index) =>
      (score.details?.verdicts as string[] | undefined)?.[0] === 'passed' ? [] : [samples[index]!.id],
    );
    expect(failures).toEqual([]);
    const aggregate = benchmark.doAggregate(
      scores.map((score, index) => ({ id: samples[index]!.id, metadata: {}, ...score })),
      { options },
    );
    // One of two samples right on every problem: pass@1 = 0.5, pass@2 = 1.
    expect(aggregate['pass@1']?.value).toBeCloseTo(0.5, 12);
    expect(aggregate['pass@2']?.value).toBeCloseTo(1, 12);
  });

  it('scores a chat reply by extracting the fenced function', async () => {
    const [first] = await load();
    const reply = `Sure:\n\`\`\`python\n${first!.data.prompt}${first!.data.canonicalSolution}\`\`\`\nDone.`;
    const wrong = `\`\`\`python\n${first!.data.prompt}    return not True\n\`\`\``;
    const result = await score(first!, [reply, wrong], 'chat');
    expect(result.details?.verdicts).toEqual(['passed', 'failed: ']);
    expect(result.metrics['pass@1']).toBe(0.5);
  });
});
