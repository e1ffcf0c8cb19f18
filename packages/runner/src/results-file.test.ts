import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackendCallError,
  type BackendV1,
  type BenchmarkV1,
  type DatasetFileV1,
  type GenerateRequestV1,
  type SampleScoreV1,
} from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readRunFiles } from './__fixtures__/run-files.js';
import { createDatasetResolver } from './dataset-resolver.js';
import { ResponseCache } from './response-cache.js';
import { runEvaluation } from './run-evaluation.js';
import type { RunSettings } from './run-settings.js';

const rows = ['1+1', '2+2', '3+3', '4+4'].map((question) => ({ question }));
const jsonl = `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
const jsonlSha256 = createHash('sha256').update(jsonl).digest('hex');
const dataFile: DatasetFileV1 = {
  hub: { repository: 'fixture/sums', revision: 'b'.repeat(40), path: 'data/test.jsonl' },
  offlinePath: 'sums/test.jsonl',
  sha256: jsonlSha256,
};
const silent = { info() {}, warn() {}, debug() {} };

const sumOf = (text: string) => {
  const [a, b] = (/(\d+)\+(\d+)/.exec(text) ?? []).slice(1).map(Number);
  return String((a ?? 0) + (b ?? 0));
};

/**
 * "a+b" questions read from `dataFile`: chat (exact match, then asked of each judge role whether the answer
 * is right; a failed judge call leaves its metric null) or loglikelihood (the right sum against a wrong one).
 * `failLoad` fails after resolving the file; the scorer fails on `failScoreOn`.
 */
function sumsBenchmark(
  settings: {
    id?: string;
    file?: DatasetFileV1;
    loglikelihood?: boolean;
    roles?: string[];
    failLoad?: boolean;
    failScoreOn?: string;
  } = {},
): BenchmarkV1<{ question: string }, { shots: number }> {
  const roles = settings.roles ?? [];
  const file = settings.file ?? dataFile;
  return {
    specificationVersion: 'v1',
    kind: 'benchmark',
    id: settings.id ?? 'sums',
    version: '1.2.3',
    description: 'a+b',
    optionsSchema: z.object({ shots: z.number().default(0) }),
    requirements: { judges: Object.fromEntries(roles.map((role) => [role, { defaultModel: 'judge' }])) },
    primaryMetric: 'accuracy',
    async doLoad({ datasets }) {
      if (settings.failLoad) {
        await datasets.resolve(file);
        throw new Error('the rows are malformed');
      }
      const samples = (await datasets.rows(file)).map((row, index) => ({
        id: `s${index}`,
        data: { question: String(row.question) },
        metadata: { index },
      }));
      return { size: samples.length, samples };
    },
    doPlan(sample) {
      const { question } = sample.data;
      if (settings.loglikelihood)
        return { type: 'loglikelihood', context: `${question}=`, continuations: [sumOf(question), '0'] };
      return { type: 'chat', turns: [question], parameters: { temperature: 0, maxTokens: 8 } };
    },
    async doScore(sample, responses, context) {
      if (sample.data.question === settings.failScoreOn) throw new Error('the scorer broke');
      if (responses.type === 'loglikelihood') {
        const [right, wrong] = responses.results;
        return { metrics: { accuracy: right!.logprob > wrong!.logprob ? 1 : 0 } };
      }
      const text = responses.generations[0]![0]!.text;
      const metrics: Record<string, number | null> = {
        accuracy: text === sumOf(sample.data.question) ? 1 : 0,
      };
      // Each role gives one verdict; "yes" parses, anything else does not. The grader judges as if in both
      // orders: its verdict survives the swap on samples with an even first operand.
      const judgeAudit: NonNullable<SampleScoreV1['judgeAudit']> = {};
      for (const role of roles) {
        const verdict = await context.judges[role]!.judge(
          { messages: [{ role: 'user', content: `Is ${text} right?` }], parameters: { temperature: 0 } },
          { signal: context.signal },
        ).catch(() => undefined);
        metrics[role] = verdict === undefined ? null : verdict.text === 'yes' ? 1 : 0;
        if (verdict === undefined) continue;
        judgeAudit[role] = { verdicts: 1, unparsable: verdict.text === 'yes' ? 0 : 1 };
        if (role === 'grader')
          judgeAudit[role] = {
            ...judgeAudit[role],
            swappedPairs: 1,
            consistentPairs: Number(sample.data.question.split('+')[0]) % 2 === 0 ? 1 : 0,
          };
      }
      return { metrics, extracted: text, details: { judged: roles.length }, judgeAudit };
    },
  };
}

/** An in-process model: answers "a+b" with the sum, fails where `failOn` says, and counts 5 + 1 tokens a call. */
function sumsBackend(settings: { modelId?: string; failOn?: string; verdict?: string } = {}): BackendV1 {
  const fail = (text: string) => {
    if (settings.failOn !== undefined && text.includes(settings.failOn))
      throw new BackendCallError(`no answer for ${text}`, { statusCode: 500 });
  };
  return {
    specificationVersion: 'v1',
    id: 'sums-backend',
    version: '0.0.0',
    modelId: settings.modelId ?? 'adder',
    capabilities: { chat: true, completion: false, loglikelihood: true, cacheable: true },
    async doGenerate(request: GenerateRequestV1) {
      const text = request.type === 'chat' ? request.messages.at(-1)!.content : request.prompt;
      fail(text);
      const answer = request.origin.role === undefined ? sumOf(text) : (settings.verdict ?? 'yes');
      return {
        text: answer,
        finishReason: 'stop',
        usage: { promptTokens: 5, completionTokens: 1 },
        warnings: [],
      };
    },
    async doLoglikelihood(request) {
      fail(request.context);
      const right = request.continuation === sumOf(request.context);
      return { logprob: right ? -0.5 : -3, isGreedy: right, warnings: [] };
    },
    describe: () => ({ inProcess: true }),
  };
}

async function fixtureSettings(overrides: Partial<RunSettings> = {}): Promise<RunSettings> {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-results-file-'));
  await mkdir(join(directory, 'data', 'sums'), { recursive: true });
  await writeFile(join(directory, 'data', dataFile.offlinePath), jsonl);
  return {
    backend: sumsBackend(),
    tasks: [{ benchmark: sumsBenchmark(), options: { shots: 0 } }],
    datasets: createDatasetResolver({ offlineDirectory: join(directory, 'data') }),
    outputPath: join(directory, 'out'),
    cache: new ResponseCache({ directory: join(directory, 'cache'), enabled: true }),
    concurrency: 2,
    seed: 0,
    predictOnly: false,
    effectiveConfig: { note: 'test' },
    versions: { '@evalchemy/runner': 'test' },
    log: silent,
    ...overrides,
  };
}

/** Usage of `requests` sums requests; the fixture models have no price, so a cost only when nothing was sent. */
const usage = (requests: number, cacheHits = 0, cost: number | null = requests > 0 ? null : 0) => ({
  requests_sent: requests,
  cache_hits: cacheHits,
  prompt_tokens: 5 * requests,
  completion_tokens: requests,
  cached_prompt_tokens: 0,
  cost_usd: cost,
});

describe('the results file and the samples files', () => {
  it('of a completed run with two judge roles: format, run id, and per task its identity, version, options, data files and usage by role', async () => {
    const settings = await fixtureSettings({
      tasks: [{ benchmark: sumsBenchmark({ roles: ['parser', 'grader'] }), options: { shots: 0 } }],
      judges: {
        sums: {
          parser: sumsBackend({ modelId: 'parser-model' }),
          grader: sumsBackend({ modelId: 'gpt-4-1106-preview' }),
        },
      },
    });
    const { results, samples } = await readRunFiles(await runEvaluation(settings));

    expect(results.format_version).toBe(1);
    expect(results.results.sums).toMatchObject({ accuracy: 1, parser: 1, grader: 1 });
    expect(results.tasks.sums).toEqual({
      identity: expect.stringMatching(/^[0-9a-f]{64}$/),
      version: '1.2.3',
      options: { shots: 0 },
      datasets: [
        {
          repository: 'fixture/sums',
          path: 'data/test.jsonl',
          revision: 'b'.repeat(40),
          source: 'offline',
          sha256: jsonlSha256,
        },
      ],
      usage: {
        model: usage(4),
        judge: usage(8),
        // 20 prompt tokens at $10 and 4 completion tokens at $30 per million; the parser has no price.
        judges: { parser: usage(4), grader: usage(4, 0, 0.00032) },
      },
      judge_audit: {
        parser: {
          backend: 'sums-backend',
          model_id: 'parser-model',
          ...usage(4),
          cost_usd: null,
          price: null,
          verdicts: 4,
          unparsable_verdicts: 0,
          swapped_pairs: 0,
          consistent_pairs: 0,
          position_consistency: null,
        },
        grader: {
          backend: 'sums-backend',
          model_id: 'gpt-4-1106-preview',
          ...usage(4),
          // 20 prompt tokens at $10 and 4 completion tokens at $30 per million.
          cost_usd: 0.00032,
          price: {
            input_per_million_tokens: 10,
            output_per_million_tokens: 30,
            source: 'built-in (2025-11)',
          },
          verdicts: 4,
          unparsable_verdicts: 0,
          swapped_pairs: 4,
          consistent_pairs: 2,
          position_consistency: 0.5,
        },
      },
    });
    expect(samples.sums!.find((record) => record.index === 1)!.judge_audit).toEqual({
      parser: { verdicts: 1, unparsable: 0 },
      grader: { verdicts: 1, unparsable: 0, swapped_pairs: 1, consistent_pairs: 1 },
    });
    expect(results.usage).toEqual(usage(12));
    expect(samples.sums).toHaveLength(4);
    expect(samples.sums!.find((record) => record.index === 0)).toMatchObject({
      sample_id: 's0',
      extracted: '2',
      metrics: { accuracy: 1 },
    });

    // Answered from the cache, the same run has a new run id and the same identity.
    const again = await readRunFiles(await runEvaluation(settings));
    expect(again.results.run_id).not.toBe(results.run_id);
    expect(again.results.tasks.sums!.identity).toBe(results.tasks.sums!.identity);
    expect(again.results.tasks.sums!.usage.model).toEqual({ ...usage(0), cache_hits: 4 });
    // Verdicts from the cache are audited as before; nothing was sent, so nothing was paid.
    expect(again.results.tasks.sums!.judge_audit!.grader).toMatchObject({
      requests_sent: 0,
      cache_hits: 4,
      cost_usd: 0,
      verdicts: 4,
      position_consistency: 0.5,
    });
  });

  it("hands what the benchmark's loading kept for aggregation (`loaded`) to its doAggregate", async () => {
    const sums = sumsBenchmark();
    const benchmark: typeof sums = {
      ...sums,
      doLoad: async (context) => ({ ...(await sums.doLoad(context)), loaded: { baseline: 0.25 } }),
      doAggregate: (samples, context) => ({
        above_baseline: samples.length - (context.loaded as { baseline: number }).baseline,
      }),
    };
    const settings = await fixtureSettings({ tasks: [{ benchmark, options: { shots: 0 } }] });
    const { results } = await readRunFiles(await runEvaluation(settings));
    expect(results.results.sums).toEqual({ above_baseline: 3.75 });
  });

  it("audits unparsable verdicts, and prices a judge from the run's judge_prices", async () => {
    const settings = await fixtureSettings({
      tasks: [{ benchmark: sumsBenchmark({ roles: ['judge'] }), options: { shots: 0 } }],
      judges: { sums: { judge: sumsBackend({ modelId: 'my-judge', verdict: 'perhaps' }) } },
      judgePrices: { 'my-judge': { input: 1, output: 2 } },
    });
    const { results } = await readRunFiles(await runEvaluation(settings));
    expect(results.tasks.sums!.judge_audit).toEqual({
      judge: expect.objectContaining({
        model_id: 'my-judge',
        cost_usd: 0.000028,
        price: { input_per_million_tokens: 1, output_per_million_tokens: 2, source: 'config' },
        verdicts: 4,
        unparsable_verdicts: 4,
      }),
    });
  });

  it('of a run with a failed task, a failed backend call, a failed judge call and a failed scorer', async () => {
    const settings = await fixtureSettings({
      backend: sumsBackend({ failOn: '2+2' }),
      tasks: [
        { benchmark: sumsBenchmark({ id: 'broken', failLoad: true }), options: { shots: 0 } },
        { benchmark: sumsBenchmark({ roles: ['judge'], failScoreOn: '4+4' }), options: { shots: 0 } },
      ],
      judges: { sums: { judge: sumsBackend({ failOn: 'Is 6 right' }) } },
    });
    const { results, samples } = await readRunFiles(await runEvaluation(settings));

    expect(results.task_errors).toEqual({ broken: 'Error: the rows are malformed' });
    // The data file it resolved before failing is recorded all the same.
    expect(results.tasks.broken!.datasets.map((file) => file.sha256)).toEqual([jsonlSha256]);
    expect(results['n-samples'].sums).toEqual({ effective: 4, scored: 1, failed: 3 });
    expect(results.sample_failures.sums!.failed).toBe(3);
    const records = samples.sums!.sort((a, b) => a.index - b.index);
    expect(records.map((record) => record.error)).toEqual([
      undefined,
      expect.stringContaining('no answer for 2+2'),
      expect.stringMatching(/^judge call failed: .*no answer for Is 6 right/),
      'scoring failed: Error: the scorer broke',
    ]);
    expect(records[1]!.responses).toBeUndefined();
    expect(records[2]).toMatchObject({ extracted: '6', metrics: { accuracy: 1, judge: null } });
  });

  it('of a predict-only run (no judge usage, no metrics) and of a loglikelihood task', async () => {
    const predicted = await readRunFiles(
      await runEvaluation(
        await fixtureSettings({
          tasks: [{ benchmark: sumsBenchmark({ roles: ['judge'] }), options: { shots: 0 } }],
          predictOnly: true,
        }),
      ),
    );
    expect(predicted.results.results.sums).toEqual({});
    expect(predicted.results.tasks.sums!.usage).toEqual({ model: usage(4) });
    expect(predicted.samples.sums!.find((record) => record.index === 0)).toEqual({
      task: 'sums',
      sample_id: 's0',
      index: 0,
      metadata: { index: 0 },
      prompt: {
        type: 'chat',
        system: null,
        history_messages: 0,
        turns: ['1+1'],
        parameters: { temperature: 0, maxTokens: 8 },
        generations: 1,
      },
      responses: [[{ text: '2', finish_reason: 'stop', usage: { promptTokens: 5, completionTokens: 1 } }]],
    });

    const scored = await readRunFiles(
      await runEvaluation(
        await fixtureSettings({
          tasks: [{ benchmark: sumsBenchmark({ loglikelihood: true }), options: { shots: 0 } }],
        }),
      ),
    );
    expect(scored.results.results.sums).toEqual({ accuracy: 1, accuracy_stderr: 0 });
    expect(scored.samples.sums!.find((record) => record.index === 3)).toMatchObject({
      prompt: { type: 'loglikelihood', context: '4+4=', continuations: ['8', '0'] },
      responses: [
        { logprob: -0.5, is_greedy: true },
        { logprob: -3, is_greedy: false },
      ],
    });
  });

  it('writes null for a metric that is undefined (the standard error of one sample)', async () => {
    const { results } = await readRunFiles(await runEvaluation(await fixtureSettings({ limit: 1 })));
    expect(results.results.sums).toEqual({ accuracy: 1, accuracy_stderr: null });
  });

  it('records the sha256 of a Hub file whose hash is not pinned, as downloaded', async () => {
    const hub = createServer((_, response) => response.end(jsonl));
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    try {
      const directory = await mkdtemp(join(tmpdir(), 'evalchemy-hub-cache-'));
      const settings = await fixtureSettings({
        datasets: createDatasetResolver({
          cacheDirectory: directory,
          hubEndpoint: `http://127.0.0.1:${(hub.address() as AddressInfo).port}`,
          log: silent,
        }),
      });
      const unpinned = { ...dataFile, sha256: { offline: jsonlSha256 } };
      settings.tasks = [{ benchmark: sumsBenchmark({ file: unpinned }), options: { shots: 0 } }];
      const { results } = await readRunFiles(await runEvaluation(settings));
      expect(results.tasks.sums!.datasets).toEqual([
        expect.objectContaining({ source: 'hub', sha256: jsonlSha256 }),
      ]);
    } finally {
      await new Promise((resolve) => hub.close(resolve));
    }
  });
});

describe('a task identity', () => {
  const judged = () => ({
    benchmark: sumsBenchmark({ id: 'judged', roles: ['judge'] }),
    options: { shots: 0 },
  });
  const plain = () => ({ benchmark: sumsBenchmark(), options: { shots: 0 } });
  async function identities(overrides: Partial<RunSettings> = {}): Promise<Record<string, string>> {
    const settings = await fixtureSettings({
      tasks: [plain(), judged()],
      judges: { judged: { judge: sumsBackend({ modelId: 'judge-model' }) } },
      ...overrides,
    });
    const { results } = await readRunFiles(await runEvaluation(settings));
    return Object.fromEntries(Object.entries(results.tasks).map(([task, record]) => [task, record.identity]));
  }

  it('stays the same for the same settings, and for another concurrency or output path', async () => {
    const first = await identities();
    expect(await identities()).toEqual(first);
    expect(await identities({ concurrency: 7 })).toEqual(first);
  });

  it('changes with what decides the numbers, for the tasks it concerns', async () => {
    const first = await identities();
    const changed = async (overrides: Partial<RunSettings>) => {
      const next = await identities(overrides);
      return Object.keys(first).filter((task) => next[task] !== first[task]);
    };
    expect(await changed({ limit: 3 })).toEqual(['sums', 'judged']);
    expect(await changed({ seed: 1 })).toEqual(['sums', 'judged']);
    expect(await changed({ maxTokens: 4 })).toEqual(['sums', 'judged']);
    expect(await changed({ systemInstruction: 'Be brief.' })).toEqual(['sums', 'judged']);
    expect(await changed({ tasks: [{ ...plain(), options: { shots: 1 } }, judged()] })).toEqual(['sums']);
    expect(await changed({ judges: { judged: { judge: sumsBackend({ modelId: 'other-judge' }) } } })).toEqual(
      ['judged'],
    );
    const backend = sumsBackend();
    expect(await changed({ backend, answerOptions: new Map([[backend, { context_size: 512 }]]) })).toEqual([
      'sums',
      'judged',
    ]);
  });
});

describe('cost and the --max_cost budget', () => {
  it("prices the model's requests from its backend's own price, cached prompt tokens at the cached price", async () => {
    const base = sumsBackend();
    const backend: BackendV1 = {
      ...base,
      price: { input: 2, cachedInput: 1, output: 4 },
      async doGenerate(request, options) {
        const answer = await base.doGenerate(request, options);
        return { ...answer, usage: { promptTokens: 5, completionTokens: 1, cachedPromptTokens: 2 } };
      },
    };
    const { results } = await readRunFiles(await runEvaluation(await fixtureSettings({ backend })));
    // Per request: 3 prompt tokens at $2, 2 cached at $1 and 1 completion token at $4 per million: $12e-6.
    expect(results.tasks.sums!.usage.model).toMatchObject({ cached_prompt_tokens: 8, cost_usd: 0.000048 });
    expect(results.usage.cost_usd).toBe(0.000048);
    expect(results.model.price).toEqual({
      input_per_million_tokens: 2,
      cached_input_per_million_tokens: 1,
      output_per_million_tokens: 4,
      source: 'model_args',
    });
    expect(results.budget).toBeNull();
  });

  it('sends no request that could exceed the budget, fails those samples, and a larger budget finishes from the cache', async () => {
    // Each chat request may cost 3 prompt tokens ("1+1" and its role, at 3 characters a token) and 8 completion
    // tokens at $1 per million: $11e-6; each costs $6e-6 (5 + 1 tokens). With $20e-6, the third request could
    // exceed it (12 + 11 > 20): two are sent, the other two are not.
    const backend: BackendV1 = { ...sumsBackend(), price: { input: 1, output: 1 } };
    const settings = await fixtureSettings({ backend, concurrency: 1, maxCostUsd: 0.00002 });
    const outcome = await runEvaluation(settings);
    const { results, samples } = await readRunFiles(outcome);
    expect(results.budget).toEqual({
      max_cost_usd: 0.00002,
      spent_usd: 0.000012,
      reached: true,
      requests_not_sent: 2,
    });
    expect(outcome.budget).toEqual(results.budget);
    expect(results['n-samples'].sums).toEqual({ effective: 4, scored: 2, failed: 2 });
    expect(results.sample_failures.sums!.example).toMatch(/--max_cost 0\.00002 USD/);
    expect(samples.sums!.filter((record) => record.error?.includes('budget'))).toHaveLength(2);

    const again = await readRunFiles(
      await runEvaluation({ ...settings, maxCostUsd: 1, outputPath: `${settings.outputPath}-2` }),
    );
    expect(again.results.usage).toMatchObject({ requests_sent: 2, cache_hits: 2 });
    expect(again.results.budget).toMatchObject({ reached: false, requests_not_sent: 0, spent_usd: 0.000012 });
    expect(again.results['n-samples'].sums).toEqual({ effective: 4, scored: 4, failed: 0 });
  });

  it('refuses a budget over a model without a price before anything is sent', async () => {
    const settings = await fixtureSettings({ maxCostUsd: 5 });
    await expect(runEvaluation(settings)).rejects.toThrow(
      /--max_cost needs the price of every model.*adder \(sums-backend\).*price_input=/,
    );
  });
});
