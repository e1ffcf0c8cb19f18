import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDatasetsDirectory, startScriptedServer } from '@evalchemy/test-kit';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Whole entries in the response cache's journals (a line torn by the kill does not count). */
async function cachedEntries(cacheDirectory: string): Promise<number> {
  const root = join(cacheDirectory, 'responses');
  let count = 0;
  for (const journal of await readdir(root).catch(() => [] as string[])) {
    count += (await readFile(join(root, journal), 'utf8')).split('\n').length - 1;
  }
  return count;
}

describe('a run killed with SIGKILL', () => {
  it('resumes with the same command: no completed request is sent again and no result is lost', async () => {
    const server = await startScriptedServer({
      latencyMs: 250,
      reply: () => 'So the total is 18. The answer is 18.',
    });
    try {
      const cacheDirectory = await mkdtemp(join(tmpdir(), 'evalchemy-resume-cache-'));
      const output = await mkdtemp(join(tmpdir(), 'evalchemy-resume-out-'));
      const args = [
        bin,
        'run',
        '--model',
        'openai',
        '--model_args',
        `model=resumable,base_url=${server.url}`,
        '--tasks',
        'gsm8k',
        '--limit',
        '12',
        '--concurrency',
        '2',
        '--output_path',
        output,
      ];
      const env = {
        PATH: process.env.PATH ?? '',
        EVALCHEMY_DATASETS_DIR: sharedDatasetsDirectory(),
        EVALCHEMY_CACHE_DIR: cacheDirectory,
      };

      const first = execa('node', args, { extendEnv: false, env, reject: false });
      while ((await cachedEntries(cacheDirectory)) < 4)
        await new Promise((resolve) => setTimeout(resolve, 50));
      first.kill('SIGKILL');
      await first;
      const cachedAtKill = await cachedEntries(cacheDirectory);
      const sentByFirstRun = server.requestCount;
      expect(cachedAtKill).toBeGreaterThanOrEqual(4);
      expect(cachedAtKill).toBeLessThan(12);

      const second = await execa('node', args, { extendEnv: false, env, reject: false });
      expect(second.exitCode).toBe(0);
      expect(server.requestCount - sentByFirstRun).toBe(12 - cachedAtKill);
      const directory = join(output, 'resumable');
      const resultsName = (await readdir(directory)).find((name) => name.startsWith('results_'))!;
      const results = JSON.parse(await readFile(join(directory, resultsName), 'utf8'));
      expect(results['n-samples'].gsm8k).toEqual({ effective: 12, scored: 12, failed: 0 });
      expect(results.usage).toMatchObject({ requests_sent: 12 - cachedAtKill, cache_hits: cachedAtKill });
    } finally {
      await server.close();
    }
  });
});
