import { createHumanEvalPlus } from '@evalchemy/benchmark-humanevalplus';
import { generatedReplies, loadAllSamples, planFor, verdictForgeryBody } from '@evalchemy/code-eval/testing';
import type { SandboxV1 } from '@evalchemy/core';
import { createDatasetResolver } from '@evalchemy/runner';
import { createRecordingLogger, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { expect } from 'vitest';

// Shared by the bubblewrap and Docker suites.

/**
 * Twenty solutions of HumanEval/0, scored together in one sandbox execution: one that reaches for the
 * harness (`verdictForgeryBody`: the expected outputs in its frames, the result channel, the nonce) and 19
 * `return 0`. All twenty are wrong, on the base tests and on the plus tests.
 */
export async function scoreForgerySolutions(sandbox: SandboxV1): Promise<void> {
  const benchmark = createHumanEvalPlus();
  const options = benchmark.optionsSchema.parse({ n: 20, k: [1], mode: 'completion' });
  const log = createRecordingLogger();
  const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });
  const [problem] = await loadAllSamples(benchmark, options, datasets, log);
  const completions = [verdictForgeryBody, ...Array.from({ length: 19 }, () => '    return 0\n')];
  const score = await benchmark.doScore(problem!, generatedReplies(completions), {
    options,
    plan: planFor(benchmark, problem!, options, 'completion'),
    judges: {},
    sandbox,
    signal: new AbortController().signal,
    log,
  });
  expect(score.details?.baseVerdicts).not.toContain('passed');
  expect(score.metrics).toEqual({ 'pass@1': 0, 'pass@1_base': 0, 'pass@1_plus': 0 });
}
