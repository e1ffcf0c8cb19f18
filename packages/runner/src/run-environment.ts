import { existsSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import type { ResultsFileV1 } from '@evalchemy/core';
import { execa } from 'execa';

const linuxGpuDevices = ['/proc/driver/nvidia', '/dev/nvidiactl', '/dev/dxg'];

/** Facts about the machine for the results file (as lm-evaluation-harness records them). */
export async function describeEnvironment(): Promise<ResultsFileV1['environment']> {
  const processors = cpus();
  return {
    node: process.versions.node,
    os: `${platform()} ${release()} ${arch()}`,
    cpu: processors[0]?.model ?? 'unknown',
    cpu_count: processors.length,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    gpus: await describeGpus(),
  };
}

/**
 * NVIDIA GPUs as `nvidia-smi` lists them. On Linux, a machine without the NVIDIA driver (no
 * /proc/driver/nvidia, no /dev/nvidiactl, and no /dev/dxg as under WSL) has none: `nvidia-smi` is not
 * spawned there, since forking a process with a large heap blocks the event loop for tens of ms.
 */
async function describeGpus(): Promise<string[]> {
  if (platform() === 'linux' && !linuxGpuDevices.some((path) => existsSync(path))) return [];
  const result = await execa('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader'], {
    reject: false,
    timeout: 5000,
  });
  if (result.exitCode !== 0 || typeof result.stdout !== 'string') return [];
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
