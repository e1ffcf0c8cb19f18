import { SandboxError } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { createMockSandbox } from './mock-sandbox.js';

const signal = new AbortController().signal;
const program = (source: string) => ({ language: 'python' as const, source });

describe('createMockSandbox', () => {
  it('answers every execution with exit code 0 and no output by default, and keeps the programs', async () => {
    const sandbox = createMockSandbox();
    expect(await sandbox.doExecute(program('print(1)'), { timeoutMs: 1000 }, { signal })).toEqual({
      exitCode: 0,
      signal: null,
      timedOut: false,
      stdout: '',
      stderr: '',
      outputTruncated: false,
      durationMs: 0,
    });
    expect(sandbox.programs).toEqual([program('print(1)')]);
  });

  it('answers from a script of the program, its limits and its arrival index', async () => {
    const sandbox = createMockSandbox({
      concurrency: 4,
      execute: (given, limits, index) =>
        given.source.includes('loop')
          ? { timedOut: true, exitCode: null, signal: 'SIGKILL' }
          : `${index} ${limits.timeoutMs}\n`,
    });
    expect(sandbox.concurrency).toBe(4);
    expect((await sandbox.doExecute(program('print()'), { timeoutMs: 50 }, { signal })).stdout).toBe(
      '0 50\n',
    );
    expect(await sandbox.doExecute(program('loop'), { timeoutMs: 50 }, { signal })).toMatchObject({
      timedOut: true,
      exitCode: null,
      stdout: '',
    });
  });

  it('passes on what the script throws, as a sandbox that failed itself', async () => {
    const sandbox = createMockSandbox({
      execute: () => {
        throw new SandboxError('the sandbox image is missing');
      },
    });
    await expect(sandbox.doExecute(program('x'), { timeoutMs: 50 }, { signal })).rejects.toSatisfy(
      SandboxError.isInstance,
    );
  });
});
