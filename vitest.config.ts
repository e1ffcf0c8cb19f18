import { globSync } from 'node:fs';
import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

// One vitest project per package (a package may add its own vitest.config.ts). Suites that need a real
// service (Docker, bubblewrap) live in files named *.docker.test.ts / *.bwrap.test.ts and run here too:
// .ci/run installs and starts those services first.
const packageDirectories = globSync(['packages/*/package.json', 'packages/*/*/package.json']).map((path) => dirname(path));

export default defineConfig({
  test: {
    projects: packageDirectories,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
