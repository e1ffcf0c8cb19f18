import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, pluginManifestSchema } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import provider, { createProcessSandbox, VERSION } from './index.js';

const packageDirectory = dirname(dirname(fileURLToPath(import.meta.url)));
const packageJson = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')) as {
  version: string;
  evalchemy: unknown;
};

describe('process sandbox options and manifest', () => {
  it('rejects an unknown option and names the accepted ones', () => {
    expect(() => createProcessSandbox({ memory: 10 } as never)).toThrow(ConfigurationError);
    expect(() => createProcessSandbox({ memory: 10 } as never)).toThrow(/"memory".*memory_mb/);
  });

  it('defaults concurrency to the number of CPUs', () => {
    expect(createProcessSandbox().concurrency).toBe(availableParallelism());
  });

  it('has a valid manifest whose id is the folder name and a matching version', () => {
    const manifest = pluginManifestSchema.parse(packageJson.evalchemy);
    expect(manifest.id).toBe(basename(packageDirectory));
    expect(manifest.kind).toBe('sandbox');
    expect(provider.id).toBe(manifest.id);
    expect(VERSION).toBe(packageJson.version);
  });
});
