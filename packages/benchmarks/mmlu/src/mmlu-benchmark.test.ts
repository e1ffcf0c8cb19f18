import { readFileSync } from 'node:fs';
import type { BackendCapabilitiesV1, SampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import plugin, { createMmlu, type MmluSample, parseMmluRow, VERSION } from './index.js';

const withLoglikelihood: BackendCapabilitiesV1 = {
  chat: false,
  completion: true,
  loglikelihood: true,
  cacheable: true,
};
const chatOnly: BackendCapabilitiesV1 = {
  chat: true,
  completion: false,
  loglikelihood: false,
  cacheable: true,
};

async function load(raw: Record<string, unknown> = {}): Promise<SampleV1<MmluSample>[]> {
  const benchmark = createMmlu();
  const source = await benchmark.doLoad({
    options: benchmark.optionsSchema.parse(raw),
    datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
    seed: 0,
    log: createRecordingLogger(),
  });
  return [...(source.samples as Iterable<SampleV1<MmluSample>>)];
}

runBenchmarkConformance(plugin, {
  packageJsonPath: new URL('../package.json', import.meta.url),
  options: { subjects: ['abstract_algebra', 'high_school_us_history'] },
});

describe('mmlu', () => {
  it('keeps VERSION equal to package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
  });

  it('loads all 14042 test questions of the 57 subjects, each file verified', async () => {
    const samples = await load();
    expect(samples).toHaveLength(14042);
    expect(new Set(samples.map((s) => s.data.subject)).size).toBe(57);
    expect(samples[0]?.id).toBe('abstract_algebra/0');
  });

  it('loads only the chosen subjects and rejects unknown ones', async () => {
    const samples = await load({ subjects: ['anatomy'] });
    expect(samples).toHaveLength(135);
    expect(samples[0]?.metadata).toEqual({ subject: 'anatomy', category: 'stem' });
    expect(plugin.optionsSchema.safeParse({ subjects: ['astrology'] }).success).toBe(false);
  });

  // The fixture was rendered by a Python script from lm-evaluation-harness lm_eval/tasks/mmlu/default
  // (_default_template_yaml doc_to_text through jinja2, the subject YAML's description, first_n sampler over
  // dev, target_delimiter " ", fewshot_delimiter "\n\n"), commit 4e7e0d47, on the shared CSVs.
  it('renders the 5-shot context of a subject exactly as lm-eval and scores " A"–" D"', async () => {
    const [first] = await load({ subjects: ['high_school_us_history'], num_fewshot: 5 });
    const expected = readFileSync(
      new URL('./__fixtures__/mmlu-high-school-us-history-5shot-first-test-context.txt', import.meta.url),
      'utf8',
    );
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({ num_fewshot: 5 }),
      backend: { id: 'test', modelId: 'test', capabilities: withLoglikelihood },
    });
    expect(plan).toEqual({
      type: 'loglikelihood',
      context: expected,
      continuations: [' A', ' B', ' C', ' D'],
    });
  });

  // lm-eval 0.4's `mmlu` names no num_fewshot, so it runs zero-shot: the subject's description (a system message
  // rendered without delimiter), then doc_to_text. Written out by hand from _default_template_yaml and
  // mmlu_abstract_algebra.yaml (commit 4e7e0d47) and the first row of abstract_algebra_test.csv.
  it('is zero-shot by default, as lm-eval 0.4 mmlu: the description line, the question, "Answer:"', async () => {
    expect(plugin.optionsSchema.parse({}).num_fewshot).toBe(0);
    const [first] = await load({ subjects: ['abstract_algebra'] });
    expect(first?.data.shots).toEqual([]);
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({}),
      backend: { id: 'test', modelId: 'test', capabilities: withLoglikelihood },
    });
    expect(plan).toEqual({
      type: 'loglikelihood',
      context:
        'The following are multiple choice questions (with answers) about abstract algebra.\n\n' +
        'Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\n' +
        'A. 0\nB. 4\nC. 2\nD. 6\nAnswer:',
      continuations: [' A', ' B', ' C', ' D'],
    });
  });

  it('scores the highest log-likelihood letter, and a generated letter for chat backends', async () => {
    const [first] = await load({ subjects: ['anatomy'], num_fewshot: 1 });
    const gold = first!.data.question.answer;
    const results = [0, 1, 2, 3].map((i) => ({
      logprob: i === gold ? -0.5 : -2,
      isGreedy: false,
      warnings: [],
    }));
    const right = await plugin.doScore(first!, { type: 'loglikelihood', results });
    expect(right.metrics.acc).toBe(1);
    const plan = plugin.doPlan(first!, {
      options: plugin.optionsSchema.parse({ num_fewshot: 1 }),
      backend: { id: 'test', modelId: 'test', capabilities: chatOnly },
    });
    expect(plan.type === 'chat' && plan.history?.length).toBe(2);
    const letter = 'ABCD'[gold]!;
    const generated = await plugin.doScore(first!, {
      type: 'generate',
      generations: [[{ text: `The answer is ${letter}.`, finishReason: 'stop', warnings: [] }]],
    });
    expect(generated.metrics.acc).toBe(1);
  });

  it("reports the group's accuracy also under lm-eval's keys acc,none and acc_stderr,none", async () => {
    const samples = await load({ subjects: ['anatomy', 'astronomy'] });
    const scored = samples.map((sample, index) => ({
      id: sample.id,
      metadata: sample.metadata ?? {},
      metrics: { acc: index % 3 === 0 ? 1 : 0 },
    }));
    const metrics = plugin.doAggregate(scored);
    expect(metrics['acc,none']).toEqual({ value: metrics.acc?.value });
    expect(metrics['acc_stderr,none']).toEqual({ value: metrics.acc?.stderr });
    expect(metrics.acc?.stderr).toBeGreaterThan(0);
  });

  it('reads Hub rows (choices list, answer index) like CSV rows', () => {
    const hub = parseMmluRow(
      { question: 'Q', subject: 'anatomy', choices: ['a', 'b', 'c', 'd'], answer: 2n },
      'hub',
    );
    const csv = parseMmluRow({ question: 'Q', A: 'a', B: 'b', C: 'c', D: 'd', answer: 'C' }, 'csv');
    expect(hub).toEqual(csv);
    expect(() => parseMmluRow({ question: 'Q', A: 'a', answer: 'E' }, 'csv')).toThrow(/not an MMLU row/);
  });
});
