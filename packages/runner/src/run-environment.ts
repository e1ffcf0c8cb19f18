import { arch, cpus, platform, release, totalmem } from 'node:os';
import { execa } from 'execa';

/** Facts about the machine for the results file (as lm-evaluation-harness records them). */
export async function describeEnvironment(): Promise<Record<string, unknown>> {
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

async function describeGpus(): Promise<string[]> {
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

/** Commit of the git checkout the command runs in (the user's project), or null outside one. */
export async function gitCommit(directory: string): Promise<string | null> {
  const result = await execa('git', ['rev-parse', 'HEAD'], { cwd: directory, reject: false, timeout: 5000 });
  return result.exitCode === 0 && typeof result.stdout === 'string' ? result.stdout.trim() : null;
}
