import { describe, expect, it } from 'vitest';
import { pluginManifestSchema } from './manifest.js';

const manifest = { manifestVersion: 1, kind: 'benchmark', id: 'tiny', entry: './dist/index.js' };

describe('the manifest\'s "specification"', () => {
  it('takes one contract version, as published plugins write it, or a list; both read as a list', () => {
    expect(pluginManifestSchema.parse({ ...manifest, specification: 'v1' }).specification).toEqual(['v1']);
    expect(pluginManifestSchema.parse({ ...manifest, specification: ['v1', 'v2'] }).specification).toEqual([
      'v1',
      'v2',
    ]);
  });

  it('accepts versions this core does not define yet, so that a CLI can name the one it lacks', () => {
    expect(pluginManifestSchema.parse({ ...manifest, specification: 'v12' }).specification).toEqual(['v12']);
  });

  it('refuses what is not a contract version, and an empty list', () => {
    for (const specification of ['1', 'v0', 'latest', [], ['v1', 'next']]) {
      const result = pluginManifestSchema.safeParse({ ...manifest, specification });
      expect(result.success, JSON.stringify(specification)).toBe(false);
    }
  });
});

describe('the manifest\'s "tags"', () => {
  it("default to none and take lowercase names such as lm-eval's ai2_arc", () => {
    expect(pluginManifestSchema.parse({ ...manifest, specification: 'v1' }).tags).toEqual([]);
    expect(pluginManifestSchema.parse({ ...manifest, specification: 'v1', tags: ['ai2_arc'] }).tags).toEqual([
      'ai2_arc',
    ]);
  });

  it('refuse a name the CLI could not take as a task, and a single string', () => {
    for (const tags of [['AI2 ARC'], [''], 'ai2_arc']) {
      const result = pluginManifestSchema.safeParse({ ...manifest, specification: 'v1', tags });
      expect(result.success, JSON.stringify(tags)).toBe(false);
    }
  });
});
