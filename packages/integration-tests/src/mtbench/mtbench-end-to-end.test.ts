import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAIBackend } from '@evalchemy/backend-openai';
import { createMTBench, loadQuestions } from '@evalchemy/benchmark-mtbench';
import { createDatasetResolver, ResponseCache, runEvaluation } from '@evalchemy/runner';
import {
  createRecordingLogger,
  type ScriptedServer,
  sharedDatasetsDirectory,
  startScriptedServer,
} from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fastChatRequests,
  readGpt35Answers,
} from '../../../benchmarks/mtbench/src/__fixtures__/stored-answers.js';

const datasets = createDatasetResolver({ offlineDirectory: sharedDatasetsDirectory() });

describe('a run replaying stored gpt-3.5-turbo answers with a scripted judge', () => {
  let modelServer: ScriptedServer;
  let judgeServer: ScriptedServer;
  let directory: string;

  beforeAll(async () => {
    const questions = await loadQuestions(datasets);
    const answers = await readGpt35Answers(datasets);
    const byFirstTurn = new Map(
      questions.map((question) => [question.turns[0]!, answers.get(question.questionId)!]),
    );
    // The model server answers each turn with the stored answer of the question its first user message asks.
    modelServer = await startScriptedServer({
      reply: ({ messages = [] }) => {
        const users = messages.filter((message) => message.role === 'user');
        return byFirstTurn.get(users[0]!.content)![users.length - 1]!;
      },
    });
    // Every second-turn judgment of a roleplay question comes back without a rating.
    const roleplay = questions.filter((question) => question.category === 'roleplay');
    judgeServer = await startScriptedServer({
      reply: ({ messages = [] }) => {
        const prompt = messages.at(-1)!.content;
        const secondTurn = prompt.startsWith('<|The Start');
        return secondTurn && roleplay.some((question) => prompt.includes(question.turns[0]!))
          ? 'No verdict.'
          : 'Rating: [[7]]';
      },
    });
    directory = await mkdtemp(join(tmpdir(), 'mtbench-e2e-'));
  });

  afterAll(async () => {
    await Promise.all([modelServer?.close(), judgeServer?.close()]);
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  // 320 HTTP calls through the real runner and backend: more than vitest's default 5 s on a busy machine.
  it('sends the judge exactly the requests FastChat builds and reports FastChat means', {
    timeout: 60_000,
  }, async () => {
    const benchmark = createMTBench();
    const outcome = await runEvaluation({
      backend: createOpenAIBackend({
        model: 'gpt-3.5-turbo',
        base_url: modelServer.url,
        api_key: 'test-key',
      }),
      judges: {
        mtbench: {
          judge: createOpenAIBackend({ model: 'gpt-4', base_url: judgeServer.url, api_key: 'test-key' }),
        },
      },
      tasks: [{ benchmark, options: benchmark.optionsSchema.parse({}) }],
      datasets,
      outputPath: join(directory, 'results'),
      cache: new ResponseCache({ directory: join(directory, 'cache'), enabled: false }),
      concurrency: 8,
      seed: 0,
      predictOnly: false,
      effectiveConfig: {},
      versions: {},
      log: createRecordingLogger(),
    });

    expect(judgeServer.requests).toHaveLength(160);
    const received = judgeServer.requests.map((request) => ({
      model: request.body.model,
      messages: request.body.messages,
      temperature: request.body.temperature,
      max_tokens: request.body.max_tokens,
    }));
    const expected = fastChatRequests.requests.map((request) => ({
      model: request.model,
      messages: request.messages,
      temperature: request.temperature,
      max_tokens: request.max_tokens,
    }));
    expect(received).toEqual(expect.arrayContaining(expected));

    const [task] = outcome.tasks;
    expect(task?.status).toBe('completed');
    expect(task?.samples).toMatchObject({ total: 80, scored: 80, failed: 0 });
    expect(task?.metrics.judge_parse_failures?.value).toBe(10);
    expect(task?.metrics.score?.value).toBe(7);
    expect(task?.metrics.score_turn_2?.value).toBe(7);
    expect(task?.metrics.score_roleplay?.value).toBe(7);
  });
});
