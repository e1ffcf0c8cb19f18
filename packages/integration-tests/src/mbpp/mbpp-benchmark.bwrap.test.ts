import { createMbpp } from '@evalchemy/benchmark-mbpp';
import { codeBenchmarkHarness, sandboxPythons, useSuiteSandbox } from '@evalchemy/code-eval/testing';
import type { SampleScoreV1 } from '@evalchemy/core';
import { createDatasetResolver } from '@evalchemy/runner';
import { createProcessSandbox } from '@evalchemy/sandbox-process';
import { createRecordingLogger, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';

const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });

const verdicts = (score: SampleScoreV1): string[] => (score.details?.verdicts ?? []) as string[];

describe.each(sandboxPythons())('mbpp in the bubblewrap sandbox, $label', (python) => {
  // One sandbox execution per CPU (the process sandbox's default concurrency).
  const suite = useSuiteSandbox(() => createProcessSandbox(python.settings()), python);
  const benchmark = createMbpp();

  async function load(split: 'full' | 'sanitized', raw: Record<string, unknown> = {}) {
    const options = benchmark.optionsSchema.parse({ split, n: 2, k: [1, 2], ...raw });
    const harness = codeBenchmarkHarness(benchmark, options, {
      suite,
      datasets,
      log: createRecordingLogger(),
    });
    return { options, harness, samples: await harness.load() };
  }

  for (const [split, size] of [
    ['full', 500],
    ['sanitized', 427],
  ] as const) {
    it(`passes all ${size} reference solutions of the ${split} split and fails a wrong one, as completions`, {
      timeout: 900_000,
    }, async () => {
      // 20 s instead of the reference's 3 s per program: task 123's reference solution (amicable numbers up to
      // 9999) needs 3–5 s of CPU on a loaded 2-CPU machine, which the default would count as a timeout.
      const { options, harness, samples: corpus } = await load(split, { timeoutSeconds: 20 });
      expect(corpus).toHaveLength(size);
      const samples = python.corpus(corpus); // a quarter without numpy: SandboxPython.corpus
      // A reply as lm-eval's prompt elicits it: code, then the stop marker (the server may not cut it).
      const scores = await harness.scoreAll(
        samples,
        (sample) => [`${sample.data.code}\n[DONE]`, 'def nothing():\n    pass\n'],
        'completion',
      );
      const failures = scores.flatMap((score, index) =>
        verdicts(score)[0] === 'passed' ? [] : [`${samples[index]!.id}: ${verdicts(score)[0]}`],
      );
      expect(failures).toEqual([]);
      for (const score of scores) expect(verdicts(score)[1]).toMatch(/^failed: /);
      const aggregate = benchmark.doAggregate(
        scores.map((score, index) => ({ id: samples[index]!.id, metadata: {}, ...score })),
        { options },
      );
      expect(aggregate['pass@1']?.value).toBeCloseTo(0.5, 12);
      expect(aggregate['pass@2']?.value).toBeCloseTo(1, 12);
    });
  }

  it('extracts the first python block of a chat reply and reports why a wrong one fails', async () => {
    const { harness, samples } = await load('full', { n: 3, timeoutSeconds: 1 });
    const task = samples.find((sample) => sample.id === '11')!;
    const right = `Here is the function:\n\`\`\`python\n${task.data.code}\n\`\`\`\nAnd a second block:\n\`\`\`python\nraise SystemExit\n\`\`\``;
    const wrong = '```python\ndef remove_Occ(s, ch):\n    return s.strip(ch)\n```';
    const loops = '```python\ndef remove_Occ(s, ch):\n    while True:\n        pass\n```';
    const score = await harness.score(task, [right, wrong, loops], 'chat');
    expect(verdicts(score)).toEqual(['passed', 'failed: ', 'timed out']);
    expect(score.metrics['pass@1']).toBeCloseTo(1 / 3, 12);
  });
});
