import { createDockerSandbox } from '@evalchemy/sandbox-docker';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { scoreHostileSamples } from './__fixtures__/hostile-samples.js';

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
});
