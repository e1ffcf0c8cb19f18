import type { JudgeV1, LoadContextV1, SampleV1, ScoredSampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { fastChatRequests, readGpt35Answers } from './__fixtures__/stored-answers.js';
import mtBench, {
  createMTBench,
  DEFAULT_JUDGE_MODEL,
  type MTBenchOptions,
  type MTBenchQuestion,
} from './index.js';

runBenchmarkConformance(mtBench, { packageJsonPath: new URL('../package.json', import.meta.url) });

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());

async function load(options: Record<string, unknown> = {}): Promise<SampleV1<MTBenchQuestion>[]> {
  const benchmark = createMTBench();
  const context: LoadContextV1<MTBenchOptions> = {
    options: benchmark.optionsSchema.parse(options),
    datasets,
    seed: 0,
    log: createRecordingLogger(),
  };
  const source = await benchmark.doLoad(context);
  const samples = [...(source.samples as Iterable<SampleV1<MTBenchQuestion>>)];
  expect(samples).toHaveLength(source.size);
  return samples;
}

const chatBackend = {
  id: 'test',
  modelId: 'test-model',
  capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
};

const chatPlan = (
  benchmark: ReturnType<typeof createMTBench>,
  sample: SampleV1<MTBenchQuestion>,
  options: MTBenchOptions,
) => benchmark.doPlan(sample, { options, backend: chatBackend });

describe('loading', () => {
  it('yields the 80 questions with their question_id as sample id and category as metadata', async () => {
    const samples = await load();
    expect(samples).toHaveLength(80);
    expect(samples[0]).toMatchObject({ id: '81', metadata: { category: 'writing' } });
    expect(samples.at(-1)).toMatchObject({ id: '160', metadata: { category: 'humanities' } });
  });

  it('keeps only the requested categories', async () => {
    const samples = await load({ categories: ['math', 'coding'] });
    expect(samples).toHaveLength(20);
    expect(new Set(samples.map((sample) => sample.metadata?.category))).toEqual(new Set(['math', 'coding']));
  });

  it('takes default options from createMTBench, which the user options override', () => {
    const benchmark = createMTBench({ options: { categories: ['math'], judge_max_tokens: 512 } });
    expect(benchmark.optionsSchema.parse({})).toEqual({ categories: ['math'], judge_max_tokens: 512 });
    expect(benchmark.optionsSchema.parse({ categories: ['coding'] })).toEqual({
      categories: ['coding'],
      judge_max_tokens: 512,
    });
  });

  it('rejects an unknown category', () => {
    expect(createMTBench().optionsSchema.safeParse({ categories: ['poetry'] }).success).toBe(false);
  });
});

describe('planning', () => {
  it('refuses a backend without chat', async () => {
    const [sample] = await load({ categories: ['writing'] });
    const benchmark = createMTBench();
    expect(() =>
      benchmark.doPlan(sample!, {
        options: benchmark.optionsSchema.parse({}),
        backend: {
          ...chatBackend,
          capabilities: { ...chatBackend.capabilities, chat: false, completion: true },
        },
      }),
    ).toThrow(/chat/);
  });

  it('asks for both turns as one chat, 1024 new tokens, at FastChat temperature of the category', async () => {
    const expected: Record<string, number> = {
      writing: 0.7,
      roleplay: 0.7,
      extraction: 0,
      math: 0,
      coding: 0,
      reasoning: 0,
      stem: 0.1,
      humanities: 0.1,
    };
    const benchmark = createMTBench();
    const options = benchmark.optionsSchema.parse({});
    for (const sample of await load()) {
      const plan = benchmark.doPlan(sample, { options, backend: chatBackend });
      expect(plan).toEqual({
        type: 'chat',
        turns: sample.data.turns,
        parameters: { temperature: expected[sample.data.category], maxTokens: 1024 },
      });
    }
  });
});

/** A judge that records what it is asked and answers from a script. */
function recordingJudge(answer: (userPrompt: string) => string) {
  const received: Parameters<JudgeV1['judge']>[0][] = [];
  const judge: JudgeV1 = {
    role: 'judge',
    backendId: 'recording',
    modelId: 'recording-judge',
    async judge(request) {
      received.push(request);
      return { text: answer(request.messages.at(-1)!.content), finishReason: 'stop', warnings: [] };
    },
  };
  return { judge, received };
}

describe('scoring stored gpt-3.5-turbo answers', () => {
  it('sends FastChat judge requests and scores each turn, leaving unparsable judgments out', async () => {
    const answers = await readGpt35Answers(datasets);
    const wanted = new Set(fastChatRequests.requests.map((request) => String(request.question_id)));
    const samples = (await load()).filter((sample) => wanted.has(sample.id));
    // Turn-2 prompts of general questions start with the conversation; the judge "forgets" the rating of
    // the writing question's second turn.
    const { judge, received } = recordingJudge((prompt) =>
      prompt.includes('Compose an engaging travel blog post') && prompt.startsWith('<|The Start')
        ? 'A fine answer, but I will not give a number.'
        : prompt.startsWith('<|The Start')
          ? 'Rating: [[6]]'
          : 'Rating: [[8.5]]',
    );
    const benchmark = createMTBench();
    const options = benchmark.optionsSchema.parse({});
    const scored: ScoredSampleV1[] = [];
    for (const sample of samples) {
      const score = await benchmark.doScore(
        sample,
        {
          type: 'generate',
          generations: [
            answers.get(Number(sample.id))!.map((text) => ({ text, finishReason: 'stop', warnings: [] })),
          ],
        },
        {
          options,
          plan: chatPlan(benchmark, sample, options),
          judges: { judge },
          signal: new AbortController().signal,
          log: createRecordingLogger(),
        },
      );
      scored.push({ id: sample.id, metadata: sample.metadata ?? {}, metrics: score.metrics });
      if (sample.id === '81') {
        expect(score.metrics).toEqual({
          score_turn_1: 8.5,
          score_turn_2: null,
          score: 8.5,
          judge_parse_failures: 1,
          judge_errors: 0,
        });
        expect(score.details?.judgments).toEqual([
          { turn: 1, judge_prompt: 'single-v1', judgment: 'Rating: [[8.5]]', rating: 8.5 },
          {
            turn: 2,
            judge_prompt: 'single-v1-multi-turn',
            judgment: 'A fine answer, but I will not give a number.',
            rating: -1,
          },
        ]);
      }
    }
    const sent = received.map((request) => ({ messages: request.messages, parameters: request.parameters }));
    const expected = fastChatRequests.requests.map((request) => ({
      messages: request.messages,
      parameters: { temperature: request.temperature, maxTokens: request.max_tokens },
    }));
    expect(sent).toHaveLength(expected.length);
    expect(sent).toEqual(expect.arrayContaining(expected));

    const metrics = benchmark.doAggregate(scored, { options: benchmark.optionsSchema.parse({}) });
    expect(metrics.judge_parse_failures).toBe(1);
    expect(metrics.score_turn_1).toMatchObject({ value: 8.5 });
    expect(metrics.score_turn_2).toMatchObject({ value: 6 });
    expect(metrics.score).toMatchObject({ value: (8 * 8.5 + 7 * 6) / 15 });
    expect(metrics.score_writing).toEqual({ value: 8.5 });
    // Evalchemy's keys: pandas means of the valid (score != -1) ratings by turn, and of both turns pooled
    expect(metrics['Turn 1']).toEqual(metrics.score_turn_1);
    expect(metrics['Turn 2']).toEqual(metrics.score_turn_2);
    expect(metrics.Average).toEqual(metrics.score);
    expect(metrics.Average).toMatchObject({ value: (8 * 8.5 + 7 * 6) / 15 });
  });

  it('leaves only the turn unrated when its judge call fails after retries, as FastChat ($ERROR$ -> -1)', async () => {
    const [sample] = await load({ categories: ['writing'] });
    const benchmark = createMTBench();
    const options = benchmark.optionsSchema.parse({});
    const judge: JudgeV1 = {
      role: 'judge',
      backendId: 'failing',
      modelId: 'judge',
      async judge(request) {
        const prompt = request.messages.at(-1)!.content;
        if (prompt.startsWith('<|The Start'))
          throw new Error('judge server answered HTTP 503 (after 5 retries)');
        return { text: 'Rating: [[7]]', finishReason: 'stop', warnings: [] };
      },
    };
    const score = await benchmark.doScore(
      sample!,
      {
        type: 'generate',
        generations: [['a', 'b'].map((text) => ({ text, finishReason: 'stop' as const, warnings: [] }))],
      },
      {
        options,
        plan: chatPlan(benchmark, sample!, options),
        judges: { judge },
        signal: new AbortController().signal,
        log: createRecordingLogger(),
      },
    );
    expect(score.metrics).toEqual({
      score_turn_1: 7,
      score_turn_2: null,
      score: 7,
      judge_parse_failures: 0,
      judge_errors: 1,
    });
    expect(score.details?.judgments).toMatchObject([
      { turn: 1, rating: 7 },
      { turn: 2, rating: -1, judgment: '', error: expect.stringMatching(/HTTP 503/) },
    ]);
    expect(score.warnings).toEqual([
      { type: 'other', message: expect.stringMatching(/turn 2 failed.*HTTP 503/) },
    ]);
    const metrics = benchmark.doAggregate(
      [{ id: sample!.id, metadata: sample!.metadata ?? {}, metrics: score.metrics }],
      { options: benchmark.optionsSchema.parse({}) },
    );
    expect(metrics).toMatchObject({ judge_errors: 1, judge_parse_failures: 0, score: { value: 7 } });
  });

  it('fails the sample when no judge is configured', async () => {
    const [sample] = await load({ categories: ['writing'] });
    const benchmark = createMTBench();
    await expect(
      benchmark.doScore(
        sample!,
        {
          type: 'generate',
          generations: [[0, 1].map(() => ({ text: 'x', finishReason: 'stop', warnings: [] }))],
        },
        {
          options: benchmark.optionsSchema.parse({}),
          plan: chatPlan(benchmark, sample!, benchmark.optionsSchema.parse({})),
          judges: {},
          signal: new AbortController().signal,
          log: createRecordingLogger(),
        },
      ),
    ).rejects.toThrow(/judge/);
  });
});

describe('judge model', () => {
  it("defaults to Evalchemy's MTBench judge, gpt-4", () => {
    expect(DEFAULT_JUDGE_MODEL).toBe('gpt-4');
  });
});
