// Lays node-llama-cpp (the devDependency, the exact version this package carries) out in dist/node-llama-cpp as
// it is published: its code finds llama/, bins/ and its own package.json (whose version the prebuilt binary
// packages must match) relative to itself. llama/gitRelease.bundle (34 MB of llama.cpp sources) is left out:
// only a build from source reads it, and the llamacpp backend never builds.
import { cp, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const upstream = join(dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))), '..');
const output = join(import.meta.dirname, 'dist');
const sourceBundle = join('llama', 'gitRelease.bundle');

await rm(output, { recursive: true, force: true });
for (const entry of ['package.json', 'LICENSE', 'README.md', 'dist', 'llama', 'bins']) {
  await cp(join(upstream, entry), join(output, 'node-llama-cpp', entry), {
    recursive: true,
    filter: (source) => relative(upstream, source) !== sourceBundle,
  });
}
