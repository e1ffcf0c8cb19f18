// A run whose output disk fills up while generated code runs in Docker: it fails with a StorageError and
// removes its containers.
import { StorageError } from '@evalchemy/core';
import { runEvaluation } from '@evalchemy/runner';
import { createDockerSandbox, runLabel } from '@evalchemy/sandbox-docker';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { createArithmeticBenchmark } from './__fixtures__/arithmetic-benchmark.js';
import { settingsFor } from './__fixtures__/run-settings.js';
import { mountTinyFileSystem, type TinyFileSystem } from './__fixtures__/tiny-file-system.js';

let server: ScriptedServer | undefined;
let disk: TinyFileSystem | undefined;
afterEach(async () => {
  await server?.close();
  await disk?.unmount();
  server = undefined;
  disk = undefined;
});

describe('a full output disk during a run with the docker sandbox', () => {
  it('stops the run with a StorageError naming the samples file and removes every container', async ({
    skip,
  }) => {
    disk = await mountTinyFileSystem(4, skip);
    server = await startScriptedServer({ reply: () => '10' });
    const sandbox = createDockerSandbox({ concurrency: 2 });
    // 4 KiB hold about 10 of the 60 sample records.
    const settings = await settingsFor(server.url, {
      outputPath: disk.path,
      sandbox,
      tasks: [{ benchmark: createArithmeticBenchmark({ size: 60, sandbox: true }), options: { offset: 0 } }],
    });

    const error = await runEvaluation(settings).catch((caught: unknown) => caught);

    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as StorageError).message).toMatch(
      /^Could not write the samples file .*\/scripted-model\/samples_arithmetic_.*: no space left on the device \(ENOSPC\)/,
    );
    const containers = await execa('docker', ['ps', '-aq', '--filter', `label=${runLabel}=${sandbox.runId}`]);
    expect(containers.stdout).toBe('');
  });
});
