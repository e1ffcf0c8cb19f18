// Everything decided before a process starts: which executable, which GPUs, how many replicas, which arguments.
// Each check fails with a ConfigurationError that says what is missing, so nothing is started in vain.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError } from '@evalchemy/core';
import type { VllmOptions } from './vllm-options.js';

/** The GPUs this process may use and where that came from. */
export interface GpuInventory {
  /** GPU ids as CUDA_VISIBLE_DEVICES takes them (indices or UUIDs). */
  gpus: string[];
  source: 'CUDA_VISIBLE_DEVICES' | 'nvidia-smi -L' | 'none';
}

/** The replicas to start: replica i runs on `groups[i]`. */
export interface ReplicaPlan {
  tensorParallelSize: number;
  dataParallelSize: number;
  groups: string[][];
}

/** Both spellings, since `--model hf` users may not know that it is this backend. */
const who = 'backend vllm (--model vllm, or --model hf)';

const installHint =
  'Install vLLM on this machine (pip install vllm, in a Python environment with CUDA), then make it findable: ' +
  'put its `vllm` on PATH, set EVALCHEMY_VLLM_BIN, or pass --model_args vllm_bin=/path/to/venv/bin/vllm.';

/**
 * The `vllm` executable: `vllm_bin`, else `EVALCHEMY_VLLM_BIN`, else `vllm` on `PATH` (all from `env`). A path
 * that does not name an executable file is a ConfigurationError that says how to install and point at vLLM.
 */
export function resolveVllmBinary(
  option: string | undefined,
  env: Record<string, string | undefined>,
): string {
  const lead = `${who} evaluates the checkpoint on this machine by starting vLLM on its GPUs, `;
  const given = option ?? (env.EVALCHEMY_VLLM_BIN || undefined);
  if (given !== undefined) {
    const where = option !== undefined ? 'vllm_bin' : 'EVALCHEMY_VLLM_BIN';
    const path = given.includes('/') ? resolve(given) : findOnPath(given, env.PATH);
    if (path === undefined || !isExecutableFile(path)) {
      throw new ConfigurationError(`${lead}but ${where}=${given} is not an executable file. ${installHint}`);
    }
    return path;
  }
  const path = findOnPath('vllm', env.PATH);
  if (path === undefined) {
    throw new ConfigurationError(`${lead}but no \`vllm\` executable is on PATH. ${installHint}`);
  }
  return path;
}

function findOnPath(name: string, pathVariable: string | undefined): string | undefined {
  for (const directory of (pathVariable ?? '').split(delimiter)) {
    if (directory === '' || !isAbsolute(directory)) continue;
    const candidate = join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The GPUs: `CUDA_VISIBLE_DEVICES` when set (as CUDA itself reads it; empty means none), else the lines of
 * `nvidia-smi -L`, else none.
 */
export function findGpus(env: Record<string, string | undefined>): GpuInventory {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) {
    return {
      gpus: visible
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '' && id !== '-1'),
      source: 'CUDA_VISIBLE_DEVICES',
    };
  }
  const listing = spawnSync('nvidia-smi', ['-L'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: env.PATH ?? '' },
  });
  if (listing.error !== undefined || listing.status !== 0) return { gpus: [], source: 'none' };
  return { gpus: parseNvidiaSmiList(listing.stdout), source: 'nvidia-smi -L' };
}

/** GPU indices from `nvidia-smi -L` (`GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)`, one line each). */
export function parseNvidiaSmiList(text: string): string[] {
  return [...text.matchAll(/^GPU (\d+):/gm)].map((match) => match[1]!);
}

/**
 * Splits the GPUs into `data_parallel_size` groups of `tensor_parallel_size` (in order: replica 0 gets the first
 * T). Too few GPUs is a ConfigurationError naming what was found and what was asked for.
 */
export function planReplicas(
  inventory: GpuInventory,
  tensorParallelSize: number,
  dataParallelSize: number | undefined,
): ReplicaPlan {
  const { gpus, source } = inventory;
  const replicas = dataParallelSize ?? Math.floor(gpus.length / tensorParallelSize);
  const needed = tensorParallelSize * Math.max(replicas, 1);
  if (replicas < 1 || gpus.length < needed) {
    const found =
      source === 'none'
        ? 'no GPU was found (CUDA_VISIBLE_DEVICES is not set and `nvidia-smi -L` did not run or listed none)'
        : `${source} gives ${gpus.length} GPU${gpus.length === 1 ? '' : 's'}${gpus.length > 0 ? ` (${gpus.join(',')})` : ''}`;
    const asked =
      dataParallelSize === undefined
        ? `tensor_parallel_size=${tensorParallelSize} needs ${tensorParallelSize}`
        : `tensor_parallel_size=${tensorParallelSize} × data_parallel_size=${dataParallelSize} needs ${needed}`;
    throw new ConfigurationError(
      `${who} runs the checkpoint with vLLM on this machine's GPUs: ${asked} GPUs, but ${found}. Nothing was started. Lower tensor_parallel_size or data_parallel_size, ` +
        'or run on a machine with NVIDIA GPUs (set CUDA_VISIBLE_DEVICES to choose them).',
    );
  }
  const groups = Array.from({ length: replicas }, (_, index) =>
    gpus.slice(index * tensorParallelSize, (index + 1) * tensorParallelSize),
  );
  return { tensorParallelSize, dataParallelSize: replicas, groups };
}

/** The arguments of `vllm` for one replica: `serve <model> --host 127.0.0.1 --port <port> …`. */
export function serveArguments(options: VllmOptions, port: number): string[] {
  return [
    'serve',
    options.model,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--tensor-parallel-size',
    String(options.tensor_parallel_size),
    ...(options.revision !== undefined ? ['--revision', options.revision] : []),
    ...(options.dtype !== undefined ? ['--dtype', options.dtype] : []),
    ...(options.max_model_len !== undefined ? ['--max-model-len', String(options.max_model_len)] : []),
    ...(options.gpu_memory_utilization !== undefined
      ? ['--gpu-memory-utilization', String(options.gpu_memory_utilization)]
      : []),
    ...(options.trust_remote_code ? ['--trust-remote-code'] : []),
    ...splitArguments(options.extra_args ?? ''),
  ];
}

/**
 * Splits a command-line fragment as a POSIX shell would, without expanding anything: whitespace separates
 * words, single quotes keep everything, double quotes keep everything but `\"` and `\\`, a backslash outside
 * quotes escapes the next character. An unclosed quote is a ConfigurationError.
 */
export function splitArguments(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end < 0) throw unclosed("'");
      word += text.slice(index + 1, end);
      inWord = true;
      index = end;
    } else if (char === '"') {
      inWord = true;
      let closed = false;
      for (index++; index < text.length; index++) {
        const inner = text[index]!;
        if (inner === '"') {
          closed = true;
          break;
        }
        if (inner === '\\' && (text[index + 1] === '"' || text[index + 1] === '\\')) {
          word += text[++index];
        } else {
          word += inner;
        }
      }
      if (!closed) throw unclosed('"');
    } else if (char === '\\' && index + 1 < text.length) {
      word += text[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function unclosed(quote: string): ConfigurationError {
  return new ConfigurationError(
    `backend vllm: extra_args has an unclosed ${quote} quote. Write the extra \`vllm serve\` arguments as on a shell command line, e.g. extra_args="--enable-prefix-caching --max-num-seqs 256".`,
  );
}
