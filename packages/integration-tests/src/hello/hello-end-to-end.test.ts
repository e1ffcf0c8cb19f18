import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAIBackend } from '@evalchemy/backend-openai';
import { createHello, helloProblems } from '@evalchemy/benchmark-hello';
import { createDatasetResolver, ResponseCache, runEvaluation } from '@evalchemy/runner';
import { createRecordingLogger, type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A whole run as a user starts it: the runner, the openai backend and HTTP to a scripted OpenAI-compatible
// server on 127.0.0.1. What a new benchmark changes here: replies that exercise its scorer (stored real
// answers in __fixtures__ are best) and the metrics the results file must show.
describe('a run against an OpenAI-compatible server', () => {
  let server: ScriptedServer;
  let directory: string;

  beforeAll(async () => {
    // Right, in the format the scorer accepts, except for 7+6, answered with a sentence.
    server = await startScriptedServer({
      reply: ({ messages = [] }) => {
        const question = messages.at(-1)?.content;
        const answer = helloProblems.find((problem) => problem.question === question)?.answer;
        return question === 'What is 7+6?' ? `The answer is ${answer}.` : ` ${answer}.\n`;
      },
    });
    directory = await mkdtemp(join(tmpdir(), 'hello-e2e-'));
  });

  afterAll(async () => {
    await server?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('writes exact_match and its standard error to the results file, and the extracted answers', async () => {
    const benchmark = createHello();
    const outcome = await runEvaluation({
      backend: createOpenAIBackend({ model: 'scripted-model', base_url: server.url, api_key: 'test-key' }),
      tasks: [{ benchmark, options: benchmark.optionsSchema.parse({}) }],
      datasets: createDatasetResolver({ offlineDirectory: directory }),
      outputPath: join(directory, 'results'),
      cache: new ResponseCache({ directory: join(directory, 'cache'), enabled: false }),
      concurrency: 2,
      seed: 0,
      predictOnly: false,
      effectiveConfig: {},
      versions: {},
      log: createRecordingLogger(),
    });

    expect(outcome.complete).toBe(true);
    expect(server.requestCount).toBe(5);
    const results = JSON.parse(await readFile(outcome.resultsPath, 'utf8'));
    // Keyed by the task id (`hello`): what `--tasks` names and the results table shows.
    expect(results.results[benchmark.id].exact_match).toBeCloseTo(0.8, 10);
    expect(results.results[benchmark.id].exact_match_stderr).toBeCloseTo(Math.sqrt(0.2 / 5), 10);
    expect(results['n-samples'][benchmark.id]).toEqual({ effective: 5, scored: 5, failed: 0 });

    const modelDirectory = join(directory, 'results', 'scripted-model');
    const samplesFile = (await readdir(modelDirectory)).find((name) =>
      name.startsWith(`samples_${benchmark.id}_`),
    )!;
    const records = (await readFile(join(modelDirectory, samplesFile), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.find((record) => record.sample_id === '1')).toMatchObject({
      extracted: 'the answer is 13',
      metrics: { exact_match: 0 },
    });
  });
});
