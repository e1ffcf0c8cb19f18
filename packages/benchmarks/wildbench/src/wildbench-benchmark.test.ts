import type {
  JudgeRequestV1,
  LoadContextV1,
  SampleScoreV1,
  SampleV1,
  ScoreContextV1,
  ScoredSampleV1,
} from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  createScriptedJudge,
  runBenchmarkConformance,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import {
  fixtureReferenceFile,
  fixturesDirectory,
  fixtureTestFile,
  referenceRun,
  scriptedRun,
} from './__fixtures__/fixture-files.js';
import wildBench, {
  createWildBench,
  DEFAULT_JUDGE_MODEL,
  type WildBenchOptions,
  type WildBenchSampleData,
} from './index.js';

const settings = {
  dataset: fixtureTestFile,
  referenceFiles: { 'gpt-4-turbo-2024-04-09': fixtureReferenceFile },
};
const packageJsonPath = new URL('../package.json', import.meta.url);

runBenchmarkConformance(createWildBench(settings), { packageJsonPath, datasetsDirectory: fixturesDirectory });
runBenchmarkConformance(createWildBench({ ...settings, options: { mode: 'reward' } }), {
  packageJsonPath,
  datasetsDirectory: fixturesDirectory,
});

const datasets = createOfflineDatasetResolver(fixturesDirectory);

async function load(benchmark: ReturnType<typeof createWildBench>, options: Partial<WildBenchOptions> = {}) {
  const parsed = benchmark.optionsSchema.parse(options);
  const context: LoadContextV1<WildBenchOptions> = {
    options: parsed,
    datasets,
    seed: 0,
    log: createRecordingLogger(),
  };
  const source = await benchmark.doLoad(context);
  const samples = [...(source.samples as Iterable<SampleV1<WildBenchSampleData>>)];
  expect(samples).toHaveLength(source.size);
  return { samples, options: parsed };
}

const chatBackend = {
  id: 'test',
  modelId: 'test-model',
  capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
};

describe('loading', () => {
  it('yields one sample per task with its session id, primary tag and deduplicated task categories', async () => {
    const { samples } = await load(createWildBench(settings));
    expect(samples.map((sample) => sample.id)).toEqual([
      'wb-synth-01',
      'wb-synth-02',
      'wb-synth-03',
      'wb-synth-04',
      'wb-synth-05',
      'wb-synth-06',
      'wb-synth-07',
    ]);
    // Creative Writing + Editing + Brainstorming are all "Creative Tasks": counted once.
    expect(samples[1]!.metadata).toEqual({
      primary_tag: 'Creative Writing',
      task_categories: 'Creative Tasks',
    });
    expect(samples[2]!.metadata).toEqual({
      primary_tag: 'Math',
      task_categories: 'Math & Data Analysis|Information/Advice seeking',
    });
  });

  it('keeps the earlier turns as history and the last user message as the question', async () => {
    const { samples } = await load(createWildBench(settings));
    const planning = samples[3]!.data;
    expect(planning.history.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(planning.lastQuery).toBe('Put it all into a day-by-day plan.');
    expect(planning.checklist).toEqual([]);
  });

  it("loads the reference answers and WildBench's seeded A/B draws only in reward mode", async () => {
    const score = await load(createWildBench(settings));
    expect(score.samples[0]!.data.referenceOutput).toBeUndefined();
    const reward = await load(createWildBench(settings), { mode: 'reward' });
    expect(reward.samples[0]!.data.referenceOutput).toBe('Change `-` to `+`.');
    // random.seed(42); random.random() in Python: 0.6394267984578837, 0.025010755222666936, …
    expect(reward.samples.slice(0, 2).map((sample) => sample.data.draw)).toEqual([
      0.6394267984578837, 0.025010755222666936,
    ]);
  });

  it('refuses a reference file that lacks a task', async () => {
    const benchmark = createWildBench({
      ...settings,
      referenceFiles: { 'gpt-4-turbo-2024-04-09': fixtureTestFile },
    });
    await expect(load(benchmark, { mode: 'reward' })).rejects.toThrow(/expected shape|no answer/);
  });

  it('takes an offline sha256 from the options, and refuses a copy whose bytes differ', async () => {
    const benchmark = createWildBench(settings);
    await expect(load(benchmark, { dataset_sha256: '0'.repeat(64) })).rejects.toThrow(/sha256/);
  });

  it('rejects unknown options and a reference model WildBench does not publish', () => {
    expect(wildBench.optionsSchema.safeParse({ judge: 'x' }).success).toBe(false);
    expect(wildBench.optionsSchema.safeParse({ reference_model: 'gpt-4o' }).success).toBe(false);
    expect(wildBench.optionsSchema.parse({})).toEqual({
      mode: 'score',
      reference_model: 'gpt-4-turbo-2024-04-09',
      length_penalty: 500,
      max_words: 1000,
      judge_max_tokens: 4096,
      seed: 42,
    });
  });
});

describe('planning', () => {
  it('asks the last user message after the conversation history, greedy, at most 1024 tokens', async () => {
    const benchmark = createWildBench(settings);
    const { samples, options } = await load(benchmark);
    const plan = benchmark.doPlan(samples[1]!, { options, backend: chatBackend });
    expect(plan).toEqual({
      type: 'chat',
      history: [
        { role: 'user', content: expect.stringContaining('four-line poem about autumn rain') },
        { role: 'assistant', content: expect.stringContaining('Rain on the rooftops') },
      ],
      turns: ['Now make it about spring, and keep the same rhyme scheme.'],
      parameters: { temperature: 0, maxTokens: 1024 },
    });
  });

  it('refuses a backend without chat', async () => {
    const benchmark = createWildBench(settings);
    const { samples, options } = await load(benchmark);
    expect(() =>
      benchmark.doPlan(samples[0]!, {
        options,
        backend: {
          ...chatBackend,
          capabilities: { ...chatBackend.capabilities, chat: false, completion: true },
        },
      }),
    ).toThrow(/chat/);
  });
});

const verdicts: Record<string, [string, string]> = {
  'model++': ['A++', 'B++'],
  'model+': ['A+', 'B+'],
  tie: ['A=B', 'A=B'],
  'reference+': ['B+', 'A+'],
  'reference++': ['B++', 'A++'],
};

/** The scripted judge of the reference run: answers by task, the pairwise choice put on the model's side. */
function scriptedJudge(mode: 'score' | 'reward') {
  return createScriptedJudge({
    answer: (request: JudgeRequestV1) => {
      const prompt = request.messages[0]!.content;
      const sessionId = Object.keys(scriptedRun.answers).find(
        (id) => referenceRequestPrompt(mode === 'score' ? 'score' : 'pairwise', id) === prompt,
      );
      if (sessionId === undefined) return 'no such prompt in the reference run';
      const judged = scriptedRun.judge[sessionId]!;
      if (mode === 'score') return judged.score;
      if (judged.pairwise_literal !== undefined) return judged.pairwise_literal;
      const modelFirst =
        referenceRun.pairwise.assignment[sessionId as keyof typeof referenceRun.pairwise.assignment].A ===
        'test-model';
      const choice = verdicts[judged.pairwise!]![modelFirst ? 0 : 1];
      return JSON.stringify({ 'analysis of A': '...', 'analysis of B': '...', choice });
    },
  });
}

function referenceRequestPrompt(mode: 'score' | 'pairwise', sessionId: string): string {
  const requests = referenceRun[mode].requests as Record<string, { messages: { content: string }[] }>;
  return requests[sessionId]!.messages[0]!.content;
}

async function scoreAll(mode: 'score' | 'reward', options: Partial<WildBenchOptions> = {}) {
  const benchmark = createWildBench(settings);
  const { samples, options: parsed } = await load(benchmark, { mode, ...options });
  const judge = scriptedJudge(mode);
  const scores: SampleScoreV1[] = [];
  const scored: ScoredSampleV1[] = [];
  for (const sample of samples) {
    const plan = benchmark.doPlan(sample, { options: parsed, backend: chatBackend });
    const context: ScoreContextV1<WildBenchOptions> = {
      options: parsed,
      plan,
      judges: { judge },
      signal: new AbortController().signal,
      log: createRecordingLogger(),
    };
    const text = scriptedRun.answers[sample.id]!;
    const score = await benchmark.doScore(
      sample,
      { type: 'generate', generations: [[{ text, finishReason: 'stop', warnings: [] }]] },
      context,
    );
    scores.push(score);
    scored.push({ id: sample.id, metadata: sample.metadata ?? {}, metrics: score.metrics });
  }
  return { benchmark, judge, scores, metrics: benchmark.doAggregate(scored, { options: parsed }) };
}

const metricValue = (metric: unknown) =>
  typeof metric === 'number' ? metric : (metric as { value: number }).value;

describe('WB-Score against the reference run (reference-run.json)', () => {
  it("sends WildBench's score prompts, byte for byte, at temperature 0 in JSON mode with Evalchemy's 4096 tokens", async () => {
    const { judge } = await scoreAll('score');
    expect(judge.requests).toHaveLength(7);
    for (const [sessionId, body] of Object.entries(referenceRun.score.requests)) {
      expect(judge.requests).toContainEqual({
        messages: [{ role: 'user', content: body.messages[0]!.content }],
        parameters: { temperature: body.temperature, maxTokens: body.max_tokens, responseFormat: 'json' },
      });
      expect(body.response_format, sessionId).toEqual({ type: 'json_object' });
    }
  });

  it("gives Evalchemy's numbers, rescaled × 10 as WildBench's leaderboard", async () => {
    const { metrics, scores } = await scoreAll('score');
    const expected = referenceRun.score.metrics;
    // Evalchemy process_evaluator_output: task_macro_score 1.4385964912280702, adjusted_score 1.0, score 5.5.
    expect(metricValue(metrics.WB_Score)).toBeCloseTo(expected.task_macro_score * 10, 12);
    expect(metricValue(metrics.WB_Score_overall)).toBe(expected.adjusted_score * 10);
    expect(metricValue(metrics.score)).toBe(expected.score);
    expect(metrics.avg_length).toBe(expected.avg_output_length);
    expect(metrics.scored).toBe(expected.total_examples);
    // …and under Evalchemy's own keys, on its scale
    expect(metricValue(metrics.adjusted_score)).toBe(expected.adjusted_score);
    expect(metricValue(metrics.task_macro_score)).toBeCloseTo(expected.task_macro_score, 12);
    expect(metricValue(metrics.adjusted_task_macro_score)).toBeCloseTo(
      expected.adjusted_task_macro_score,
      12,
    );
    expect(metrics.avg_output_length).toBe(expected.avg_output_length);
    expect(metricValue(metrics.WB_Score_planning_reasoning)).toBe(
      expected.task_categorized_scores['Planning & Reasoning'] * 10,
    );
    expect(metricValue(metrics.WB_Score_coding_debugging)).toBe(
      expected.task_categorized_scores['Coding & Debugging'] * 10,
    );
    expect(metricValue(metrics.WB_Score_creative_tasks)).toBe(
      expected.task_categorized_scores['Creative Tasks'] * 10,
    );
    expect(metricValue(metrics.WB_Score_information_advice_seeking)).toBe(
      expected.task_categorized_scores['Information/Advice seeking'] * 10,
    );
    expect(metricValue(metrics.WB_Score_math_data_analysis)).toBe(
      expected.task_categorized_scores['Math & Data Analysis'] * 10,
    );
    expect(metrics.judge_unparsable).toBe(1);
    // The unparsable judgment (wb-synth-07) has no score; the parsed " 6 " reads as 6.
    expect(scores[6]!.metrics).toMatchObject({ WB_Score: null, score: null, judge_unparsable: 1 });
    expect(scores[2]!.metrics).toMatchObject({ score: 6, WB_Score: 20 });
    expect(scores.map((score) => score.judgeAudit)).toEqual([
      ...Array(6).fill({ judge: { verdicts: 1, unparsable: 0 } }),
      { judge: { verdicts: 1, unparsable: 1 } },
    ]);
  });
});

describe('WB-Reward against the reference run (reference-run.json)', () => {
  it("sends WildBench's pairwise prompts in its seeded A/B order", async () => {
    const { judge, scores } = await scoreAll('reward');
    expect(judge.requests).toHaveLength(7);
    for (const body of Object.values(referenceRun.pairwise.requests)) {
      expect(judge.requests).toContainEqual({
        messages: [{ role: 'user', content: body.messages[0]!.content }],
        parameters: { temperature: body.temperature, maxTokens: body.max_tokens, responseFormat: 'json' },
      });
    }
    expect(scores.map((score) => score.details?.order)).toEqual(
      Object.values(referenceRun.pairwise.assignment).map((assignment) =>
        assignment.A === 'test-model' ? 'model-first' : 'reference-first',
      ),
    );
  });

  it("gives WildBench's leaderboard numbers with K=500, × 100", async () => {
    const { metrics, scores } = await scoreAll('reward');
    const expected = referenceRun.pairwise['K=500'];
    // _create_tables.py pairwise-gpt4t 500: reward 0.16666666666666666, task_macro_reward 0.13157894736842105.
    expect(metricValue(metrics.WB_Reward)).toBe(expected.reward * 100);
    expect(metricValue(metrics.WB_Reward_task_macro)).toBeCloseTo(expected.task_macro_reward * 100, 12);
    expect(metrics.scored).toBe(expected.total);
    expect(metrics.avg_length).toBe(expected.avg_len);
    for (const outcome of ['win_much', 'win', 'tie', 'lose', 'lose_much'] as const) {
      expect(metrics[`${outcome}_rate`], outcome).toBe(expected[outcome] / expected.total);
    }
    expect(metricValue(metrics.WB_Reward_creative_tasks)).toBe(
      expected.task_categorized_rewards['Creative Tasks'] * 100,
    );
    expect(metricValue(metrics.WB_Reward_information_advice_seeking)).toBe(
      expected.task_categorized_rewards['Information/Advice seeking'] * 100,
    );
    // An empty answer on either side is left out of the counts, but not out of the total.
    expect(metrics.excluded).toBe(2);
    expect(scores[1]!.metrics).toMatchObject({ WB_Reward: 0, excluded: 1, tie: 0 });
    // A slight win of an answer over 500 characters longer is a tie.
    expect(scores[0]!.details?.outcome).toBe('tie');
    // "A>B" is not one of the five choices: unparsable, left out.
    expect(scores[5]!.metrics).toMatchObject({ WB_Reward: null, judge_unparsable: 1 });
    expect(scores[5]!.judgeAudit).toEqual({ judge: { verdicts: 1, unparsable: 1 } });
  });

  it('drops the length penalty with length_penalty -1, as K=-1', async () => {
    const { metrics, scores } = await scoreAll('reward', { length_penalty: -1 });
    const expected = referenceRun.pairwise['K=-1'];
    expect(metricValue(metrics.WB_Reward)).toBe(expected.reward * 100);
    expect(metricValue(metrics.WB_Reward_task_macro)).toBeCloseTo(expected.task_macro_reward * 100, 12);
    expect(scores[0]!.details?.outcome).toBe('win');
    expect(scores[2]!.details?.outcome).toBe('lose');
  });
});

describe('judge failures', () => {
  it('leaves the task unscored with a warning when the judge call fails after retries', async () => {
    const benchmark = createWildBench(settings);
    const { samples, options } = await load(benchmark);
    const judge = createScriptedJudge({
      answer: () => {
        throw new Error('judge server answered HTTP 503 (after 5 retries)');
      },
    });
    const score = await benchmark.doScore(
      samples[0]!,
      { type: 'generate', generations: [[{ text: 'fixed', finishReason: 'stop', warnings: [] }]] },
      {
        options,
        plan: benchmark.doPlan(samples[0]!, { options, backend: chatBackend }),
        judges: { judge },
        signal: new AbortController().signal,
        log: createRecordingLogger(),
      },
    );
    expect(score.metrics).toMatchObject({ WB_Score: null, judge_errors: 1, judge_unparsable: 0 });
    expect(score.judgeAudit).toEqual({ judge: { verdicts: 0, unparsable: 0 } });
    expect(score.warnings).toEqual([{ type: 'other', message: expect.stringMatching(/HTTP 503/) }]);
  });

  it('fails the sample when no judge is configured', async () => {
    const benchmark = createWildBench(settings);
    const { samples, options } = await load(benchmark);
    await expect(
      benchmark.doScore(
        samples[0]!,
        { type: 'generate', generations: [[{ text: 'x', finishReason: 'stop', warnings: [] }]] },
        {
          options,
          plan: benchmark.doPlan(samples[0]!, { options, backend: chatBackend }),
          judges: {},
          signal: new AbortController().signal,
          log: createRecordingLogger(),
        },
      ),
    ).rejects.toThrow(/judge/);
  });
});

describe('judge and metrics', () => {
  it("defaults to Evalchemy's WildBench judge, gpt-4-1106-preview, in JSON mode", () => {
    expect(DEFAULT_JUDGE_MODEL).toBe('gpt-4-1106-preview');
    expect(wildBench.requirements.judges.judge).toMatchObject({
      defaultModel: 'gpt-4-1106-preview',
      needs: { json: true },
    });
  });

  it('makes WB_Score primary by default and WB_Reward primary in reward mode', () => {
    expect(wildBench.primaryMetric).toBe('WB_Score');
    expect(wildBench.metricsFor(wildBench.optionsSchema.parse({ mode: 'reward' }))).toEqual({
      primaryMetric: 'WB_Reward',
      headlineMetrics: ['WB_Reward', 'WB_Reward_task_macro'],
    });
    expect(createWildBench({ options: { mode: 'reward' } }).primaryMetric).toBe('WB_Reward');
  });
});
