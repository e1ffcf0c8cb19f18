import { useSuiteSandbox } from '@evalchemy/code-eval/testing';
import { createDockerSandbox } from '@evalchemy/sandbox-docker';
import { describe, it } from 'vitest';
import { scoreForgerySolutions } from './__fixtures__/forgery-samples.js';

const suite = useSuiteSandbox(() => createDockerSandbox({ concurrency: 2 }));

describe('humanevalplus in the Docker sandbox: hostile solutions', () => {
  it('keeps a solution that reaches for the harness (frames, gc, /proc) and its 19 wrong batch-mates failed', async () => {
    await scoreForgerySolutions(suite.sandbox);
  });
});
