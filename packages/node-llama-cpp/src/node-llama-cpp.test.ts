// The copy must behave as node-llama-cpp does: same version (the prebuilt builds are matched against it), same
// dependencies, and it must find and run its CPU build without building anything.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getLlama, getModuleVersion } from '@evalchemy/node-llama-cpp';
import { describe, expect, it } from 'vitest';

const read = (directory: string) => JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
const own = read(join(import.meta.dirname, '..'));
const upstream = read(join(dirname(createRequire(import.meta.url).resolve('node-llama-cpp')), '..'));

describe('@evalchemy/node-llama-cpp', () => {
  it("is node-llama-cpp at its devDependency's version, with its dependencies and some of its builds", async () => {
    expect(own.devDependencies['node-llama-cpp']).toBe(upstream.version);
    expect(await getModuleVersion()).toBe(upstream.version);
    expect(own.dependencies).toEqual(upstream.dependencies);
    for (const [name, version] of Object.entries(own.optionalDependencies)) {
      expect(upstream.optionalDependencies[name], name).toBe(version);
    }
  });

  it('loads its prebuilt CPU build of llama.cpp', async () => {
    const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
    try {
      expect(llama.gpu).toBe(false);
      expect(llama.buildType).toBe('prebuilt');
    } finally {
      await llama.dispose();
    }
  });
});
