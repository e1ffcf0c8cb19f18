import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHumanEval, type HumanEvalProblem } from '@evalchemy/benchmark-humaneval';
import { loadAllSamples, planFor, verdictForgeryBody } from '@evalchemy/code-eval/testing';
import type { SampleResponsesV1, SampleV1, SandboxV1 } from '@evalchemy/core';
import { createDatasetResolver } from '@evalchemy/runner';
import { createRecordingLogger, hostileCases, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { expect } from 'vitest';

// Shared by the bubblewrap and Docker suites: the hostile programs of @evalchemy/sandbox-process as HumanEval
// completions, scored through the real doScore in one concurrent wave (so they share sandbox executions with
// a normal sample), then a normal sample alone.

const prompt = 'def candidate_function():\n';
const test = 'def check(candidate):\n    assert candidate() == 1\n';
const normal = '    return 1\n';

// Each hostile program becomes the function's body: indented, so the completion stop strings (`\nprint`,
// `\nif`, …) do not cut it, and run when the test calls the function.
const asBody = (source: string): string =>
  source
    .split('\n')
    .map((line) => (line === '' ? line : `    ${line}`))
    .join('\n');

const sample = (
  id: string,
  completion: string,
): { sample: SampleV1<HumanEvalProblem>; completion: string } => ({
  sample: {
    id,
    data: {
      taskId: id,
      prompt,
      entryPoint: 'candidate_function',
      test,
      canonicalSolution: normal,
    },
  },
  completion,
});

const responses = (text: string): SampleResponsesV1 => ({
  type: 'generate',
  generations: [[{ text, finishReason: 'stop', warnings: [] }]],
});

/** Scores every hostile case (plus one that kills every process it may signal) next to normal samples. */
export async function scoreHostileSamples(sandbox: SandboxV1): Promise<void> {
  const secret = `sk-test-${randomUUID()}`;
  const token = randomUUID();
  process.env.OPENAI_API_KEY = secret;
  const signal = new AbortController().signal;
  const benchmark = createHumanEval();
  const options = benchmark.optionsSchema.parse({ n: 1, k: [1], mode: 'completion', memoryMb: 1024 });
  const log = createRecordingLogger();
  const context = (item: SampleV1<HumanEvalProblem>) => ({
    options,
    plan: planFor(benchmark, item, options, 'completion'),
    judges: {},
    sandbox,
    signal,
    log,
  });
  const hostile = [
    ...hostileCases({ secret, token }).map((hostileCase) =>
      sample(`hostile/${hostileCase.name}`, asBody(hostileCase.program.source)),
    ),
    // The guard switches os.kill off; posix.kill is the same call under another name and takes the harness
    // (and every other check of its execution) down with it.
    sample('hostile/kill-everything', asBody('import posix\nposix.kill(-1, 9)\n')),
  ];
  const bystanders = [1, 2, 3].map((n) => sample(`normal/${n}`, normal));
  const wave = [...hostile, ...bystanders];
  const rssBefore = process.memoryUsage().rss;
  try {
    const scores = await Promise.all(
      wave.map((item) => benchmark.doScore(item.sample, responses(item.completion), context(item.sample))),
    );
    const verdicts = Object.fromEntries(
      scores.map((score, index) => [
        wave[index]!.sample.id,
        (score.details?.verdicts as string[] | undefined)?.[0],
      ]),
    );
    for (const item of hostile) {
      expect(verdicts[item.sample.id], item.sample.id).toMatch(/^(failed: |timed out$)/);
      expect(verdicts[item.sample.id]).not.toContain(secret);
    }
    // Batch-mates of the hostile samples keep their verdicts.
    for (const item of bystanders) expect(verdicts[item.sample.id], item.sample.id).toBe('passed');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    expect(process.env.OPENAI_API_KEY).toBe(secret);
    const fileName = `evalchemy-escape-${token}`;
    for (const directory of [tmpdir(), process.cwd(), homedir(), '/', '/usr', '/etc']) {
      expect(existsSync(join(directory, fileName)), `${directory}/${fileName}`).toBe(false);
    }
    const after = sample('normal/after', normal);
    const score = await benchmark.doScore(after.sample, responses(after.completion), context(after.sample));
    expect(score.details?.verdicts).toEqual(['passed']);
  } finally {
    delete process.env.OPENAI_API_KEY;
  }
}

/**
 * One completion that tries to forge verdicts (`verdictForgeryBody`) among 19 `return 0` completions, each on its
 * own HumanEval problem (no problem accepts `return 0`), scored in one concurrent wave so that they share a
 * sandbox execution: every one of the twenty must stay failed.
 */
export async function scoreForgerySamples(sandbox: SandboxV1): Promise<void> {
  const benchmark = createHumanEval();
  const options = benchmark.optionsSchema.parse({ n: 1, k: [1], mode: 'completion' });
  const log = createRecordingLogger();
  const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });
  const problems = (await loadAllSamples(benchmark, options, datasets, log)).slice(0, 20);
  const signal = new AbortController().signal;
  const scores = await Promise.all(
    problems.map((problem, index) =>
      benchmark.doScore(problem, responses(index === 0 ? verdictForgeryBody : '    return 0\n'), {
        options,
        plan: planFor(benchmark, problem, options, 'completion'),
        judges: {},
        sandbox,
        signal,
        log,
      }),
    ),
  );
  const passed = scores.flatMap((score, index) =>
    (score.details?.verdicts as string[] | undefined)?.[0] === 'passed' ? [problems[index]!.id] : [],
  );
  expect(passed).toEqual([]);
}
