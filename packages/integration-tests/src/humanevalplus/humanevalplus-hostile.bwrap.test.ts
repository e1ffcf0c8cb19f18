import { useSuiteSandbox } from '@evalchemy/code-eval/testing';
import { createProcessSandbox } from '@evalchemy/sandbox-process';
import { describe, it } from 'vitest';
import { scoreForgerySolutions } from './__fixtures__/forgery-samples.js';

const suite = useSuiteSandbox(() => createProcessSandbox({ concurrency: 2 }));

describe('humanevalplus in the bubblewrap sandbox: hostile solutions', () => {
  it('keeps a solution that reaches for the harness (frames, gc, /proc) and its 19 wrong batch-mates failed', async () => {
    await scoreForgerySolutions(suite.sandbox);
  });
});
