import { createDockerSandbox } from '@evalchemy/sandbox-docker';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { scoreForgerySolutions } from './__fixtures__/forgery-samples.js';

const sandbox = createDockerSandbox({ concurrency: 2 });
beforeAll(async () => {
  await sandbox.doStart({ signal: new AbortController().signal });
});
afterAll(async () => {
  await sandbox.doStop();
});

describe('humanevalplus in the Docker sandbox: hostile solutions', () => {
  it('keeps a solution that reaches for the harness (frames, gc, /proc) and its 19 wrong batch-mates failed', async () => {
    await scoreForgerySolutions(sandbox);
  });
});
