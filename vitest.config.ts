import { globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One vitest project per package, named after the package, inheriting the settings below. Suites that need a
// real service are in files named *.docker.test.ts / *.bwrap.test.ts / *.slurm.test.ts: .ci/run installs and
// starts Docker, bubblewrap and Slurm first, so they run there too. Sandbox suites run hostile programs to their
// timeouts, hence the generous limits.
const root = import.meta.dirname;
const projects = globSync(['packages/*/package.json', 'packages/*/*/package.json'], { cwd: root }).map(
  (path) => ({
    extends: true as const,
    test: {
      name: (JSON.parse(readFileSync(join(root, path), 'utf8')) as { name: string }).name,
      root: join(root, dirname(path)),
      include: ['src/**/*.test.ts'],
    },
  }),
);

// Repository scripts in tools/ (create-plugin) are tested as a project of their own.
const tools = {
  extends: true as const,
  test: { name: 'tools', root: join(root, 'tools'), include: ['*.test.ts'] },
};

// Publishing every package to a local Verdaccio and installing from it as a user (tools/registry): a project of
// its own, so that the quick meta tests (`--project tools`) do not start a registry.
const registry = {
  extends: true as const,
  test: { name: 'registry', root: join(root, 'tools', 'registry'), include: ['*.test.ts'] },
};

export default defineConfig({
  test: {
    projects: [...projects, tools, registry],
    // @evalchemy/node-llama-cpp is node-llama-cpp's published code, laid out in its dist: loaded by Node as in
    // node_modules, not transformed as workspace source.
    server: { deps: { external: [/\/packages\/node-llama-cpp\/dist\//] } },
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
