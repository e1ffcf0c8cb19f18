// Issue 14's vLLM launcher through the built CLI, as a user on a GPU node types it: `--model vllm` with tensor and
// data parallel replicas, `--model hf --model_args pretrained=…`, the message when vLLM is missing, and no process
// of the launcher left when evalchemy is stopped with SIGTERM or SIGINT mid-run. `vllm` is the backend's stand-in
// (packages/backends/vllm/src/__fixtures__/fake-vllm.mjs: vLLM's arguments and API, no GPU); the GPUs are fake,
// through CUDA_VISIBLE_DEVICES.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evalchemy, resultsIn } from './__fixtures__/evalchemy-cli.js';

const standIn = fileURLToPath(new URL('../../backends/vllm/src/__fixtures__/fake-vllm.mjs', import.meta.url));

interface LaunchRecord {
  argv: string[];
  cudaVisibleDevices: string | null;
  pid: number;
  childPid?: number;
}

async function workspace() {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-vllm-'));
  const recordFile = join(directory, 'launched.jsonl');
  return {
    output: join(directory, 'results'),
    recordFile,
    records(): LaunchRecord[] {
      if (!existsSync(recordFile)) return [];
      return readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LaunchRecord);
    },
  };
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Every replica, its process group and its child are gone. */
function expectNoLauncherProcessLeft(records: LaunchRecord[]) {
  expect(records.length).toBeGreaterThan(0);
  for (const { pid, childPid } of records) {
    expect(exists(pid), `replica ${pid}`).toBe(false);
    expect(exists(-pid), `process group ${pid}`).toBe(false);
    if (childPid !== undefined) expect(exists(childPid), `child ${childPid} of replica ${pid}`).toBe(false);
  }
}

const requestsIn = (log: string) => log.match(/INFO request \/v1\//g)?.length ?? 0;

describe('evalchemy run --model vllm', () => {
  it('starts a replica per GPU group, answers every sample through them, and writes their logs beside the results', async () => {
    const test = await workspace();
    const result = await evalchemy(
      [
        'run',
        '--model',
        'vllm',
        '--model_args',
        `model=org/checkpoint,vllm_bin=${standIn},tensor_parallel_size=2,dtype=bfloat16`,
        '--tasks',
        'gsm8k',
        '--limit',
        '6',
        '--output_path',
        test.output,
      ],
      {
        env: {
          CUDA_VISIBLE_DEVICES: '0,1,2,3',
          FAKE_VLLM_RECORD: test.recordFile,
          FAKE_VLLM_ANSWER_MS: '100',
        },
      },
    );
    expect(result.stderr).toContain(
      'vLLM: starting 2 replicas of org/checkpoint (tensor_parallel_size=2; GPUs 0,1 | 2,3)',
    );
    expect(result.exitCode).toBe(0);

    const records = test.records();
    expect(records.map((record) => record.cudaVisibleDevices).sort()).toEqual(['0,1', '2,3']);
    for (const record of records) {
      expect(record.argv.slice(0, 4)).toEqual(['serve', 'org/checkpoint', '--host', '127.0.0.1']);
      expect(record.argv).toContain('--tensor-parallel-size');
      expect(record.argv.slice(-2)).toEqual(['--dtype', 'bfloat16']);
    }

    const { results, files } = await resultsIn(test.output, 'org__checkpoint');
    expect(results['n-samples'].gsm8k).toMatchObject({ effective: 6, scored: 6, failed: 0 });
    expect(results.tasks.gsm8k?.usage.model).toMatchObject({ requests_sent: 6 });
    expect(files).toEqual(expect.arrayContaining(['vllm-replica-0.log', 'vllm-replica-1.log']));
    const perReplica = [0, 1].map((index) =>
      requestsIn(readFileSync(join(test.output, 'org__checkpoint', `vllm-replica-${index}.log`), 'utf8')),
    );
    expect(perReplica[0]! + perReplica[1]!).toBe(6);
    expect(perReplica.every((count) => count > 0)).toBe(true);
    expect(results.model).toMatchObject({
      backend: 'vllm',
      model_id: 'org/checkpoint',
      info: { tensorParallelSize: 2, dataParallelSize: 2, gpuGroups: ['0,1', '2,3'] },
    });
    expectNoLauncherProcessLeft(records);
  });

  it('runs --model hf --model_args pretrained=… with the same launcher', async () => {
    const test = await workspace();
    const result = await evalchemy(
      [
        'run',
        '--model',
        'hf',
        '--model_args',
        `pretrained=org/checkpoint,revision=v1,batch_size=auto,vllm_bin=${standIn}`,
        '--tasks',
        'gsm8k',
        '--limit',
        '2',
        '--output_path',
        test.output,
      ],
      { env: { CUDA_VISIBLE_DEVICES: '3', FAKE_VLLM_RECORD: test.recordFile } },
    );
    expect(result.exitCode).toBe(0);
    expect(test.records()).toMatchObject([
      {
        argv: [
          'serve',
          'org/checkpoint',
          '--host',
          '127.0.0.1',
          '--port',
          expect.any(String),
          '--tensor-parallel-size',
          '1',
          '--revision',
          'v1',
        ],
        cudaVisibleDevices: '3',
      },
    ]);
    const { results } = await resultsIn(test.output, 'org__checkpoint');
    expect(results.model).toMatchObject({ backend: 'vllm', info: { revision: 'v1' } });
    expectNoLauncherProcessLeft(test.records());
  });

  it('says what to install when vLLM is not there, and starts nothing', async () => {
    const test = await workspace();
    const result = await evalchemy(
      [
        'run',
        '--model',
        'hf',
        '--model_args',
        'pretrained=org/checkpoint',
        '--tasks',
        'gsm8k',
        '--output_path',
        test.output,
      ],
      { env: { CUDA_VISIBLE_DEVICES: '0', FAKE_VLLM_RECORD: test.recordFile } },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      '--model hf) evaluates the checkpoint on this machine by starting vLLM on its GPUs',
    );
    expect(result.stderr).toContain('pip install vllm');
    expect(result.stderr).toContain('vllm_bin=');
    expect(existsSync(test.recordFile)).toBe(false);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    'stopped with %s mid-run, leaves no process of the launcher (exit %i)',
    async (signal, code) => {
      const test = await workspace();
      const run = evalchemy(
        [
          'run',
          '--model',
          'vllm',
          '--model_args',
          `model=org/checkpoint,vllm_bin=${standIn},stop_timeout_s=2`,
          '--tasks',
          'gsm8k',
          '--limit',
          '8',
          '--output_path',
          test.output,
        ],
        {
          env: {
            CUDA_VISIBLE_DEVICES: '0,1',
            FAKE_VLLM_RECORD: test.recordFile,
            // Each answer takes 10 minutes: the run is mid-way when the signal comes. Each replica has a child that
            // ignores SIGTERM, so only a kill of the whole group ends it.
            FAKE_VLLM_ANSWER_MS: '600000',
            FAKE_VLLM_CHILD: '1',
          },
        },
      );
      const logs = [0, 1].map((index) => join(test.output, 'org__checkpoint', `vllm-replica-${index}.log`));
      const requested = () =>
        logs.every((log) => existsSync(log) && requestsIn(readFileSync(log, 'utf8')) > 0);
      while (!requested()) await new Promise((resolve) => setTimeout(resolve, 50));
      const records = test.records();
      expect(records).toHaveLength(2);
      expect(records.every(({ childPid }) => childPid !== undefined && exists(childPid))).toBe(true);

      // process.kill, not run.kill: execa's kill would add its own SIGKILL after 5 s.
      process.kill(run.pid!, signal);
      const result = await run;
      expect(result.exitCode).toBe(code);
      expectNoLauncherProcessLeft(records);
    },
  );

  it('a second Ctrl-C exits at once, and the exit hook still kills every replica group', async () => {
    const test = await workspace();
    const run = evalchemy(
      [
        'run',
        '--model',
        'vllm',
        '--model_args',
        `model=org/checkpoint,vllm_bin=${standIn}`,
        '--tasks',
        'gsm8k',
        '--limit',
        '4',
        '--output_path',
        test.output,
      ],
      {
        env: {
          CUDA_VISIBLE_DEVICES: '0,1',
          FAKE_VLLM_RECORD: test.recordFile,
          FAKE_VLLM_ANSWER_MS: '600000',
          FAKE_VLLM_CHILD: '1',
        },
      },
    );
    while (test.records().length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    const log = join(test.output, 'org__checkpoint', 'vllm-replica-0.log');
    while (!(existsSync(log) && requestsIn(readFileSync(log, 'utf8')) > 0))
      await new Promise((resolve) => setTimeout(resolve, 50));
    // The first SIGINT starts an orderly stop (its children ignore SIGTERM: a 10 s grace); the second exits now.
    process.kill(run.pid!, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(run.pid!, 'SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    const records = test.records();
    // SIGKILLed processes whose parent is gone are reaped by init, which may take a moment.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (
        records.every(({ pid, childPid }) => !exists(-pid) && (childPid === undefined || !exists(childPid)))
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expectNoLauncherProcessLeft(records);
  });
});
