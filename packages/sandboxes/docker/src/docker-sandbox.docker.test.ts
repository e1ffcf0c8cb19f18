import { createRecordingLogger, runSandboxConformance } from '@evalchemy/test-kit';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { dockerSandboxOptionsSchema } from './docker-options.js';
import { createDockerSandboxProvider } from './docker-provider.js';
import { createDockerSandbox, runLabel } from './index.js';

runSandboxConformance({
  name: 'docker sandbox',
  createSandbox: () => createDockerSandbox({ concurrency: 2 }),
});

const docker = new Docker();
const signal = new AbortController().signal;
const containersOf = async (runId: string) =>
  docker.listContainers({ all: true, filters: { label: [`${runLabel}=${runId}`] } });

describe('docker sandbox: availability', () => {
  it('is available (engine answers, image exists)', async () => {
    expect(await createDockerSandboxProvider().checkAvailable(dockerSandboxOptionsSchema.parse({}))).toBe(
      true,
    );
  });

  it('says how to get a missing image', async () => {
    const options = dockerSandboxOptionsSchema.parse({ image: 'evalchemy-no-such-image:0' });
    expect(await createDockerSandboxProvider().checkAvailable(options)).toContain('docker pull');
  });
});

describe('docker sandbox: containers', () => {
  it('replaces a container killed from outside, and the next execution succeeds', async () => {
    const own = createDockerSandbox({ concurrency: 2 }, createRecordingLogger());
    const run = async (source: string) =>
      (await own.doExecute({ language: 'python', source }, { timeoutMs: 20_000 }, { signal })).stdout;
    try {
      await own.doStart({ signal });
      const before = await containersOf(own.runId);
      await Promise.all(
        before.map((c) =>
          docker
            .getContainer(c.Id)
            .kill()
            .catch(() => {}),
        ),
      );
      expect(await run('print("after docker kill")')).toBe('after docker kill\n');
      expect(await run('print("and again")')).toBe('and again\n');
    } finally {
      await own.doStop();
    }
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
