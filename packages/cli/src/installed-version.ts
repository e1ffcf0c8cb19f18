import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Version of a package this CLI imports (its entry is `<package>/dist/index.js`). Resolved as `require` would:
 * our packages export one entry for every condition, and vitest, which runs this file in tests, has no
 * `import.meta.resolve`.
 */
export function installedVersion(name: string): string {
  const entry = createRequire(import.meta.url).resolve(name);
  return readVersion(join(dirname(entry), '..', 'package.json'));
}

/** Version of `@evalchemy/cli` itself. */
export function ownVersion(): string {
  return readVersion(new URL('../package.json', import.meta.url));
}

function readVersion(packageJson: string | URL): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}
