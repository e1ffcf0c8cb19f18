// Every LLM-judged benchmark through the built CLI: the model and the judge are scripted OpenAI-compatible
// servers on 127.0.0.1. Each run reports what its judge did (the results' judge audit and the line after the
// table), and running the same command again answers every judge request from the response cache.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type ScriptedReplyRequest,
  type ScriptedServer,
  sharedDatasetsDirectory,
  startScriptedServer,
} from '@evalchemy/test-kit';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';

interface JudgedCase {
  task: string;
  /** The judge role whose audit is checked, and its reference model (taken for `--annotator_model auto`). */
  role: string;
  judgeModel: string;
  /** A verdict the benchmark's parser accepts. */
  verdict: (request: ScriptedReplyRequest) => string;
  /** Judge requests per sample, when fixed. */
  requestsPerSample?: number;
  /** A `--config` file's text (task options), when the case needs one. */
  config?: string;
  /** Prepares what the case needs beyond the shared datasets: its own datasets directory and config. */
  prepare?: () => Promise<{ datasetsDirectory: string; config: string }>;
  /** The primary metric the results must name. */
  primaryMetric?: string;
  /** Whether the judge compares two answers in both orders (position consistency is then audited). */
  bothOrders?: boolean;
}

const cases: JudgedCase[] = [
  {
    task: 'mtbench',
    role: 'judge',
    judgeModel: 'gpt-4',
    verdict: () => 'Rating: [[7]]',
    requestsPerSample: 2,
    primaryMetric: 'score',
  },
  {
    task: 'mtbench',
    role: 'judge',
    judgeModel: 'gpt-4',
    // Always the first answer shown: a judge whose verdict never survives the swap.
    verdict: () => 'Assistant A is better. [[A]]',
    // Two turns, each judged in both orders against gpt-3.5-turbo's answer.
    requestsPerSample: 4,
    config: 'tasks:\n  mtbench:\n    mode: pairwise-baseline\n',
    primaryMetric: 'win_rate_adjusted',
    bothOrders: true,
  },
  {
    task: 'alpaca_eval',
    role: 'judge',
    judgeModel: 'gpt-4-1106-preview',
    // One token with its top-5 logprobs: the preference comes from the probabilities of `m` and `M`.
    verdict: () => 'm',
    requestsPerSample: 1,
    primaryMetric: 'win_rate',
  },
  {
    task: 'arena_hard',
    role: 'judge',
    judgeModel: 'gpt-4-1106-preview',
    verdict: () => 'My final verdict is: [[A>B]]',
    // Two games per question: the baseline's answer first, then the model's.
    requestsPerSample: 2,
    primaryMetric: 'score',
    bothOrders: true,
  },
  {
    task: 'arena_hard',
    role: 'judge',
    // v2.0 chosen in --config alone brings v2.0's reference judge.
    judgeModel: 'gpt-4.1',
    verdict: () => 'My final verdict is: [[B>A]]',
    requestsPerSample: 2,
    config: 'tasks:\n  arena_hard:\n    version: v2.0\n',
    bothOrders: true,
  },
  {
    task: 'wildbench',
    role: 'judge',
    judgeModel: 'gpt-4-1106-preview',
    verdict: () => JSON.stringify({ strengths: 'Clear.', weaknesses: 'Short.', score: '7' }),
    requestsPerSample: 1,
    primaryMetric: 'WB_Score',
    prepare: wildBenchDatasets,
  },
  ...(['mixeval', 'mixeval_hard'] as const).map(
    (task): JudgedCase => ({
      task,
      // The first samples are free-form: MixEval's parser judge scores them in [0, 1].
      role: 'freeform_judge',
      judgeModel: 'gpt-3.5-turbo-0125',
      verdict: ({ messages = [] }) =>
        messages[0]?.content.includes('option extractor') ? '[[A]]' : 'The score is [[0.5]].',
      requestsPerSample: 1,
      primaryMetric: 'score',
    }),
  ),
];

/**
 * WildBench v2 is not in the shared datasets (only on the Hub): three synthetic conversations in the Hub's
 * parquet layout, at the offline path of `allenai/WildBench` `v2/test-00000-of-00001.parquet`, with the
 * `dataset_sha256` that an offline copy needs.
 */
async function wildBenchDatasets(): Promise<{ datasetsDirectory: string; config: string }> {
  const text = (name: string) =>
    ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
  const stringList = (name: string) =>
    [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      text('element'),
    ] as const;
  const bytes = Buffer.from(
    parquetWriteBuffer({
      schema: [
        { name: 'schema', num_children: 5 },
        text('session_id'),
        { name: 'conversation_input', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
        text('content'),
        text('role'),
        ...stringList('checklist'),
        text('primary_tag'),
        ...stringList('secondary_tags'),
      ],
      columnData: [
        { name: 'session_id', data: ['wb-cli-1', 'wb-cli-2', 'wb-cli-3'] },
        {
          name: 'conversation_input',
          data: [
            [{ content: 'Name a prime.', role: 'user' }],
            [
              { content: 'Write a haiku about rain.', role: 'user' },
              { content: 'Soft rain on the roof.', role: 'assistant' },
              { content: 'Now one about snow.', role: 'user' },
            ],
            [{ content: 'Fix: def add(a, b): return a - b', role: 'user' }],
          ],
        },
        { name: 'checklist', data: [['Is it prime?'], ['Is it about snow?'], ['Is the bug fixed?']] },
        { name: 'primary_tag', data: ['Math', 'Creative Writing', 'Coding & Debugging'] },
        { name: 'secondary_tags', data: [['Reasoning'], [], []] },
      ],
    } as Parameters<typeof parquetWriteBuffer>[0]),
  );
  const datasetsDirectory = await mkdtemp(join(tmpdir(), 'evalchemy-wildbench-data-'));
  const path = join(datasetsDirectory, 'wildbench/v2/test-00000-of-00001.parquet');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { datasetsDirectory, config: `tasks:\n  wildbench:\n    dataset_sha256: ${sha256}\n` };
}

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const limit = 3;

describe.each(cases)('$task ($primaryMetric) through the CLI with a scripted judge', (judged) => {
  it('audits its judge, and a second run re-scores from the cache without a judge request', {
    timeout: 120_000,
  }, async () => {
    const model = await startScriptedServer({
      reply: () => 'A considered answer, in two sentences. It ends here.',
    });
    const judge = await startScriptedServer({ reply: judged.verdict });
    servers.push(model, judge);
    const cache = await mkdtemp(join(tmpdir(), 'evalchemy-cache-'));
    const extra: string[] = [];
    const prepared = await judged.prepare?.();
    const configText = prepared?.config ?? judged.config;
    if (configText !== undefined) {
      const config = join(cache, 'config.yaml');
      await writeFile(config, configText);
      extra.push('--config', config);
    }
    const datasets: Record<string, string> = prepared
      ? { EVALCHEMY_DATASETS_DIR: prepared.datasetsDirectory }
      : {};
    const run = async () => {
      const output = await mkdtemp(join(tmpdir(), `evalchemy-${judged.task}-`));
      const result = await evalchemy(
        openaiRun({ baseUrl: model.url, output, tasks: judged.task, limit, extra }),
        {
          env: { EVALCHEMY_JUDGE_BASE_URL: judge.url, EVALCHEMY_CACHE_DIR: cache, ...datasets },
        },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      return { result, ...(await resultsIn(output, 'm')) };
    };

    const first = await run();
    const sent = judge.requestCount;
    expect(sent).toBeGreaterThan(0);
    if (judged.requestsPerSample !== undefined) expect(sent).toBe(limit * judged.requestsPerSample);
    const audit = first.results.tasks[judged.task]!.judge_audit![judged.role]!;
    expect(audit).toMatchObject({
      backend: 'openai',
      model_id: judged.judgeModel,
      requests_sent: sent,
      cache_hits: 0,
      unparsable_verdicts: 0,
    });
    expect(audit.verdicts).toBeGreaterThan(0);
    if (judged.primaryMetric !== undefined)
      expect(first.results.primary_metrics[judged.task]).toBe(judged.primaryMetric);
    if (judged.bothOrders) {
      expect(audit.swapped_pairs).toBeGreaterThan(0);
      expect(audit.position_consistency).toBe(audit.consistent_pairs / audit.swapped_pairs);
      expect(first.result.stdout).toContain('position consistency');
    }
    expect(audit.cost_usd).toBeGreaterThan(0);
    expect(first.result.stdout).toContain(
      `${judged.task} ${judged.role}: ${judged.judgeModel} via openai: ${sent} requests (0 from cache)`,
    );
    for (const request of judge.requests) expect(request.body.model).toBe(judged.judgeModel);

    const modelRequests = model.requestCount;
    const second = await run();
    expect(judge.requestCount).toBe(sent);
    expect(model.requestCount).toBe(modelRequests);
    expect(second.results.results[judged.task]).toEqual(first.results.results[judged.task]);
    expect(second.results.tasks[judged.task]!.judge_audit![judged.role]).toMatchObject({
      requests_sent: 0,
      cache_hits: sent,
      cost_usd: 0,
      verdicts: audit.verdicts,
    });
  });
});

describe("alpaca_eval on alpaca_eval's published claude-2.1 outputs (replay)", () => {
  it('judges the 803 pairs whose outputs differ, counts the 2 identical ones as draws, and measures the outputs as the leaderboard', {
    timeout: 300_000,
  }, async () => {
    const judge = await startScriptedServer({ reply: () => 'm', recordRequests: false });
    servers.push(judge);
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-alpaca-'));
    const outputs = join(sharedDatasetsDirectory(), 'alpacaeval/model_outputs/claude-2.1/model_outputs.json');
    const result = await evalchemy(
      [
        'run',
        '--model',
        'replay',
        '--model_args',
        `path=${outputs}`,
        '--tasks',
        'AlpacaEval',
        '--output_path',
        output,
      ],
      { env: { EVALCHEMY_JUDGE_BASE_URL: judge.url } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    // The length-controlled GLM needs alpaca_eval's instruction_difficulty.csv and df_gamed.csv, not offline here.
    expect(result.stderr).toContain('df_gamed.csv');
    const { results } = await resultsIn(output, 'claude-2.1');
    expect(judge.requestCount).toBe(803);
    // Columns of the claude-2.1 row of alpaca_eval's leaderboard that depend on the outputs alone.
    expect(results.results.alpaca_eval).toMatchObject({ n_total: 805, n_draws: 2, avg_length: 1096 });
    expect(results.results.alpaca_eval).not.toHaveProperty('length_controlled_winrate');
    expect(results.tasks.alpaca_eval!.judge_audit!.judge).toMatchObject({
      requests_sent: 803,
      verdicts: 803,
    });
  });
});
