// A run whose output disk fills up while generated code runs in Docker: it fails with a StorageError and
// removes its containers. The run is set up by the runner's own test fixtures, from its sources.
import { StorageError } from '@evalchemy/core';
import { createDockerSandbox, runLabel } from '@evalchemy/sandbox-docker';
import { createMockBackend } from '@evalchemy/test-kit';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { mountTinyFileSystem, type TinyFileSystem } from '../../../cli/src/__fixtures__/tiny-file-system.js';
import { createArithmeticBenchmark } from '../../../runner/src/__fixtures__/arithmetic-benchmark.js';
import { settingsFor } from '../../../runner/src/__fixtures__/run-settings.js';
import { runEvaluation } from '../../../runner/src/run-evaluation.js';

let disk: TinyFileSystem | undefined;
afterEach(async () => {
  await disk?.unmount();
  disk = undefined;
});

describe('a full output disk during a run with the docker sandbox', () => {
  it('stops the run with a StorageError naming the samples file and removes every container', async ({
    skip,
  }) => {
    disk = await mountTinyFileSystem(4, skip);
    const sandbox = createDockerSandbox({ concurrency: 2 });
    // 4 KiB hold about 10 of the 60 sample records.
    const settings = await settingsFor({
      backend: createMockBackend({ modelId: 'scripted-model', generate: '10' }),
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
