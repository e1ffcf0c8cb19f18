import { createDockerSandbox } from '@evalchemy/sandbox-docker';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { scoreForgerySamples, scoreHostileSamples } from './__fixtures__/hostile-samples.js';

const sandbox = createDockerSandbox({ concurrency: 2 });
beforeAll(async () => {
  await sandbox.doStart({ signal: new AbortController().signal });
});
afterAll(async () => {
  await sandbox.doStop();
});

describe('humaneval in the Docker sandbox: hostile completions', () => {
  it('fails or times out every hostile completion; the run, the host and the other samples are unharmed', async () => {
    await scoreHostileSamples(sandbox);
  });

  it('keeps a completion that reaches for the harness (frames, gc, /proc) and its 19 wrong batch-mates failed', async () => {
    await scoreForgerySamples(sandbox);
  });
});
