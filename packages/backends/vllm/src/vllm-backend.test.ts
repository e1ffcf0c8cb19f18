// The launcher against a stand-in `vllm` (src/__fixtures__/fake-vllm.mjs, a real HTTP server speaking vLLM's
// OpenAI-compatible API) with fake GPUs through CUDA_VISIBLE_DEVICES: what starts, where its output goes, when a
// start fails and what it says, where requests go, and that stopping leaves no process behind.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, type GenerateRequestV1 } from '@evalchemy/core';
import { createRecordingLogger, runBackendConformance } from '@evalchemy/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createVllmBackend, type VllmBackend } from './vllm-backend.js';
import type { VllmOptionsInput } from './vllm-options.js';

const standIn = fileURLToPath(new URL('./__fixtures__/fake-vllm.mjs', import.meta.url));

interface Record {
  argv: string[];
  cudaVisibleDevices: string | null;
  pid: number;
  port: number;
  childPid?: number;
}

/** A private folder for a test: the run's output folder and the stand-in's record file. */
function setup(env: { [name: string]: string } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'vllm-backend-'));
  const recordFile = join(directory, 'record.jsonl');
  return {
    directory,
    env: {
      PATH: process.env.PATH ?? '',
      CUDA_VISIBLE_DEVICES: '0,1,2,3',
      FAKE_VLLM_RECORD: recordFile,
      ...env,
    },
    records(): Record[] {
      if (!existsSync(recordFile)) return [];
      return readFileSync(recordFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record);
    },
    recordFile,
  };
}

const backends: VllmBackend[] = [];
function backend(options: Partial<VllmOptionsInput>, env: { [name: string]: string | undefined }) {
  const created = createVllmBackend(
    { model: 'org/model', vllm_bin: standIn, stop_timeout_s: 1, ...options },
    { env },
  );
  backends.push(created);
  return created;
}
afterEach(async () => {
  for (const created of backends.splice(0)) await created.doStop();
});

/** Whether a process, or (negative id) any process of a group, exists. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function expectNoProcessLeft(records: Record[]) {
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) {
    expect(exists(record.pid), `replica ${record.pid}`).toBe(false);
    expect(exists(-record.pid), `process group ${record.pid}`).toBe(false);
    if (record.childPid !== undefined)
      expect(exists(record.childPid), `child ${record.childPid}`).toBe(false);
  }
}

const origin = { task: 't', sampleId: '0', turn: 0, generation: 0 };
const chat = (content: string): GenerateRequestV1 => ({
  type: 'chat',
  messages: [{ role: 'user', content }],
  parameters: { maxTokens: 8 },
  origin,
});
const signal = () => new AbortController().signal;

/** The requests each replica's log shows, in replica order. */
function requestsPerReplica(directory: string, replicas: number): number[] {
  return Array.from(
    { length: replicas },
    (_, index) =>
      readFileSync(join(directory, `vllm-replica-${index}.log`), 'utf8').match(/INFO request \//g)?.length ??
      0,
  );
}

describe('starting', () => {
  it('starts one vllm serve per group of tensor_parallel_size GPUs, each logging beside the results', async () => {
    const test = setup();
    const vllm = backend(
      { tensor_parallel_size: 2, dtype: 'bfloat16', revision: 'main', extra_args: '--enable-prefix-caching' },
      test.env,
    );
    await vllm.doStart({ signal: signal(), directory: test.directory });
    const records = test
      .records()
      .sort((a, b) => (a.cudaVisibleDevices ?? '').localeCompare(b.cudaVisibleDevices ?? ''));
    expect(records.map((record) => record.cudaVisibleDevices)).toEqual(['0,1', '2,3']);
    for (const record of records) {
      expect(record.argv).toEqual([
        'serve',
        'org/model',
        '--host',
        '127.0.0.1',
        '--port',
        String(record.port),
        '--tensor-parallel-size',
        '2',
        '--revision',
        'main',
        '--dtype',
        'bfloat16',
        '--enable-prefix-caching',
      ]);
    }
    expect(new Set(records.map((record) => record.port)).size).toBe(2);
    const description = vllm.describe();
    expect(description).toMatchObject({
      model: 'org/model',
      revision: 'main',
      tensorParallelSize: 2,
      dataParallelSize: 2,
      gpuGroups: ['0,1', '2,3'],
      vllmVersion: '0.0.0-stand-in',
      logFiles: [join(test.directory, 'vllm-replica-0.log'), join(test.directory, 'vllm-replica-1.log')],
    });
    expect(readFileSync(join(test.directory, 'vllm-replica-1.log'), 'utf8')).toContain(
      'CUDA_VISIBLE_DEVICES=2,3',
    );
    // The ports change from run to run; the endpoint (part of the response cache key) does not.
    expect(vllm.endpoint).toBe(
      'vllm://local?revision=main&dtype=bfloat16&extra_args=--enable-prefix-caching',
    );
  });

  it('waits until /health answers 200 and the model is listed before the first request', async () => {
    const test = setup({ FAKE_VLLM_HEALTHY_AFTER_MS: '1500' });
    const vllm = backend({ data_parallel_size: 1 }, test.env);
    await vllm.doStart({ signal: signal(), directory: test.directory });
    const log = readFileSync(join(test.directory, 'vllm-replica-0.log'), 'utf8');
    expect(log).toContain('GET /health 503 (loading)');
    expect(log).toContain('GET /health 200');
    const result = await vllm.doGenerate(chat('Hi'), { signal: signal() });
    expect(result.text).toBe('The answer is 42.');
  });

  it('fails at once when a replica exits early, with the last lines of its log, and leaves nothing running', async () => {
    const test = setup({
      FAKE_VLLM_EXIT: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
    });
    const vllm = backend({ tensor_parallel_size: 2 }, test.env);
    const start = vllm.doStart({ signal: signal(), directory: test.directory });
    await expect(start).rejects.toThrow(
      /vLLM replica \d \(GPUs \d,\d, port \d+\) exited before it was ready \(exit code 1\)/,
    );
    await expect(start).rejects.toThrow(
      /Last lines of .*vllm-replica-\d\.log:\n[\s\S]*\n {2}ERROR torch\.OutOfMemoryError: CUDA out of memory/,
    );
    expectNoProcessLeft(test.records());
    await vllm.doStop();
  });

  it('fails after startup_timeout_s naming the log, and stops the replicas it started', async () => {
    const test = setup({ FAKE_VLLM_HEALTHY_AFTER_MS: '3600000', FAKE_VLLM_CHILD: '1' });
    const vllm = backend({ startup_timeout_s: 1 }, test.env);
    await expect(vllm.doStart({ signal: signal(), directory: test.directory })).rejects.toThrow(
      /was not ready after startup_timeout_s=1 \(no 200 from \/health with org\/model listed on \/v1\/models\)\. Its output is in .*vllm-replica-\d\.log/,
    );
    expect(test.records()).toHaveLength(4);
    expectNoProcessLeft(test.records());
  });

  it('stops everything started so far when the run is aborted during the start', async () => {
    const test = setup({ FAKE_VLLM_HEALTHY_AFTER_MS: '3600000', FAKE_VLLM_CHILD: '1' });
    const vllm = backend({ tensor_parallel_size: 2 }, test.env);
    const controller = new AbortController();
    const start = vllm.doStart({ signal: controller.signal, directory: test.directory });
    while (test.records().length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('Ctrl-C'));
    await expect(start).rejects.toThrow('Ctrl-C');
    expectNoProcessLeft(test.records());
  });

  it('starts nothing when vllm is missing or the GPUs are too few', () => {
    const test = setup();
    expect(() =>
      createVllmBackend({ pretrained: 'org/model' }, { env: { ...test.env, PATH: tmpdir() } }),
    ).toThrow(/no `vllm` executable is on PATH.*pip install vllm/);
    expect(() =>
      createVllmBackend(
        { model: 'org/model', vllm_bin: standIn, tensor_parallel_size: 8 },
        { env: test.env },
      ),
    ).toThrow(ConfigurationError);
    expect(existsSync(test.recordFile)).toBe(false);
  });
});

describe('requests', () => {
  it('go to the replica with the fewest requests in flight', async () => {
    // Replica 0 (GPUs 0,1) answers after 1.5 s, replica 1 at once.
    const test = setup({ FAKE_VLLM_ANSWER_MS: '1500', FAKE_VLLM_SLOW_GPUS: '0,1' });
    const vllm = backend({ tensor_parallel_size: 2 }, test.env);
    await vllm.doStart({ signal: signal(), directory: test.directory });
    const slow = vllm.doGenerate(chat('first'), { signal: signal() });
    for (let index = 0; index < 5; index++)
      await vllm.doGenerate(chat(`next ${index}`), { signal: signal() });
    expect(requestsPerReplica(test.directory, 2)).toEqual([1, 5]);
    await slow;
    // With none in flight, requests take turns.
    for (let index = 0; index < 4; index++)
      await vllm.doGenerate(chat(`turn ${index}`), { signal: signal() });
    expect(requestsPerReplica(test.directory, 2)).toEqual([3, 7]);
  });

  it('spread concurrent requests evenly, and serve completions and loglikelihood too', async () => {
    const test = setup({ FAKE_VLLM_ANSWER_MS: '200' });
    const vllm = backend({ tensor_parallel_size: 1 }, test.env);
    await vllm.doStart({ signal: signal(), directory: test.directory });
    await Promise.all(
      Array.from({ length: 8 }, (_, index) => vllm.doGenerate(chat(`q${index}`), { signal: signal() })),
    );
    expect(requestsPerReplica(test.directory, 4)).toEqual([2, 2, 2, 2]);
    const completion = await vllm.doGenerate(
      { type: 'completion', prompt: 'Q: 6 × 7?\nA:', parameters: { maxTokens: 8 }, origin },
      { signal: signal() },
    );
    expect(completion.text).toBe(' The answer is 42.');
    const scored = await vllm.doLoglikelihood(
      { type: 'loglikelihood', context: 'The capital of France is', continuation: ' Paris', origin },
      { signal: signal() },
    );
    expect(scored).toMatchObject({ logprob: -0.5, isGreedy: true });
  });

  it('leave out a replica that died while serving, with a warning that shows the end of its log', async () => {
    const test = setup();
    const log = createRecordingLogger();
    const vllm = createVllmBackend(
      { model: 'org/model', vllm_bin: standIn, stop_timeout_s: 1, tensor_parallel_size: 2 },
      { env: test.env, log },
    );
    backends.push(vllm);
    await vllm.doStart({ signal: signal(), directory: test.directory });
    const dead = test.records().find((record) => record.cudaVisibleDevices === '0,1')!;
    process.kill(-dead.pid, 'SIGKILL');
    while (!log.lines.some((line) => line.level === 'warn'))
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.lines.find((line) => line.level === 'warn')?.message).toMatch(
      /vLLM replica 0 \(GPUs 0,1\) exited while serving \(ended by SIGKILL\); its requests go to the other replicas\. Last lines of .*vllm-replica-0\.log:\n {2}INFO vLLM API server version/,
    );
    for (let index = 0; index < 3; index++) {
      expect((await vllm.doGenerate(chat(`after ${index}`), { signal: signal() })).text).toBe(
        'The answer is 42.',
      );
    }
    expect(requestsPerReplica(test.directory, 2)).toEqual([0, 3]);
  });

  it('with api=completions, the backend offers no chat to benchmarks', () => {
    const test = setup();
    const vllm = backend({ api: 'completions' }, test.env);
    expect(vllm.capabilities).toMatchObject({ chat: false, completion: true, loglikelihood: true });
    expect(backend({ api: 'chat', batch_size: '8' }, test.env).capabilities).toMatchObject({
      chat: true,
      completion: false,
      loglikelihood: false,
      maxConcurrency: 8,
    });
  });
});

describe('stopping', () => {
  it('ends every replica and every process of its group, including a child that ignores SIGTERM', async () => {
    const test = setup({ FAKE_VLLM_CHILD: '1' });
    const vllm = backend({ tensor_parallel_size: 2 }, test.env);
    await vllm.doStart({ signal: signal(), directory: test.directory });
    const records = test.records();
    expect(records.every((record) => record.childPid !== undefined && exists(record.childPid))).toBe(true);
    await vllm.doStop();
    expectNoProcessLeft(records);
    await vllm.doStop();
  });

  it('kills a replica that ignores SIGTERM after the grace period', async () => {
    const test = setup({ FAKE_VLLM_IGNORE_TERM: '1' });
    const vllm = backend({ tensor_parallel_size: 4 }, test.env);
    await vllm.doStart({ signal: signal(), directory: test.directory });
    await vllm.doStop();
    expect(readFileSync(join(test.directory, 'vllm-replica-0.log'), 'utf8')).toContain('ignoring SIGTERM');
    expectNoProcessLeft(test.records());
  });

  it('never puts a key of the environment in describe() or sends it to the replicas', async () => {
    const test = setup({ OPENAI_API_KEY: 'sk-secret-openai-key-1234', HF_TOKEN: 'hf_secretsecretsecret' });
    const vllm = backend({ data_parallel_size: 1 }, test.env);
    await vllm.doStart({ signal: signal(), directory: test.directory });
    await vllm.doGenerate(chat('Hi'), { signal: signal() });
    const text = JSON.stringify(vllm.describe()) + vllm.endpoint;
    expect(text).not.toContain('sk-secret');
    expect(text).not.toContain('hf_secret');
    const log = readFileSync(join(test.directory, 'vllm-replica-0.log'), 'utf8');
    expect(log).toContain('INFO request /v1/chat/completions');
    expect(log).not.toContain('sk-secret');
  });
});

runBackendConformance({
  name: 'backend-vllm',
  createBackend: () =>
    createVllmBackend(
      { model: 'org/model', vllm_bin: standIn, data_parallel_size: 1, stop_timeout_s: 1 },
      { env: { PATH: process.env.PATH ?? '', CUDA_VISIBLE_DEVICES: '0' } },
    ),
  expectLoglikelihood: true,
});
