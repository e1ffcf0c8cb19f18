import { defineProject } from 'vitest/config';

// Hostile-code cases run to their timeouts (a fork bomb for 5 s, a memory bomb up to 30 s).
export default defineProject({
  test: { name: '@evalchemy/sandbox-process', testTimeout: 120_000, hookTimeout: 300_000 },
});
