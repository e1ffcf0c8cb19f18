import { createRecordingLogger, runSandboxConformance } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { createProcessSandbox } from './index.js';
import { processSandboxOptionsSchema } from './process-options.js';
import { createProcessSandboxProvider } from './process-provider.js';

// Without isolation the ordinary programs still get a clean environment and a fresh directory, and the hostile
// programs that do not harm the host (loops, bombs, floods) still end as results.
runSandboxConformance({
  name: 'process sandbox with unsafe_no_isolation',
  createSandbox: () =>
    createProcessSandbox({ unsafe_no_isolation: true, concurrency: 2 }, createRecordingLogger()),
  isolated: false,
});

describe('process sandbox with unsafe_no_isolation', () => {
  it('warns that generated code runs without isolation', () => {
    const log = createRecordingLogger();
    createProcessSandbox({ unsafe_no_isolation: true }, log);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: expect.stringContaining('WITHOUT isolation'),
    });
  });

  it('is available whenever python runs, even without bubblewrap', async () => {
    const options = processSandboxOptionsSchema.parse({
      unsafe_no_isolation: true,
      bwrap_path: '/nonexistent',
    });
    expect(await createProcessSandboxProvider().checkAvailable(options)).toBe(true);
  });
});
