import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { hostileCases } from '@evalchemy/sandbox-process';
import { createRecordingLogger } from '@evalchemy/test-kit';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerSandboxOptionsSchema } from './docker-options.js';
import { createDockerSandboxProvider } from './docker-provider.js';
import { createDockerSandbox, runLabel } from './index.js';

const docker = new Docker();
const secret = `sk-test-${randomUUID()}`;
const signal = new AbortController().signal;
const log = createRecordingLogger();
const sandbox = createDockerSandbox({ concurrency: 2 }, log);
const run = (source: string, stdin?: string) =>
  sandbox.doExecute(
    { language: 'python', source, ...(stdin ? { stdin } : {}) },
    { timeoutMs: 20_000 },
    { signal },
  );
const containersOf = async (runId: string) =>
  docker.listContainers({ all: true, filters: { label: [`${runLabel}=${runId}`] } });

let server: Server;
let hostPort = 0;
beforeAll(async () => {
  process.env.OPENAI_API_KEY = secret;
  server = createServer((socket) => socket.end('hello from the host\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hostPort = (server.address() as { port: number }).port;
  await sandbox.doStart({ signal });
});
afterAll(async () => {
  delete process.env.OPENAI_API_KEY;
  await sandbox.doStop();
  await new Promise((resolve) => server.close(resolve));
});

describe('docker sandbox: ordinary programs', () => {
  it('is available (engine answers, image exists)', async () => {
    expect(await createDockerSandboxProvider().checkAvailable(dockerSandboxOptionsSchema.parse({}))).toBe(
      true,
    );
  });

  it('says how to get a missing image', async () => {
    const options = dockerSandboxOptionsSchema.parse({ image: 'evalchemy-no-such-image:0' });
    expect(await createDockerSandboxProvider().checkAvailable(options)).toContain('docker pull');
  });

  it('returns stdout and exit code 0', async () => {
    expect(await run('print(sum(range(10)))')).toMatchObject({
      exitCode: 0,
      timedOut: false,
      stdout: '45\n',
    });
  });

  it('reports an exception as exit code 1 with the traceback on stderr', async () => {
    const result = await run('raise ValueError("bad input")');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('ValueError: bad input');
  });

  it('passes stdin to the program', async () => {
    expect((await run('import sys\nprint(sys.stdin.read().upper())', 'abc\n')).stdout).toBe('ABC\n\n');
  });

  it('gives each execution a fresh working directory', async () => {
    await run('open("left-behind.txt", "w").write("x")');
    expect((await run('import os\nprint(sorted(os.listdir(".")))')).stdout).toBe("['main.py']\n");
  });

  it('runs executions side by side', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => run(`print(${n} * 10)`)));
    expect(results.map((result) => result.stdout)).toEqual(['10\n', '20\n', '30\n']);
  });
});

describe('docker sandbox: hostile code', () => {
  const token = randomUUID();
  for (const hostile of hostileCases({ secret, token })) {
    it(`contains ${hostile.name}: ${hostile.description}`, async () => {
      const current = hostileCases({ secret, token, hostPort }).find((c) => c.name === hostile.name)!;
      const rssBefore = process.memoryUsage().rss;
      const result = await sandbox.doExecute(current.program, current.limits, { signal });
      expect(current.check(result)).toEqual([]);
      if (current.name === 'flood-output') {
        expect(process.memoryUsage().rss - rssBefore).toBeLessThan(80 * 1024 * 1024);
      }
      expect((await run('print("still working")')).stdout).toBe('still working\n');
    });
  }

  it('replaces a container killed from outside, and the next execution succeeds', async () => {
    const before = await containersOf(sandbox.runId);
    await Promise.all(
      before.map((c) =>
        docker
          .getContainer(c.Id)
          .kill()
          .catch(() => {}),
      ),
    );
    expect((await run('print("after docker kill")')).stdout).toBe('after docker kill\n');
    expect((await run('print("and again")')).stdout).toBe('and again\n');
  });
});

describe('docker sandbox: cleanup', () => {
  it('removes its containers on doStop, and doStop may be called twice', async () => {
    const own = createDockerSandbox({ concurrency: 2 }, createRecordingLogger());
    await own.doStart({ signal });
    expect(await containersOf(own.runId)).toHaveLength(2);
    await own.doStop();
    await own.doStop();
    expect(await containersOf(own.runId)).toHaveLength(0);
  });

  it('removes its containers after an error thrown mid-run', async () => {
    const own = createDockerSandbox({ concurrency: 1 }, createRecordingLogger());
    const controller = new AbortController();
    try {
      await own.doStart({ signal });
      const pending = own.doExecute(
        { language: 'python', source: 'import time\ntime.sleep(60)' },
        { timeoutMs: 60_000 },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 500);
      await expect(pending).rejects.toThrow('user pressed Ctrl-C');
    } finally {
      await own.doStop();
    }
    expect(await containersOf(own.runId)).toHaveLength(0);
  });

  it('removes the containers it started when the image is missing', async () => {
    const own = createDockerSandbox({ image: 'evalchemy-no-such-image:0', concurrency: 1 });
    await expect(own.doStart({ signal })).rejects.toThrow(/evalchemy-no-such-image/);
    expect(await containersOf(own.runId)).toHaveLength(0);
  });
});
