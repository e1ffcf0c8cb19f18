import { randomUUID } from 'node:crypto';
import { createRecordingLogger } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCases } from './hostile-cases.js';
import { createProcessSandbox } from './index.js';
import { processSandboxOptionsSchema } from './process-options.js';
import { createProcessSandboxProvider } from './process-provider.js';

const secret = `sk-test-${randomUUID()}`;
const signal = new AbortController().signal;
const log = createRecordingLogger();
const sandbox = createProcessSandbox({ unsafe_no_isolation: true, concurrency: 2 }, log);
const run = (source: string) =>
  sandbox.doExecute({ language: 'python', source }, { timeoutMs: 20_000 }, { signal });

beforeAll(() => {
  process.env.OPENAI_API_KEY = secret;
});
afterAll(() => {
  delete process.env.OPENAI_API_KEY;
});

describe('process sandbox with unsafe_no_isolation', () => {
  it('warns that generated code runs without isolation', () => {
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: expect.stringContaining('WITHOUT isolation'),
    });
  });

  it('is available whenever python runs, even without bubblewrap', async () => {
    const options = processSandboxOptionsSchema.parse({
      unsafe_no_isolation: true,
      bwrap_path: '/nonexistent',
    });
    expect(await createProcessSandboxProvider().checkAvailable(options)).toBe(true);
  });

  it('runs a program with a clean environment in a temporary directory', async () => {
    const result = await run('import os\nprint(sorted(os.environ))\nprint(os.listdir("."))');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('OPENAI_API_KEY');
    expect(result.stdout).not.toContain('HOME');
    expect(result.stdout).toContain("['main.py']");
  });

  it('reports an exception as exit code 1', async () => {
    const result = await run('raise KeyError("k")');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('KeyError');
  });

  for (const hostile of hostileCases({ secret, token: randomUUID() }).filter((c) => !c.needsIsolation)) {
    it(`still ends ${hostile.name} as a result: ${hostile.description}`, async () => {
      const result = await sandbox.doExecute(hostile.program, hostile.limits, { signal });
      expect(hostile.check(result)).toEqual([]);
      expect((await run('print("still working")')).stdout).toBe('still working\n');
    });
  }
});
