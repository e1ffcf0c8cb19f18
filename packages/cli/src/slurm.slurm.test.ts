// evalchemy slurm against a real Slurm (tools/services-slurm.sh: Debian's slurm-wlm, slurmctld and slurmd on this
// machine): a sharded GSM8K and AIME24 run (AIME's generations split across shards) of the built CLI against the
// scripted server on 127.0.0.1 is submitted, runs as an array job, is merged (and the split samples scored) by
// the dependent merge job, and equals a single-process run of the same command; a
// shard that fails is resubmitted by "slurm status" and the merge then completes. Skipped, loudly, only when
// sbatch is missing and EVALCHEMY_REQUIRE_SLURM is not set (.ci/run sets it, so CI fails instead).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ResultsFileV1 } from '@evalchemy/core';
import { readResultsFile, type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalchemy } from './__fixtures__/evalchemy-cli.js';

const sbatchFound = spawnSync('sbatch', ['--version']).status === 0;
const required = !['', '0', 'false', undefined].includes(process.env.EVALCHEMY_REQUIRE_SLURM);
if (!sbatchFound && !required) {
  console.warn(
    '\n*** SKIPPED: slurm.slurm.test.ts needs a Slurm cluster (sbatch is not on the PATH). ' +
      'Run tools/services-slurm.sh (as root) to start a single-node Slurm here; ' +
      'EVALCHEMY_REQUIRE_SLURM=1 makes this a failure instead of a skip. ***\n',
  );
}

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const limit = 12;
// A bound, not a timing: jobs wait for the node's 2 CPUs behind whatever else CI runs; a run that never
// finishes (a drained node) fails here instead of hanging.
const jobTimeout = 600_000;

let server: ScriptedServer;
beforeAll(async () => {
  // Two answer forms, chosen by the prompt, so that strict and flexible extraction differ; the same sample gets
  // the same answer in any shard.
  server = await startScriptedServer({
    reply: ({ messages, prompt }) => {
      const text = messages?.at(-1)?.content ?? prompt ?? '';
      return text.length % 2 === 0 ? 'The answer is 18.' : 'So she makes 18 dollars.\n#### 18';
    },
  });
});
afterAll(async () => {
  await server?.close();
});

function runCommand(extraModelArgs = '', tasks = 'gsm8k'): string[] {
  return [
    'run',
    '--model',
    'openai',
    '--model_args',
    `model=m,base_url=${server.url}${extraModelArgs}`,
    '--tasks',
    tasks,
    '--limit',
    String(limit),
  ];
}

/** `evalchemy slurm status` until the run is complete or failed; every output on the way. */
async function statusUntilDone(jobDirectory: string): Promise<{ exitCode: number; outputs: string[] }> {
  const outputs: string[] = [];
  for (;;) {
    const result = await evalchemy(['slurm', 'status', '--job_dir', jobDirectory]);
    outputs.push(result.stdout + result.stderr);
    if (result.exitCode !== 8) return { exitCode: result.exitCode ?? -1, outputs };
    await sleep(2000);
  }
}

/** The results file without a shard suffix in `directory`, and the task's samples by index. */
async function mergedOutput(
  directory: string,
  task = 'gsm8k',
): Promise<{ results: ResultsFileV1; samples: Record<string, unknown>[] }> {
  const files = await readdir(directory);
  const resultsName = files.find((name) => /^results_[^_]+\.json$/.test(name));
  const samplesName = files.find((name) => new RegExp(`^samples_${task}_[^_]+\\.jsonl$`).test(name));
  expect(resultsName, `a merged results file in ${directory}: ${files.join(', ')}`).toBeDefined();
  expect(samplesName).toBeDefined();
  const samples = (await readFile(join(directory, samplesName!), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .sort((a, b) => Number(a.index) - Number(b.index));
  return { results: await readResultsFile(join(directory, resultsName!)), samples };
}

/** What a user compares between two runs: the samples' answers and scores, not their timings. */
function comparable(samples: Record<string, unknown>[]) {
  return samples.map(({ index, sample_id, target, responses, scores, metrics, status }) => ({
    index,
    sample_id,
    target,
    responses: JSON.stringify(responses, (key, value) =>
      /latency|time|duration/i.test(key) ? undefined : value,
    ),
    scores,
    metrics,
    status,
  }));
}

/**
 * An `--evalchemy` for the jobs whose first run of shard 1 gets a base URL on a port nobody listens on (its samples
 * fail, so the array task fails); every other run gets the real one.
 */
async function flakyEvalchemy(cwd: string): Promise<string> {
  const address = new URL(server.url).host;
  const wrapper = join(cwd, 'flaky-evalchemy.sh');
  await writeFile(
    wrapper,
    [
      '#!/bin/bash',
      `if [ "\${SLURM_ARRAY_TASK_ID:-}" = 1 ] && mkdir "${cwd}/shard-1-failed-once" 2>/dev/null; then`,
      `  set -- "\${@//${address}/127.0.0.1:1}"`,
      'fi',
      `exec "${process.execPath}" "${bin}" "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(wrapper, 0o755);
  return wrapper;
}

describe.skipIf(!sbatchFound && !required)('evalchemy slurm on a real Slurm', () => {
  it('has sbatch on the PATH', () => {
    const message =
      'EVALCHEMY_REQUIRE_SLURM is set but sbatch is not on the PATH: run tools/services-slurm.sh';
    expect(sbatchFound, message).toBe(true);
  });

  it(
    'runs 3 shards as an array job, merges them in the dependent job, equal to a single-process run',
    async () => {
      // AIME24's 10 generations per problem are split across the shards and scored by the merge job.
      const command = runCommand('', 'gsm8k,aime24');
      const single = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-single-'));
      const singleRun = await evalchemy([...command, '--output_path', single]);
      expect(singleRun.exitCode).toBe(0);
      const before = server.requestCount;

      const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-'));
      const submitted = await evalchemy(['slurm', 'submit', '--shards', '3', '--', ...command], { cwd });
      expect(submitted.stderr).toBe('');
      expect(submitted.exitCode).toBe(0);
      const ids = /as array job (\d+) \(tasks 0-2\), the merge as job (\d+)/.exec(submitted.stdout);
      expect(ids, submitted.stdout).not.toBeNull();
      const jobDirectory = /^Job directory: (.+)$/m.exec(submitted.stdout)![1]!;
      expect(jobDirectory.startsWith(join(cwd, 'evalchemy-slurm'))).toBe(true);

      const { exitCode, outputs } = await statusUntilDone(jobDirectory);
      expect(exitCode, outputs.at(-1)).toBe(0);
      const last = outputs.at(-1)!;
      for (const index of [0, 1, 2])
        expect(last).toMatch(new RegExp(`shard ${index} +completed +job ${ids![1]}_${index}`));
      expect(last).toMatch(new RegExp(`merge +completed +job ${ids![2]}`));
      // status without --job_dir finds the newest job directory under ./evalchemy-slurm.
      const again = await evalchemy(['slurm', 'status'], { cwd });
      expect(again.stdout).toContain(`job directory ${jobDirectory}`);
      expect(again.exitCode).toBe(0);

      // Every sample (every AIME generation) was asked once, by exactly one shard.
      expect(server.requestCount - before).toBe(limit + limit * 10);
      const resultsDirectory = join(jobDirectory, 'results', 'm');
      const shardFiles = (await readdir(resultsDirectory)).filter((name) =>
        /_shard-\d-of-3\.json$/.test(name),
      );
      expect(shardFiles).toHaveLength(3);

      const merged = await mergedOutput(resultsDirectory);
      const reference = await mergedOutput(join(single, 'm'));
      expect(merged.results.results).toEqual(reference.results.results);
      expect(merged.results['n-samples']).toEqual(reference.results['n-samples']);
      expect(merged.results['n-samples'].gsm8k).toMatchObject({ effective: limit, failed: 0 });
      expect(merged.results.tasks.gsm8k!.identity).toBe(reference.results.tasks.gsm8k!.identity);
      expect(merged.results).not.toHaveProperty('shard');
      expect(merged.results.run_id).toBe(
        /--run_id (\S+)/.exec(await readFile(join(jobDirectory, 'shards.sbatch'), 'utf8'))![1],
      );
      expect(comparable(merged.samples)).toEqual(comparable(reference.samples));
      const aime = await mergedOutput(resultsDirectory, 'aime24');
      const aimeReference = await mergedOutput(join(single, 'm'), 'aime24');
      expect(aime.samples).toHaveLength(limit);
      expect(aime.samples.some((record) => 'split' in record)).toBe(false);
      expect(aime.samples).toEqual(aimeReference.samples);
      // Both extraction filters saw answers they score differently: the comparison is not of two zeros.
      expect(
        Object.values(merged.results.results.gsm8k!).some((value) => typeof value === 'number' && value > 0),
      ).toBe(true);
    },
    jobTimeout,
  );

  it(
    'resubmits a shard that failed (its server unreachable the first time), and the merge then completes',
    async () => {
      const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-retry-'));
      const wrapper = await flakyEvalchemy(cwd);
      const before = server.requestCount;
      const submitted = await evalchemy(
        [
          'slurm',
          'submit',
          '--shards',
          '3',
          '--retries',
          '1',
          '--job_dir',
          'job',
          '--evalchemy',
          wrapper,
          '--',
          ...runCommand(',max_retries=0'),
        ],
        { cwd },
      );
      expect(submitted.exitCode, submitted.stderr).toBe(0);
      const arrayJob = /as array job (\d+)/.exec(submitted.stdout)![1]!;
      const jobDirectory = join(cwd, 'job');

      const { exitCode, outputs } = await statusUntilDone(jobDirectory);
      const all = outputs.join('\n');
      expect(exitCode, outputs.at(-1)).toBe(0);
      expect(all).toMatch(new RegExp(`shard 1 +failed +job ${arrayJob}_1 \\(FAILED`));
      const resubmission = /Resubmitted shard 1 as array job (\d+) \(--array=1\)\./.exec(all);
      expect(resubmission, all).not.toBeNull();
      const last = outputs.at(-1)!;
      expect(last).toMatch(new RegExp(`shard 1 +completed +job ${resubmission![1]}_1`));
      expect(last).toMatch(/merge +completed/);

      const state = JSON.parse(await readFile(join(jobDirectory, 'slurm-job.json'), 'utf8'));
      expect(state.attempts).toEqual([1, 2, 1]);
      // The failed attempt's files were set aside; the merge read the attempt that succeeded.
      expect(existsSync(join(jobDirectory, 'failed-attempts', `${arrayJob}_1`))).toBe(true);
      const merged = await mergedOutput(join(jobDirectory, 'results', 'm'));
      expect(merged.results['n-samples'].gsm8k).toMatchObject({ effective: limit, scored: limit, failed: 0 });
      expect(server.requestCount - before).toBe(limit);
    },
    jobTimeout,
  );

  it(
    'stops resubmitting at the retry limit, saying so, and status --retries raises it',
    async () => {
      const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-limit-'));
      const wrapper = await flakyEvalchemy(cwd);
      const submitted = await evalchemy(
        [
          'slurm',
          'submit',
          '--shards',
          '2',
          '--retries',
          '0',
          '--job_dir',
          'job',
          '--evalchemy',
          wrapper,
          '--',
        ].concat(runCommand(',max_retries=0')),
        { cwd },
      );
      expect(submitted.exitCode, submitted.stderr).toBe(0);
      const jobDirectory = join(cwd, 'job');
      const first = await statusUntilDone(jobDirectory);
      expect(first.exitCode, first.outputs.join('\n')).toBe(1);
      expect(first.outputs.at(-1)).toMatch(/shard 1 +failed/);
      expect(first.outputs.at(-1)).toContain('Shard 1 failed 1 time, the retry limit (0)');
      expect(first.outputs.join('\n')).not.toContain('Resubmitted');

      const raised = await evalchemy(['slurm', 'status', '--job_dir', jobDirectory, '--retries', '1']);
      expect(raised.stdout).toMatch(/Resubmitted shard 1 as array job \d+ \(--array=1\)\./);
      expect(raised.exitCode).toBe(8);
      const second = await statusUntilDone(jobDirectory);
      expect(second.exitCode, second.outputs.join('\n')).toBe(0);
    },
    jobTimeout,
  );

  it(
    'submits the merge job again when it was cancelled (as kill_invalid_depend does), and completes',
    async () => {
      const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-cancelled-'));
      const submitted = await evalchemy(
        ['slurm', 'submit', '--shards', '2', '--job_dir', 'job', '--', ...runCommand()],
        {
          cwd,
        },
      );
      expect(submitted.exitCode, submitted.stderr).toBe(0);
      const mergeJob = /the merge as job (\d+)/.exec(submitted.stdout)![1]!;
      expect(spawnSync('scancel', [mergeJob]).status).toBe(0);

      const { exitCode, outputs } = await statusUntilDone(join(cwd, 'job'));
      expect(exitCode, outputs.join('\n')).toBe(0);
      const resubmitted = /Submitted a new merge job (\d+)/.exec(outputs.join('\n'));
      expect(resubmitted, outputs.join('\n')).not.toBeNull();
      expect(outputs.at(-1)).toMatch(new RegExp(`merge +completed +job ${resubmitted![1]}`));
      const merged = await mergedOutput(join(cwd, 'job', 'results', 'm'));
      expect(merged.results['n-samples'].gsm8k).toMatchObject({ effective: limit, failed: 0 });
    },
    jobTimeout,
  );

  it('tells the state from the results files once Slurm has forgotten the jobs', async () => {
    const jobDirectory = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-forgotten-'));
    const runId = '0b5e1d6a-3c1f-4b7a-9e2d-5f6a7b8c9d0e';
    // Job ids far beyond any this Slurm gave out: squeue does not know them.
    const state = {
      version: 1,
      runId,
      shards: 2,
      retries: 0,
      submittedAt: new Date().toISOString(),
      workingDirectory: jobDirectory,
      arrayJobId: '99999990',
      mergeJobId: '99999991',
      shardJobs: ['99999990_0', '99999990_1'],
      attempts: [1, 1],
      resubmissions: [],
    };
    await writeFile(join(jobDirectory, 'slurm-job.json'), JSON.stringify(state));
    const results = join(jobDirectory, 'results', 'm');
    await mkdir(results, { recursive: true });
    const write = (name: string) => writeFile(join(results, name), JSON.stringify({ run_id: runId }));
    await write('results_2026-01-01T00-00-00.000_shard-0-of-2.json');

    const partial = await evalchemy(['slurm', 'status', '--job_dir', jobDirectory]);
    expect(partial.stdout).toMatch(/shard 0 +completed .*its results file is there/);
    expect(partial.stdout).toMatch(/shard 1 +failed .*it wrote no results file/);
    expect(partial.stdout).toContain('Shard 1 failed 1 time, the retry limit (0)');
    expect(partial.exitCode).toBe(1);

    await write('results_2026-01-01T00-00-00.000_shard-1-of-2.json');
    await write('results_2026-01-01T00-00-05.000.json');
    const complete = await evalchemy(['slurm', 'status', '--job_dir', jobDirectory]);
    expect(complete.stdout).toMatch(/shard 1 +completed/);
    expect(complete.stdout).toMatch(/merge +completed .*merged: .*results_2026-01-01T00-00-05\.000\.json/);
    expect(complete.exitCode).toBe(0);
  });

  it('reports sbatch refusing a job with what sbatch said', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'evalchemy-slurm-refused-'));
    const result = await evalchemy(
      ['slurm', 'submit', '--shards', '2', '--partition', 'no-such-partition', '--', ...runCommand()],
      { cwd },
    );
    expect(result.stderr).toContain("sbatch refused the shards' array job");
    expect(result.stderr).toMatch(/invalid partition/i);
    expect(result.exitCode).toBe(2);
  });
});
