import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxError } from '@evalchemy/core';
import { createRecordingLogger, runSandboxConformance } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessSandbox } from './index.js';
import { processSandboxOptionsSchema } from './process-options.js';
import { createProcessSandboxProvider } from './process-provider.js';

runSandboxConformance({
  name: 'process sandbox (bubblewrap)',
  createSandbox: () => createProcessSandbox({ concurrency: 2 }),
});

const signal = new AbortController().signal;
const sandbox = createProcessSandbox({ concurrency: 2 });
const run = (source: string) =>
  sandbox.doExecute({ language: 'python', source }, { timeoutMs: 20_000 }, { signal });

beforeAll(async () => {
  await sandbox.doStart?.({ signal });
});
afterAll(async () => {
  await sandbox.doStop?.();
});

describe('process sandbox (bubblewrap)', () => {
  it('is available on this machine', async () => {
    const provider = createProcessSandboxProvider();
    expect(await provider.checkAvailable(processSandboxOptionsSchema.parse({}))).toBe(true);
  });

  it('applies a per-execution memory limit', async () => {
    const source = 'x = b"a" * (300 * 1024 * 1024)\nprint("ok")';
    const small = await sandbox.doExecute(
      { language: 'python', source },
      { timeoutMs: 20_000, memoryMb: 256 },
      { signal },
    );
    const large = await sandbox.doExecute(
      { language: 'python', source },
      { timeoutMs: 20_000, memoryMb: 1024 },
      { signal },
    );
    expect(small.stderr).toContain('MemoryError');
    expect(large.stdout).toBe('ok\n');
  });

  it('binds an extra read-only path, also one under /tmp (the sandbox has its own /tmp)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'evalchemy-extra-'));
    try {
      chmodSync(directory, 0o755);
      writeFileSync(join(directory, 'data.txt'), 'from the host');
      chmodSync(join(directory, 'data.txt'), 0o644);
      const withExtra = createProcessSandbox({ concurrency: 1, extra_read_only_paths: [directory] });
      const result = await withExtra.doExecute(
        { language: 'python', source: `print(open(${JSON.stringify(join(directory, 'data.txt'))}).read())` },
        { timeoutMs: 20_000 },
        { signal },
      );
      expect(result.stdout).toBe('from the host\n');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses System V shared memory, message queues and semaphores, which no file system size would bound', async () => {
    const result = await run(
      [
        'import ctypes',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'calls = {"shmget": (0, 64 << 20, 0o1600), "msgget": (0, 0o1600), "semget": (0, 1000, 0o1600)}',
        'for name, args in calls.items():',
        '    ctypes.set_errno(0)',
        '    print(name, getattr(libc, name)(*args), ctypes.get_errno())',
      ].join('\n'),
    );
    // -1 with EPERM (1) for each.
    expect(result.stdout).toBe('shmget -1 1\nmsgget -1 1\nsemget -1 1\n');
  });
});

describe('process sandbox: availability', () => {
  it('says how to install bubblewrap when bwrap is missing', async () => {
    const provider = createProcessSandboxProvider();
    const options = processSandboxOptionsSchema.parse({ bwrap_path: '/nonexistent/bwrap' });
    const answer = await provider.checkAvailable(options);
    expect(answer).toEqual(expect.stringContaining('apt-get install bubblewrap'));
    expect(answer).toEqual(expect.stringContaining('unsafe_no_isolation'));
  });

  it('refuses a bubblewrap older than 0.8, which cannot bound the size of /tmp, /work and /dev/shm', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'evalchemy-old-bwrap-'));
    try {
      // What `bwrap --help` of bubblewrap 0.6 prints, in part: no --size, no --disable-userns.
      const oldBwrap = join(directory, 'bwrap');
      writeFileSync(
        oldBwrap,
        '#!/bin/sh\necho "usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]"\necho "    --unshare-all"\n',
      );
      chmodSync(oldBwrap, 0o755);
      const options = processSandboxOptionsSchema.parse({ bwrap_path: oldBwrap });
      expect(await createProcessSandboxProvider().checkAvailable(options)).toEqual(
        expect.stringContaining('older than bubblewrap 0.8'),
      );
      const old = createProcessSandbox({ bwrap_path: oldBwrap }, createRecordingLogger());
      await expect(old.doStart?.({ signal })).rejects.toThrow('Install bubblewrap 0.8 or newer');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('throws a SandboxError from doStart when bwrap is missing', async () => {
    const broken = createProcessSandbox({ bwrap_path: '/nonexistent/bwrap' }, createRecordingLogger());
    await expect(broken.doStart?.({ signal })).rejects.toSatisfy(SandboxError.isInstance);
  });
});
