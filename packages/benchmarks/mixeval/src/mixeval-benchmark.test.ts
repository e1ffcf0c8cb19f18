import type { LoadContextV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import mixEval, {
  createMixEval,
  DEFAULT_JUDGE_MODEL,
  type MixEvalOptions,
  type MixEvalSampleData,
} from './index.js';

runBenchmarkConformance(mixEval, { packageJsonPath: new URL('../package.json', import.meta.url) });

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());
const chatBackend = {
  id: 'test',
  modelId: 'test-model',
  capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
};

async function load(options: Record<string, unknown> = {}, seed = 0) {
  const benchmark = createMixEval();
  const context: LoadContextV1<MixEvalOptions> = {
    options: benchmark.optionsSchema.parse(options),
    datasets,
    seed,
    log: createRecordingLogger(),
  };
  const source = await benchmark.doLoad(context);
  const samples = [...(source.samples as Iterable<SampleV1<MixEvalSampleData>>)];
  expect(samples).toHaveLength(source.size);
  return samples;
}

describe('loading', () => {
  it('yields free-form items, then multiple-choice ones, with split and source benchmark as metadata', async () => {
    const samples = await load();
    expect(samples).toHaveLength(4000);
    expect(samples[0]).toMatchObject({ id: 'free-form/0', metadata: { split: 'free-form', index: 0 } });
    expect(samples[2000]).toMatchObject({
      id: 'multiple-choice/0',
      metadata: { split: 'multiple-choice', index: 0 },
    });
    expect(samples[0]!.metadata?.benchmark_name).toBe(samples[0]!.data.benchmark_name);
    expect(new Set(samples.map((sample) => sample.id)).size).toBe(4000);
  });

  it("carries the run's seed for the random verdict of unparsed items", async () => {
    const [sample] = await load({}, 7);
    expect(sample!.data.seed).toBe(7);
  });

  it('defaults to the 2024-06-01 release and accepts 2024-08-11 only besides it', () => {
    const schema = createMixEval().optionsSchema;
    expect(schema.parse({})).toEqual({
      version: '2024-06-01',
      temperature: 0,
      judge_max_tokens: 999,
      parse_rounds: 10,
      extract_base_model_response: true,
    });
    expect(schema.parse({ version: '2024-08-11' }).version).toBe('2024-08-11');
    expect(schema.safeParse({ version: '2024-07-01' }).success).toBe(false);
    expect(schema.safeParse({ judge: 'gpt-4' }).success).toBe(false);
  });

  it('takes default options from createMixEval, which the user options override', () => {
    const benchmark = createMixEval({ options: { version: '2024-08-11', temperature: 1, max_tokens: 256 } });
    expect(benchmark.optionsSchema.parse({})).toMatchObject({
      version: '2024-08-11',
      temperature: 1,
      max_tokens: 256,
    });
    expect(benchmark.optionsSchema.parse({ max_tokens: 1024 }).max_tokens).toBe(1024);
  });
});

describe('planning', () => {
  it('asks a chat model the formated_input as one user message, greedy, 512 new tokens', async () => {
    const [sample] = await load();
    const benchmark = createMixEval();
    const options = benchmark.optionsSchema.parse({});
    expect(benchmark.doPlan(sample!, { options, backend: chatBackend })).toEqual({
      type: 'chat',
      turns: [sample!.data.formattedInput],
      parameters: { temperature: 0, maxTokens: 512 },
    });
  });

  it("gives a base model MixEval's five-shot prompt and 399 new tokens", async () => {
    const samples = await load();
    const benchmark = createMixEval();
    const options = benchmark.optionsSchema.parse({});
    const backend = {
      ...chatBackend,
      capabilities: { ...chatBackend.capabilities, chat: false, completion: true },
    };
    const freeForm = benchmark.doPlan(samples[0]!, { options, backend });
    expect(freeForm).toMatchObject({ type: 'completion', parameters: { temperature: 0, maxTokens: 399 } });
    expect(freeForm.type === 'completion' && freeForm.prompt).toMatch(
      /^Question: The volume of a cone[\s\S]*\n34\n\n\nQuestion: /,
    );
    const multipleChoice = benchmark.doPlan(samples[2000]!, { options, backend });
    expect(
      multipleChoice.type === 'completion' &&
        multipleChoice.prompt.endsWith(`${samples[2000]!.data.formattedInput}\n`),
    ).toBe(true);
  });
});

describe('judges', () => {
  it("declares MixEval's two parser roles, each defaulting to gpt-3.5-turbo-0125", () => {
    expect(DEFAULT_JUDGE_MODEL).toBe('gpt-3.5-turbo-0125');
    expect(Object.keys(mixEval.requirements.judges)).toEqual(['freeform_judge', 'multichoice_judge']);
    for (const role of Object.values(mixEval.requirements.judges))
      expect(role.defaultModel).toBe('gpt-3.5-turbo-0125');
  });

  it("reports MixEval's overall score first, then the two splits", () => {
    expect(mixEval.primaryMetric).toBe('score');
    expect(mixEval.headlineMetrics).toEqual(['score', 'score_free_form', 'score_multiple_choice']);
  });
});
