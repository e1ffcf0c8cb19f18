// What is decided before anything starts: options (vLLM's names, the `--model hf` spellings), the `vllm serve`
// arguments, the GPU groups, and the messages for a missing vLLM or too few GPUs.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, parsePluginOptions } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import vllmProvider from './index.js';
import { type VllmOptions, vllmOptionsSchema } from './vllm-options.js';
import {
  findGpus,
  parseNvidiaSmiList,
  planReplicas,
  resolveVllmBinary,
  serveArguments,
  splitArguments,
} from './vllm-plan.js';

const parse = (raw: Record<string, unknown>) =>
  parsePluginOptions(vllmOptionsSchema, raw, 'backend vllm') as VllmOptions;

function executable(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

describe('options', () => {
  it('read pretrained as model and batch_size as concurrency, so both spellings are one setup', () => {
    const hf = parse({ pretrained: 'org/name', batch_size: '16' });
    const vllm = parse({ model: 'org/name', concurrency: '16' });
    expect(hf).toEqual(vllm);
    expect(hf.model).toBe('org/name');
    expect(hf.concurrency).toBe(16);
    expect('pretrained' in hf).toBe(false);
    expect(parse({ pretrained: 'org/name', batch_size: 'auto' }).concurrency).toBeUndefined();
  });

  it("read lm-evaluation-harness's num_concurrent as concurrency and timeout (seconds) as timeout_ms", () => {
    const harness = parse({
      pretrained: 'org/name',
      num_concurrent: '8',
      timeout: '30',
      tokenized_requests: 'False',
    });
    expect(harness).toMatchObject({
      model: 'org/name',
      concurrency: 8,
      timeout_ms: 30_000,
      tokenized_requests: false,
    });
    expect('num_concurrent' in harness || 'timeout' in harness).toBe(false);
    expect(parse({ model: 'm' }).timeout_ms).toBe(600_000);
    expect(() => parse({ model: 'm', concurrency: '2', num_concurrent: '3' })).toThrow(
      /give one of concurrency/,
    );
  });

  it('have vLLM defaults and coerce strings', () => {
    const options = parse({ model: 'm', trust_remote_code: 'false', max_model_len: '4096' });
    expect(options).toMatchObject({
      tensor_parallel_size: 1,
      startup_timeout_s: 1200,
      trust_remote_code: false,
      max_model_len: 4096,
      api: 'auto',
    });
    expect(options.data_parallel_size).toBeUndefined();
    expect(parse({ model: 'm', trust_remote_code: 'true' }).trust_remote_code).toBe(true);
  });

  it('need the checkpoint, once, and name unknown keys with the accepted ones', () => {
    expect(() => parse({})).toThrow(
      /model: give the checkpoint as model=ORG\/NAME \(or pretrained=ORG\/NAME\)/,
    );
    expect(() => parse({ model: 'a', pretrained: 'a' })).toThrow(/either model or pretrained, not both/);
    expect(() => parse({ model: 'a', tensor_parallel: '2' })).toThrow(
      /unknown option "tensor_parallel".*tensor_parallel_size/,
    );
  });

  it('keep the launch settings that change answers in the results identity, and nothing else', () => {
    const neutral = new Set<string>(vllmProvider.answerNeutralOptions);
    for (const option of [
      'model',
      'revision',
      'dtype',
      'max_model_len',
      'trust_remote_code',
      'extra_args',
      'api',
    ])
      expect(neutral.has(option), option).toBe(false);
    for (const option of [
      'vllm_bin',
      'tensor_parallel_size',
      'data_parallel_size',
      'gpu_memory_utilization',
      'concurrency',
      'batch_size',
      'startup_timeout_s',
      'max_retries',
      'timeout_ms',
      'price_input',
      'requests_per_minute',
    ])
      expect(neutral.has(option), option).toBe(true);
  });
});

describe('vllm serve arguments', () => {
  it('map each option to its vLLM flag, after serve <model> --host 127.0.0.1 --port', () => {
    const options = parse({
      pretrained: 'meta-llama/Meta-Llama-3-8B-Instruct',
      revision: 'e1945c4',
      tensor_parallel_size: '2',
      dtype: 'bfloat16',
      max_model_len: '8192',
      gpu_memory_utilization: '0.85',
      trust_remote_code: 'true',
      extra_args: `--enable-prefix-caching --max-num-seqs 256 --chat-template '/tmp/my template.jinja'`,
    });
    expect(serveArguments(options, 8123)).toEqual([
      'serve',
      'meta-llama/Meta-Llama-3-8B-Instruct',
      '--host',
      '127.0.0.1',
      '--port',
      '8123',
      '--tensor-parallel-size',
      '2',
      '--revision',
      'e1945c4',
      '--dtype',
      'bfloat16',
      '--max-model-len',
      '8192',
      '--gpu-memory-utilization',
      '0.85',
      '--trust-remote-code',
      '--enable-prefix-caching',
      '--max-num-seqs',
      '256',
      '--chat-template',
      '/tmp/my template.jinja',
    ]);
    expect(serveArguments(parse({ model: 'm' }), 1)).toEqual([
      'serve',
      'm',
      '--host',
      '127.0.0.1',
      '--port',
      '1',
      '--tensor-parallel-size',
      '1',
    ]);
  });

  it('split extra_args like a shell, without expanding anything', () => {
    expect(splitArguments(`  a "b c" 'd "e"' f\\ g "h \\"i\\"" $HOME  `)).toEqual([
      'a',
      'b c',
      'd "e"',
      'f g',
      'h "i"',
      '$HOME',
    ]);
    expect(splitArguments('')).toEqual([]);
    expect(() => splitArguments('--x "open')).toThrow(/extra_args has an unclosed " quote/);
  });
});

describe('GPU groups', () => {
  const visible = (ids: string) => findGpus({ CUDA_VISIBLE_DEVICES: ids });

  it('give each replica its own consecutive group of tensor_parallel_size GPUs', () => {
    expect(planReplicas(visible('0,1,2,3'), 2, undefined)).toEqual({
      tensorParallelSize: 2,
      dataParallelSize: 2,
      groups: [
        ['0', '1'],
        ['2', '3'],
      ],
    });
    expect(planReplicas(visible('4,5,6,7'), 1, undefined).groups).toEqual([['4'], ['5'], ['6'], ['7']]);
    // As many replicas as fit: 3 GPUs of 4 are used with T=3, and D=1 leaves the rest idle.
    expect(planReplicas(visible('0,1,2,3'), 3, undefined).groups).toEqual([['0', '1', '2']]);
    expect(planReplicas(visible('0,1,2,3'), 2, 1).groups).toEqual([['0', '1']]);
    expect(planReplicas(visible('GPU-aa, GPU-bb'), 1, undefined).groups).toEqual([['GPU-aa'], ['GPU-bb']]);
  });

  it('fail before anything starts with too few GPUs, saying what was found and what was asked', () => {
    expect(() => planReplicas(visible('0,1,2,3'), 2, 3)).toThrow(ConfigurationError);
    expect(() => planReplicas(visible('0,1,2,3'), 2, 3)).toThrow(
      'tensor_parallel_size=2 × data_parallel_size=3 needs 6 GPUs, but CUDA_VISIBLE_DEVICES gives 4 GPUs (0,1,2,3). Nothing was started.',
    );
    expect(() => planReplicas(visible('0'), 2, undefined)).toThrow(
      'tensor_parallel_size=2 needs 2 GPUs, but CUDA_VISIBLE_DEVICES gives 1 GPU (0)',
    );
    expect(() => planReplicas(visible(''), 1, undefined)).toThrow('CUDA_VISIBLE_DEVICES gives 0 GPUs');
    expect(() => planReplicas({ gpus: [], source: 'none' }, 1, undefined)).toThrow(
      /no GPU was found \(CUDA_VISIBLE_DEVICES is not set and `nvidia-smi -L` did not run or listed none\)/,
    );
  });

  it('come from nvidia-smi -L when CUDA_VISIBLE_DEVICES is not set', () => {
    const bin = mkdtempSync(join(tmpdir(), 'vllm-nvidia-smi-'));
    executable(
      bin,
      'nvidia-smi',
      '#!/bin/sh\necho "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0a)"\necho "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-0b)"\n',
    );
    expect(findGpus({ PATH: bin })).toEqual({ gpus: ['0', '1'], source: 'nvidia-smi -L' });
    expect(findGpus({ PATH: mkdtempSync(join(tmpdir(), 'vllm-empty-')) })).toEqual({
      gpus: [],
      source: 'none',
    });
    expect(parseNvidiaSmiList('GPU 3: A100\nMIG 1g.10gb Device 0\nGPU 12: A100\n')).toEqual(['3', '12']);
  });
});

describe('the vllm executable', () => {
  const bin = mkdtempSync(join(tmpdir(), 'vllm-bin-'));
  const vllm = executable(bin, 'vllm', '#!/bin/sh\n');
  const other = executable(bin, 'my-vllm', '#!/bin/sh\n');

  it('is vllm_bin, else EVALCHEMY_VLLM_BIN, else vllm on PATH', () => {
    expect(resolveVllmBinary(undefined, { PATH: `/nonexistent:${bin}` })).toBe(vllm);
    expect(resolveVllmBinary(undefined, { PATH: bin, EVALCHEMY_VLLM_BIN: other })).toBe(other);
    expect(resolveVllmBinary(other, { PATH: bin, EVALCHEMY_VLLM_BIN: vllm })).toBe(other);
  });

  it('when missing, fails saying that --model hf runs vLLM here, how to install it and how to point at it', () => {
    const attempt = () => resolveVllmBinary(undefined, { PATH: tmpdir() });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(
      /backend vllm \(--model vllm, or --model hf\) evaluates the checkpoint on this machine by starting vLLM on its GPUs, but no `vllm` executable is on PATH\. .*pip install vllm.*EVALCHEMY_VLLM_BIN.*vllm_bin=\/path\/to\/venv\/bin\/vllm/,
    );
    expect(() => resolveVllmBinary(join(bin, 'nope'), { PATH: bin })).toThrow(
      `but vllm_bin=${join(bin, 'nope')} is not an executable file`,
    );
  });
});
