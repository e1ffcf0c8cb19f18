import type { LoadContextV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import arenaHard, {
  type ArenaHardOptions,
  type ArenaHardQuestion,
  createArenaHard,
  DEFAULT_JUDGE_MODEL,
  DEFAULT_JUDGE_MODEL_V2,
} from './index.js';

runBenchmarkConformance(arenaHard, { packageJsonPath: new URL('../package.json', import.meta.url) });

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());

async function load(options: Record<string, unknown> = {}, seed = 0): Promise<SampleV1<ArenaHardQuestion>[]> {
  const benchmark = createArenaHard();
  const context: LoadContextV1<ArenaHardOptions> = {
    options: benchmark.optionsSchema.parse(options),
    datasets,
    seed,
    log: createRecordingLogger(),
  };
  const source = await benchmark.doLoad(context);
  const samples = [...(source.samples as Iterable<SampleV1<ArenaHardQuestion>>)];
  expect(samples).toHaveLength(source.size);
  return samples;
}

const chatBackend = {
  id: 'test',
  modelId: 'test-model',
  capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
};

describe('loading', () => {
  it('v0.1: the 500 questions in question.jsonl order, each with gpt-4-0314 answer and the run seed', async () => {
    const samples = await load({}, 7);
    expect(samples).toHaveLength(500);
    expect(samples[0]).toMatchObject({
      id: '328c149ed45a41c0b9d6f14659e63599',
      metadata: { category: 'arena-hard-v0.1', subcategory: 'ABC Sequence Puzzles & Groups' },
      data: {
        index: 0,
        prompt: 'Use ABC notation to write a melody in the style of a folk tune.',
        baselineModel: 'gpt-4-0314',
        bootstrapSeed: 7,
      },
    });
    expect(samples[0]!.data.baselineAnswer).toMatch(/^X:1/);
    expect(samples.at(-1)!.data.index).toBe(499);
  });

  it('v2.0: the 500 hard prompts against o3-mini (creative writing has no baseline answers here)', async () => {
    const samples = await load({ version: 'v2.0', bootstrap_seed: 42 });
    expect(samples).toHaveLength(500);
    expect(new Set(samples.map((sample) => sample.metadata?.category))).toEqual(new Set(['hard_prompt']));
    expect(new Set(samples.map((sample) => sample.metadata?.subcategory))).toEqual(
      new Set(['coding', 'math']),
    );
    expect(samples[0]!.data).toMatchObject({ baselineModel: 'o3-mini-2025-01-31', bootstrapSeed: 42 });
  });

  it("refuses a run seed numpy's generator cannot take, naming the option to set", async () => {
    await expect(load({}, -1)).rejects.toThrow(/bootstrap_seed/);
  });
});

describe('options', () => {
  it('defaults to v0.1, 100 bootstrap rounds, weight 3, no style control', () => {
    expect(arenaHard.optionsSchema.parse({})).toEqual({
      version: 'v0.1',
      style_control: false,
      bootstrap_rounds: 100,
      weight: 3,
    });
  });

  it('rejects style control for v2.0 and unknown keys', () => {
    expect(arenaHard.optionsSchema.safeParse({ version: 'v2.0', style_control: true }).success).toBe(false);
    expect(arenaHard.optionsSchema.safeParse({ judge: 'gpt-4' }).success).toBe(false);
  });

  it("uses each version's reference judge by default", () => {
    expect(arenaHard.requirements.judges.judge?.defaultModel).toBe(DEFAULT_JUDGE_MODEL);
    expect(DEFAULT_JUDGE_MODEL).toBe('gpt-4-1106-preview');
    const v2 = createArenaHard({ options: { version: 'v2.0' } });
    expect(v2.requirements.judges.judge?.defaultModel).toBe(DEFAULT_JUDGE_MODEL_V2);
    expect(v2.optionsSchema.parse({}).version).toBe('v2.0');
    // A v2.0 task chosen by its options alone (`tasks.arena_hard.version` in --config) gets v2.0's judge.
    expect(arenaHard.judgesFor(arenaHard.optionsSchema.parse({ version: 'v2.0' })).judge?.defaultModel).toBe(
      DEFAULT_JUDGE_MODEL_V2,
    );
  });
});

describe('planning', () => {
  it('asks the prompt alone in chat, greedy, up to 4096 tokens (gen_answer_config.yaml)', async () => {
    const [sample] = await load();
    const options = arenaHard.optionsSchema.parse({});
    expect(arenaHard.doPlan(sample!, { options, backend: chatBackend })).toEqual({
      type: 'chat',
      turns: ['Use ABC notation to write a melody in the style of a folk tune.'],
      parameters: { temperature: 0, maxTokens: 4096 },
    });
  });

  it('refuses a backend without chat', async () => {
    const [sample] = await load();
    expect(() =>
      arenaHard.doPlan(sample!, {
        options: arenaHard.optionsSchema.parse({}),
        backend: {
          ...chatBackend,
          capabilities: { ...chatBackend.capabilities, chat: false, completion: true },
        },
      }),
    ).toThrow(/chat/);
  });
});
