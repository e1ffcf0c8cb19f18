import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import type { SandboxV1 } from '@evalchemy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCases } from './hostile-cases.js';

export interface SandboxConformanceSettings {
  /** Suite name shown by vitest, e.g. `sandbox-docker`. */
  name: string;
  /** The sandbox under test; the suite starts it once and stops it at the end. */
  createSandbox: () => Promise<SandboxV1> | SandboxV1;
  /**
   * False for a sandbox that runs programs on the host without isolation (the process sandbox's
   * `unsafe_no_isolation`): the hostile programs that would harm the host are left out. Default true.
   */
  isolated?: boolean;
}

/** Values in `describe()` output that look like credentials. */
const secretPattern = /\b(sk-[A-Za-z0-9_-]{6,}|hf_[A-Za-z0-9]{10,}|Bearer\s+\S+)/;

/**
 * Defines vitest tests that check a sandbox against contract v1 on this machine: identity fields, ordinary
 * programs (output, exit codes, stdin, a fresh working directory, side-by-side executions, no host environment,
 * cancellation), then every hostile case (`hostileCases`: endless loops, fork and memory bombs, network, writes
 * outside, the parent's secrets, killing the parent, filling /dev/shm, floods of output, daemons), each followed
 * by an ordinary program that must still run. A secret is put in `process.env.OPENAI_API_KEY` and a TCP server
 * listens on 127.0.0.1 for the network case while the suite runs.
 */
export function runSandboxConformance(settings: SandboxConformanceSettings): void {
  const secret = `sk-test-${randomUUID()}`;
  const token = randomUUID();
  const signal = new AbortController().signal;
  let sandbox: SandboxV1 | undefined;
  let server: Server | undefined;
  let hostPort = 0;
  const started = (): SandboxV1 => {
    if (sandbox === undefined) throw new Error('The sandbox under test did not start.');
    return sandbox;
  };
  const run = (source: string, stdin?: string) =>
    started().doExecute(
      { language: 'python', source, ...(stdin === undefined ? {} : { stdin }) },
      { timeoutMs: 20_000 },
      { signal },
    );

  describe(`${settings.name}: sandbox conformance (v1)`, () => {
    beforeAll(async () => {
      process.env.OPENAI_API_KEY = secret;
      server = createServer((socket) => socket.end('hello from the host\n'));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      hostPort = (server.address() as { port: number }).port;
      sandbox = await settings.createSandbox();
      await sandbox.doStart?.({ signal });
    });
    afterAll(async () => {
      delete process.env.OPENAI_API_KEY;
      await sandbox?.doStop?.();
      await new Promise((resolve) => server?.close(resolve));
    });

    describe('ordinary programs', () => {
      it('has specificationVersion v1, an id, a version, a concurrency and a describe() without secrets', () => {
        const { specificationVersion, id, version, concurrency } = started();
        expect(specificationVersion).toBe('v1');
        expect(typeof id === 'string' && id.length > 0).toBe(true);
        expect(typeof version === 'string' && version.length > 0).toBe(true);
        expect(Number.isInteger(concurrency) && concurrency >= 1, `concurrency ${concurrency}`).toBe(true);
        const description = JSON.stringify(started().describe());
        expect(description).not.toMatch(secretPattern);
        expect(description).not.toContain(secret);
      });

      it('returns stdout and exit code 0', async () => {
        expect(await run('print(sum(range(10)))')).toMatchObject({
          exitCode: 0,
          signal: null,
          timedOut: false,
          stdout: '45\n',
          stderr: '',
          outputTruncated: false,
        });
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
        expect((await run('import os\nprint(sorted(os.listdir(".")))')).stdout).toBe("['main.py']\n");
      });

      it('runs up to `concurrency` executions side by side', async () => {
        const numbers = Array.from({ length: Math.min(3, started().concurrency) }, (_, index) => index + 1);
        const results = await Promise.all(numbers.map((n) => run(`print(${n} * 10)`)));
        expect(results.map((result) => result.stdout)).toEqual(numbers.map((n) => `${n * 10}\n`));
      });

      it('hides the key set in the parent environment, and HOME', async () => {
        const result = await run('import os\nprint(sorted(os.environ))');
        expect(result.stdout).not.toContain('OPENAI_API_KEY');
        expect(result.stdout).not.toContain('HOME');
        expect(process.env.OPENAI_API_KEY).toBe(secret);
      });

      it('stops a running program when the caller aborts', async () => {
        const controller = new AbortController();
        const pending = started().doExecute(
          { language: 'python', source: 'import time\ntime.sleep(60)' },
          { timeoutMs: 60_000 },
          { signal: controller.signal },
        );
        setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 300);
        await expect(pending).rejects.toThrow('user pressed Ctrl-C');
      });
    });

    describe('hostile code', () => {
      it('the host server the network case tries is reachable from outside the sandbox', async () => {
        const greeting = await new Promise<string>((resolve, reject) => {
          const socket = connect(hostPort, '127.0.0.1');
          socket.once('data', (data) => resolve(data.toString()));
          socket.once('error', reject);
        });
        expect(greeting).toContain('hello from the host');
      });

      const cases = hostileCases({ secret, token }).filter(
        (hostile) => settings.isolated !== false || !hostile.needsIsolation,
      );
      for (const { name, description } of cases) {
        it(`contains ${name}: ${description}`, async () => {
          // The port is only known once the server listens, so the case is made again with it here.
          const hostile = hostileCases({ secret, token, hostPort }).find((each) => each.name === name)!;
          const rssBefore = process.memoryUsage().rss;
          const result = await started().doExecute(hostile.program, hostile.limits, { signal });
          expect(hostile.check(result)).toEqual([]);
          if (name === 'flood-output') {
            expect(process.memoryUsage().rss - rssBefore).toBeLessThan(80 * 1024 * 1024);
          }
          expect((await run('print("still working")')).stdout).toBe('still working\n');
        });
      }
    });
  });
}
