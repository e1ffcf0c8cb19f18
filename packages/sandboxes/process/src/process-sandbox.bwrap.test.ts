import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxError } from '@evalchemy/core';
import { createRecordingLogger } from '@evalchemy/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCases } from './hostile-cases.js';
import { createProcessSandbox } from './index.js';
import { processSandboxOptionsSchema } from './process-options.js';
import { createProcessSandboxProvider } from './process-provider.js';

const secret = `sk-test-${randomUUID()}`;
const signal = new AbortController().signal;
const sandbox = createProcessSandbox({ concurrency: 2 });
const run = (source: string, stdin?: string) =>
  sandbox.doExecute(
    { language: 'python', source, ...(stdin ? { stdin } : {}) },
    { timeoutMs: 20_000 },
    { signal },
  );

let server: Server;
let hostPort = 0;
beforeAll(async () => {
  process.env.OPENAI_API_KEY = secret;
  server = createServer((socket) => socket.end('hello from the host\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hostPort = (server.address() as { port: number }).port;
  await sandbox.doStart?.({ signal });
});
afterAll(async () => {
  delete process.env.OPENAI_API_KEY;
  await sandbox.doStop?.();
  await new Promise((resolve) => server.close(resolve));
});

describe('process sandbox (bubblewrap): ordinary programs', () => {
  it('is available on this machine', async () => {
    const provider = createProcessSandboxProvider();
    expect(await provider.checkAvailable(processSandboxOptionsSchema.parse({}))).toBe(true);
  });

  it('returns stdout and exit code 0', async () => {
    const result = await run('print(sum(range(10)))');
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, stdout: '45\n', stderr: '' });
  });

  it('reports an exception as exit code 1 with the traceback on stderr', async () => {
    const result = await run('def f():\n    raise ValueError("bad input")\nf()\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('ValueError: bad input');
  });

  it('passes stdin to the program', async () => {
    const result = await run('import sys\nprint(sys.stdin.read().upper())', 'two lines\nof input\n');
    expect(result.stdout).toBe('TWO LINES\nOF INPUT\n\n');
  });

  it('gives each execution a fresh working directory', async () => {
    await run('open("left-behind.txt", "w").write("x")');
    const result = await run('import os\nprint(sorted(os.listdir(".")))');
    expect(result.stdout).toBe("['main.py']\n");
  });

  it('runs executions side by side', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => run(`print(${n} * 10)`)));
    expect(results.map((result) => result.stdout)).toEqual(['10\n', '20\n', '30\n', '40\n']);
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

  it('stops a running program when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = sandbox.doExecute(
      { language: 'python', source: 'import time\ntime.sleep(60)' },
      { timeoutMs: 60_000 },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 300);
    await expect(pending).rejects.toThrow('user pressed Ctrl-C');
  });
});

describe('process sandbox (bubblewrap): hostile code', () => {
  const token = randomUUID();
  for (const hostile of hostileCases({ secret, token, hostPort: 0 })) {
    it(`contains ${hostile.name}: ${hostile.description}`, async () => {
      // The port is only known once the server listens, so the case list is rebuilt with it here.
      const current = hostileCases({ secret, token, hostPort }).find((c) => c.name === hostile.name)!;
      const rssBefore = process.memoryUsage().rss;
      const result = await sandbox.doExecute(current.program, current.limits, { signal });
      expect(current.check(result)).toEqual([]);
      if (current.name === 'flood-output') {
        expect(process.memoryUsage().rss - rssBefore).toBeLessThan(80 * 1024 * 1024);
      }
      const after = await run('print("still working")');
      expect(after.stdout).toBe('still working\n');
    });
  }

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

  it('hides the key set in the parent environment and HOME', async () => {
    const result = await run('import os\nprint(sorted(os.environ))');
    expect(result.stdout).not.toContain('OPENAI_API_KEY');
    expect(result.stdout).not.toContain('HOME');
    expect(process.env.OPENAI_API_KEY).toBe(secret);
  });

  it('reaches the host server from outside, so the network case is meaningful', async () => {
    const { connect } = await import('node:net');
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = connect(hostPort, '127.0.0.1');
      socket.once('data', (data) => resolve(data.toString()));
      socket.once('error', reject);
    });
    expect(greeting).toContain('hello from the host');
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
