import { defineConfig } from 'vitest/config';

// One vitest project per package (each package may add its own vitest.config.ts). Suites that need a real
// service (Docker, bubblewrap) live in files named *.docker.test.ts / *.bwrap.test.ts and run here too:
// .ci/run starts those services first.
export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/*/*'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
