#!/usr/bin/env node
// `node dist/build-image-cli.js [tag]`: builds the sandbox image once (CI caches it); exits 0 when it exists.
import { buildSandboxImage } from './build-sandbox-image.js';

const log = {
  info: (message: string) => console.log(message),
  warn: (message: string) => console.warn(message),
  debug: () => {},
};

try {
  const tag = process.argv.slice(2).find((argument) => !argument.startsWith('--'));
  await buildSandboxImage({ log, ...(tag ? { tag } : {}), force: process.argv.includes('--force') });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
