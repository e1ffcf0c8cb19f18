// Sharded runs through the built CLI: `run --shard I/N` against scripted OpenAI-compatible servers on
// 127.0.0.1 (the model, and arena_hard's judge), and `evalchemy merge` of the shards, compared with a single
// process running the same command.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFileV1, SampleRecordV1 } from '@evalchemy/core';
import {
  readResultsFile,
  readSamplesFile,
  type ScriptedReplyRequest,
  type ScriptedServer,
  startScriptedServer,
} from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun } from './__fixtures__/evalchemy-cli.js';

const digest = (text: string) => createHash('sha256').update(text).digest();
const lastUser = (request: ScriptedReplyRequest) =>
  request.messages?.filter((message) => message.role === 'user').at(-1)?.content ?? request.prompt ?? '';

/** A model whose answers differ by question: a number for gsm8k, a paragraph of varying length otherwise. */
const modelReply = (request: ScriptedReplyRequest) => {
  const bytes = digest(lastUser(request));
  return `Let me think. ${'Step. '.repeat(bytes[1]! % 7)}The answer is ${bytes[0]! % 12}.`;
};

/** arena_hard's judge: a verdict that depends on the game shown, so that the Bradley-Terry fit needs every one. */
const verdicts = ['[[A>>B]]', '[[A>B]]', '[[A=B]]', '[[B>A]]', '[[B>>A]]'];
const judgeReply = (request: ScriptedReplyRequest) =>
  `My final verdict is: ${verdicts[digest(JSON.stringify(request.messages ?? []))[0]! % verdicts.length]}`;

const tasks = 'gsm8k,arena_hard';
const limit = 20;
const shards = 3;

let model: ScriptedServer;
let judge: ScriptedServer;
beforeAll(async () => {
  model = await startScriptedServer({ reply: modelReply });
  judge = await startScriptedServer({ reply: judgeReply });
});
afterAll(async () => {
  await Promise.all([model?.close(), judge?.close()]);
});

const temporary = (name: string) => mkdtemp(join(tmpdir(), `evalchemy-shards-${name}-`));

async function run(output: string, cache: string, extra: string[] = [], runLimit = limit, runTasks = tasks) {
  const result = await evalchemy(
    openaiRun({ baseUrl: model.url, output, tasks: runTasks, limit: runLimit, extra }),
    { env: { EVALCHEMY_JUDGE_BASE_URL: judge.url, EVALCHEMY_CACHE_DIR: cache } },
  );
  return result;
}

/** Every file in `<output>/m`. */
const filesIn = async (output: string) => (await readdir(join(output, 'm'))).sort();

async function resultsNamed(
  output: string,
  pattern: RegExp,
): Promise<{ name: string; results: ResultsFileV1 }> {
  const names = (await filesIn(output)).filter((name) => pattern.test(name));
  expect(names, `one file matching ${pattern} in ${output}`).toHaveLength(1);
  return { name: names[0]!, results: await readResultsFile(join(output, 'm', names[0]!)) };
}

async function samplesOf(output: string, task: string, suffix = ''): Promise<SampleRecordV1[]> {
  const pattern = new RegExp(`^samples_${task}_[0-9T.-]+${suffix}\\.jsonl$`);
  const names = (await filesIn(output)).filter((name) => pattern.test(name));
  expect(names, `one file matching ${pattern}`).toHaveLength(1);
  return readSamplesFile(join(output, 'm', names[0]!));
}

/** What a sample record says about the sample, as a canonical string (the whole record). */
const canonical = (record: SampleRecordV1) => JSON.stringify(record);

describe('a run in 3 shards, merged', () => {
  let single: { output: string; results: ResultsFileV1 };
  let sharded: string;

  beforeAll(async () => {
    const output = await temporary('single');
    const first = await run(output, await temporary('cache'));
    expect(first.exitCode, first.stderr).toBe(0);
    single = { output, results: (await resultsNamed(output, /^results_[0-9T.-]+\.json$/)).results };

    // Each shard started on its own with the same command, in parallel, one cache each (as separate nodes).
    sharded = await temporary('sharded');
    const runs = await Promise.all(
      Array.from({ length: shards }, async (_, index) =>
        run(sharded, await temporary(`cache-${index}`), ['--shard', `${index}/${shards}`]),
      ),
    );
    for (const result of runs) expect(result.exitCode, result.stderr).toBe(0);
  }, 300_000);

  it('writes each shard its own files, with the shard and one run id derived from the command', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < shards; index += 1) {
      const suffix = `_shard-${index}-of-${shards}`;
      const { results } = await resultsNamed(sharded, new RegExp(`^results_[0-9T.-]+${suffix}\\.json$`));
      expect(results.shard).toEqual({ index, count: shards });
      expect(results.config.shard).toEqual({ index, count: shards });
      ids.add(results.run_id);
      for (const task of ['gsm8k', 'arena_hard']) {
        expect((await samplesOf(sharded, task, suffix)).length).toBe(results['n-samples'][task]!.effective);
      }
    }
    expect(ids.size).toBe(1);
    expect(single.results.shard).toBeUndefined();
  });

  it('puts every sample in exactly one shard, by expected cost, and the same shard when assigned again', async () => {
    for (const task of ['gsm8k', 'arena_hard']) {
      const all = await samplesOf(single.output, task);
      const shares = await Promise.all(
        Array.from({ length: shards }, (_, index) =>
          samplesOf(sharded, task, `_shard-${index}-of-${shards}`),
        ),
      );
      const ids = shares.flat().map((record) => `${record.index}:${record.sample_id}`);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(all.map((record) => `${record.index}:${record.sample_id}`).sort());
      for (const share of shares) expect(share.length).toBeGreaterThan(0);
    }

    // arena_hard's prompts are one user turn (and a system message): the cost each sample is given is its
    // characters. Balanced by cost, no shard exceeds another by more than the costliest sample.
    const costOf = (record: SampleRecordV1) => {
      const prompt = record.prompt as { system: string | null; turns: string[]; generations: number };
      const characters =
        (prompt.system?.length ?? 0) + prompt.turns.reduce((sum, turn) => sum + turn.length, 0);
      return characters * prompt.generations * prompt.turns.length;
    };
    const shares = await Promise.all(
      Array.from({ length: shards }, (_, index) =>
        samplesOf(sharded, 'arena_hard', `_shard-${index}-of-${shards}`),
      ),
    );
    const totals = shares.map((share) => share.reduce((sum, record) => sum + costOf(record), 0));
    const costliest = Math.max(...shares.flat().map(costOf));
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(costliest);
    // Not positions: a contiguous slice would be indices 0-6, 7-13, 14-19.
    expect(shares[0]!.map((record) => record.index)).not.toEqual([0, 1, 2, 3, 4, 5, 6]);

    // Shard 1 again, elsewhere: the same samples.
    const again = await temporary('again');
    const repeated = await run(again, await temporary('cache-again'), [
      '--num_shards',
      '3',
      '--shard_index',
      '1',
    ]);
    expect(repeated.exitCode, repeated.stderr).toBe(0);
    for (const task of ['gsm8k', 'arena_hard']) {
      // Records are written as samples finish: compared in index order.
      const idsOf = (records: SampleRecordV1[]) =>
        records.sort((left, right) => left.index - right.index).map((record) => record.sample_id);
      const first = idsOf(await samplesOf(sharded, task, '_shard-1-of-3'));
      const second = idsOf(await samplesOf(again, task, '_shard-1-of-3'));
      expect(second).toEqual(first);
    }
  }, 120_000);

  it('merges into the results and samples a single process writes, to the last digit', async () => {
    const merged = await evalchemy(['merge', sharded]);
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(merged.stderr).toContain('Merging run');
    expect(merged.stdout).toContain('arena_hard');
    const { results } = await resultsNamed(sharded, /^results_[0-9T.-]+\.json$/);

    expect(results.shard).toBeUndefined();
    expect(results.results).toEqual(single.results.results);
    expect(results['n-samples']).toEqual(single.results['n-samples']);
    expect(results.primary_metrics).toEqual(single.results.primary_metrics);
    for (const task of ['gsm8k', 'arena_hard']) {
      expect(results.tasks[task]!.identity).toBe(single.results.tasks[task]!.identity);
      const mergedRecords = await samplesOf(sharded, task);
      expect(mergedRecords.map((record) => record.index)).toEqual(mergedRecords.map((_, index) => index));
      expect(mergedRecords.map(canonical).sort()).toEqual(
        (await samplesOf(single.output, task)).map(canonical).sort(),
      );
    }
    // Every request was sent once over the shards, as by the single process.
    expect(results.usage.requests_sent).toBe(single.results.usage.requests_sent);
    expect(results.tasks.arena_hard!.judge_audit!.judge!.verdicts).toBe(
      single.results.tasks.arena_hard!.judge_audit!.judge!.verdicts,
    );
    // The corpus metric needs every sample: no shard alone has it.
    const shardScores = await Promise.all(
      Array.from({ length: shards }, async (_, index) => {
        const { results: share } = await resultsNamed(
          sharded,
          new RegExp(`^results_[0-9T.-]+_shard-${index}-of-${shards}\\.json$`),
        );
        return share.results.arena_hard?.score;
      }),
    );
    expect(shardScores).not.toContain(results.results.arena_hard!.score);
  }, 120_000);

  it('refuses to push a shard results file to the leaderboard', async () => {
    const { name } = await resultsNamed(sharded, /_shard-0-of-3\.json$/);
    const pushed = await evalchemy(['leaderboard', 'push', join(sharded, 'm', name), '--model_name', 'm'], {
      env: { EVALCHEMY_LEADERBOARD_DIR: await temporary('leaderboard') },
    });
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain('merge the shards first');
  }, 120_000);
});

describe('evalchemy merge refuses', () => {
  it('a missing shard, naming it and the folder', async () => {
    const output = await temporary('missing');
    const cache = await temporary('missing-cache');
    for (const index of [0, 2]) {
      const result = await run(
        output,
        cache,
        ['--shard', `${index}/3`, '--run_id', 'missing-one'],
        4,
        'gsm8k',
      );
      expect(result.exitCode, result.stderr).toBe(0);
    }
    const merged = await evalchemy(['merge', output]);
    expect(merged.exitCode).toBe(2);
    expect(merged.stderr).toContain('shard 1 is missing');
    expect(merged.stderr).toContain(output);
    expect((await filesIn(output)).filter((name) => /^results_[0-9T.-]+\.json$/.test(name))).toEqual([]);
  }, 120_000);

  it('shards whose task identities differ, naming the files and the task', async () => {
    const output = await temporary('mixed');
    const cache = await temporary('mixed-cache');
    const first = await run(output, cache, ['--shard', '0/2', '--run_id', 'mixed'], 4, 'gsm8k');
    const second = await run(
      output,
      cache,
      ['--shard', '1/2', '--run_id', 'mixed', '--seed', '7'],
      4,
      'gsm8k',
    );
    expect(first.exitCode, first.stderr).toBe(0);
    expect(second.exitCode, second.stderr).toBe(0);
    const merged = await evalchemy(['merge', output, '--run_id', 'mixed']);
    expect(merged.exitCode).toBe(2);
    expect(merged.stderr).toMatch(/Task gsm8k differs between the shards/);
    expect(merged.stderr).toMatch(/_shard-0-of-2\.json and .*_shard-1-of-2\.json/);
  }, 120_000);

  it('bad shard and run id flags, saying what is allowed', async () => {
    const output = await temporary('flags');
    const cases: [string[], RegExp][] = [
      [['--shard', '3/3'], /shard indices run from 0 to 2/],
      [['--shard', '0/0'], /number of shards must be at least 1/],
      [['--shard', 'two'], /--shard must be I\/N/],
      [['--shard', '1/4', '--num_shards', '4', '--shard_index', '2'], /name different shards/],
      [['--num_shards', '4'], /--num_shards needs --shard_index I/],
      [['--shard', '0/2', '--run_id', 'no spaces allowed'], /--run_id must be 1 to 64 letters/],
      [['--shard', '0/2', '--output_path', join(output, 'one.json')], /with --shard: give a folder/],
    ];
    const sentBefore = model.requestCount;
    const results = await Promise.all(cases.map(([extra]) => run(output, output, extra, 2, 'gsm8k')));
    for (const [at, result] of results.entries()) {
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(cases[at]![1]);
    }
    expect(model.requestCount).toBe(sentBefore);
  }, 120_000);
});

describe('a shard given no sample of a task', () => {
  it('runs, and its table says the task had no samples here', async () => {
    const server = await startScriptedServer({ reply: modelReply });
    try {
      const output = await temporary('empty-share');
      // One sample, two shards: shard 0 takes it.
      const result = await evalchemy(
        openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 1, extra: ['--shard', '1/2'] }),
        { env: { EVALCHEMY_CACHE_DIR: await temporary('cache-empty') } },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/\| gsm8k \| \(no samples\)\s*\|.*\| 0\/0\s*\|/);
      expect(server.requestCount).toBe(0);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('resuming a sharded run with another number of shards', () => {
  it('sends no request that a shard completed, when the cache directory is shared', async () => {
    const server = await startScriptedServer({ reply: modelReply });
    try {
      const cache = await temporary('shared-cache');
      const output = await temporary('resume');
      const runAgainst = (extra: string[]) =>
        evalchemy(openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 15, extra }), {
          env: { EVALCHEMY_CACHE_DIR: cache },
        });
      // Two shards of four ran before the job was resized.
      for (const shard of ['0/4', '2/4']) {
        const result = await runAgainst(['--shard', shard, '--run_id', 'first-try']);
        expect(result.exitCode, result.stderr).toBe(0);
      }
      const sentBefore = server.requestCount;
      expect(sentBefore).toBeGreaterThan(0);
      expect(sentBefore).toBeLessThan(15);

      for (let index = 0; index < 3; index += 1) {
        const result = await runAgainst(['--shard', `${index}/3`, '--run_id', 'second-try']);
        expect(result.exitCode, result.stderr).toBe(0);
      }
      // Each of the 15 questions was asked once in all: those the 4-shard run answered came from the cache.
      expect(server.requestCount).toBe(15);
      const merged = await evalchemy(['merge', output, '--run_id', 'second-try']);
      expect(merged.exitCode, merged.stderr).toBe(0);
      const { results } = await resultsNamed(output, /^results_[0-9T.-]+\.json$/);
      expect(results.usage).toMatchObject({ requests_sent: 15 - sentBefore, cache_hits: sentBefore });
      expect(results['n-samples'].gsm8k).toEqual({ effective: 15, scored: 15, failed: 0 });

      // Elsewhere with --output_path: <DIR>/<model>/, the same results.
      const elsewhere = await temporary('merged-elsewhere');
      const again = await evalchemy(['merge', output, '--run_id', 'second-try', '--output_path', elsewhere]);
      expect(again.exitCode, again.stderr).toBe(0);
      const copy = await resultsNamed(elsewhere, /^results_[0-9T.-]+\.json$/);
      expect(copy.results.results).toEqual(results.results);
      expect(copy.results.run_id).toBe(results.run_id);
    } finally {
      await server.close();
    }
  }, 180_000);
});

describe("a sharded run of a repeated task (AIME's 10 generations per problem)", () => {
  it('sends each generation from one shard, spreads them, and merges into what one process writes', async () => {
    // The answer depends on the generation's seed: each of a problem's generations differs.
    const server = await startScriptedServer({
      reply: (request) =>
        `So the answer is \\boxed{${digest(`${lastUser(request)}|${String(request.body.seed)}`)[0]! % 40}}.`,
    });
    try {
      const runOnce = async (output: string, extra: string[]) => {
        const result = await evalchemy(
          openaiRun({ baseUrl: server.url, output, tasks: 'aime24', limit: 6, extra }),
          { env: { EVALCHEMY_CACHE_DIR: await temporary('cache-aime') } },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        return result;
      };
      const singleOutput = await temporary('aime-single');
      await runOnce(singleOutput, []);
      const sentBySingle = server.requestCount;
      expect(sentBySingle).toBe(60);

      const output = await temporary('aime-sharded');
      const sentByShard: number[] = [];
      for (let index = 0; index < 4; index += 1) {
        const before = server.requestCount;
        const shard = await runOnce(output, ['--shard', `${index}/4`]);
        sentByShard.push(server.requestCount - before);
        expect(shard.stdout).toMatch(/\| aime24 \| \(scored by evalchemy merge\)/);
      }
      // 60 generations over 4 shards: 15 each, where whole problems (10 generations) could not do better than 20/20/10/10.
      expect(sentByShard).toEqual([15, 15, 15, 15]);
      const parts = (await samplesOf(output, 'aime24', '_shard-0-of-4'))[0]!;
      expect(parts.split?.generations.length).toBeLessThan(10);
      expect(parts.metrics).toBeUndefined();

      const merged = await evalchemy(['merge', output]);
      expect(merged.exitCode, merged.stderr).toBe(0);
      expect(merged.stderr).toContain('6 samples whose generations were split across shards, scored');
      const { results } = await resultsNamed(output, /^results_[0-9T.-]+\.json$/);
      const { results: single } = await resultsNamed(singleOutput, /^results_[0-9T.-]+\.json$/);
      expect(results.results).toEqual(single.results);
      expect(results['n-samples']).toEqual(single['n-samples']);
      expect(results.usage.requests_sent).toBe(60);
      const mergedRecords = await samplesOf(output, 'aime24');
      expect(mergedRecords.map(canonical)).toEqual(
        (await samplesOf(singleOutput, 'aime24'))
          .sort((left, right) => left.index - right.index)
          .map(canonical),
      );
      expect(new Set(mergedRecords[0]!.extracted as unknown[]).size).toBeGreaterThan(1);
    } finally {
      await server.close();
    }
  }, 180_000);
});
