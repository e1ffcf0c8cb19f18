import type { Sample, SampleResponses, SandboxV1 } from '@evalchemy/core';
import { createDatasetResolver } from '@evalchemy/runner';
import { createProcessSandbox } from '@evalchemy/sandbox-process';
import { createRecordingLogger, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHumanEval, type HumanEvalProblem } from './humaneval-benchmark.js';

let sandbox: SandboxV1;
const signal = new AbortController().signal;
beforeAll(async () => {
  sandbox = createProcessSandbox();
  await sandbox.doStart?.({ signal });
});
afterAll(async () => {
  await sandbox?.doStop?.();
});

const completion = (texts: string[]): SampleResponses => ({
  type: 'generate',
  generations: texts.map((text) => [{ text, finishReason: 'stop', warnings: [] }]),
});

describe('humaneval in the bubblewrap sandbox', () => {
  const benchmark = createHumanEval();
  const options = benchmark.optionsSchema.parse({ n: 2, k: [1, 2] });
  const context = () => ({ options, sandbox, signal, log: createRecordingLogger() });

  async function load(): Promise<Sample<HumanEvalProblem>[]> {
    const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });
    const source = await benchmark.doLoad({ options, datasets, seed: 0, log: createRecordingLogger() });
    return [...(source.samples as Iterable<Sample<HumanEvalProblem>>)];
  }

  it('passes all 164 canonical solutions and fails an empty body, as completions', {
    timeout: 600_000,
  }, async () => {
    const samples = await load();
    expect(samples).toHaveLength(164);
    const scores = await Promise.all(
      samples.map((sample) => {
        sample.data.mode = 'completion';
        return benchmark.doScore(
          sample,
          completion([sample.data.canonicalSolution, '    pass\n']),
          context(),
        );
      }),
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
    first!.data.mode = 'chat';
    const reply = `Sure:\n\`\`\`python\n${first!.data.prompt}${first!.data.canonicalSolution}\`\`\`\nDone.`;
    const wrong = `\`\`\`python\n${first!.data.prompt}    return not True\n\`\`\``;
    const score = await benchmark.doScore(first!, completion([reply, wrong]), context());
    expect(score.details?.verdicts).toEqual(['passed', 'failed: ']);
    expect(score.metrics['pass@1']).toBe(0.5);
  });
});
