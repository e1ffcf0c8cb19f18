// A full disk under --output_path or the response cache, and directories that cannot be created, on real
// file systems: each run ends with a message naming the path and exit code 6.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun, resultsIn } from './__fixtures__/evalchemy-cli.js';
import { mountTinyFileSystem, type TinyFileSystem } from './__fixtures__/tiny-file-system.js';

let server: ScriptedServer;
let disk: TinyFileSystem | undefined;
beforeEach(async () => {
  server = await startScriptedServer({ reply: () => 'The answer is 18.' });
});
afterEach(async () => {
  await server.close();
  await disk?.unmount();
  disk = undefined;
});

function gsm8kRun(output: string, limit: number): string[] {
  return openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit });
}

describe('a full disk', () => {
  it('under --output_path stops the run, names the file and what to do, and leaves no partial file', async ({
    skip,
  }) => {
    // 16 KiB hold about 20 of the 100 sample records (about 730 bytes each).
    disk = await mountTinyFileSystem(16, skip);
    const { path } = disk;
    const result = await evalchemy(gsm8kRun(path, 100));

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(
      `error: Could not write the samples file ${join(path, 'm', 'samples_gsm8k_')}`,
    );
    expect(result.stderr).toMatch(
      /: no space left on the device \(ENOSPC\)\. Free space there or choose another --output_path; responses received so far are cached/,
    );
    expect(result.stderr).not.toMatch(/unexpected error|node:events/);
    expect(await readdir(join(path, 'm'))).toEqual([]);
  });

  it('under the response cache lets the run finish and write its results, then exits 6', async ({ skip }) => {
    // 8 KiB hold about 30 of the 100 responses.
    disk = await mountTinyFileSystem(8, skip);
    const { path } = disk;
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(gsm8kRun(output, 100), { env: { EVALCHEMY_CACHE_DIR: path } });

    expect(result.exitCode).toBe(6);
    const cacheFailure = `Could not write the response cache ${join(path, 'responses')}: no space left on the device (ENOSPC). Set EVALCHEMY_CACHE_DIR to a writable directory with free space, or pass --no_cache`;
    expect(result.stderr).toContain(`warning: ${cacheFailure}`);
    expect(result.stderr).toMatch(
      /error: Could not write the response cache .* The results are complete \(.*results_.*\.json\)/,
    );
    const { results } = await resultsIn(output, 'm');
    expect(results['n-samples']).toEqual({ gsm8k: { effective: 100, scored: 100, failed: 0 } });
    expect(results.cache_error).toContain(cacheFailure);
    expect(server.requestCount).toBe(100);
  });
});

describe('a directory that cannot be created', () => {
  it('as --output_path (/proc/…) ends the run at once with exit 6 before any request', async () => {
    const result = await evalchemy(gsm8kRun('/proc/evalchemy-output', 5));

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(
      'error: Could not create the output directory /proc/evalchemy-output/m: the file system does not allow creating it there (ENOENT). Choose another --output_path',
    );
    expect(server.requestCount).toBe(0);
  });

  it('as the cache directory ends the run at once with exit 6 before any request', async () => {
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(gsm8kRun(output, 5), {
      env: { EVALCHEMY_CACHE_DIR: '/proc/evalchemy-cache' },
    });

    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(
      'error: Could not open the response cache /proc/evalchemy-cache/responses: the file system does not allow creating it there (ENOENT). Set EVALCHEMY_CACHE_DIR',
    );
    expect(server.requestCount).toBe(0);
  });
});
