import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LoggerV1 } from '@evalchemy/core';

/**
 * The benchmark data directory for tests: `EVALCHEMY_DATASETS_DIR` when set, else `shared/datasets` beside
 * the repository checkout (where CI and developers find it).
 */
export function sharedDatasetsDirectory(): string {
  const fromEnv = process.env.EVALCHEMY_DATASETS_DIR;
  if (fromEnv) return fromEnv;
  return join(findSharedDirectory(), 'datasets');
}

/** The directory of small model files for tests (`shared/models` beside the checkout). */
export function sharedModelsDirectory(): string {
  return process.env.EVALCHEMY_MODELS_DIR ?? join(findSharedDirectory(), 'models');
}

function findSharedDirectory(): string {
  let directory = process.cwd();
  for (;;) {
    const candidate = resolve(directory, '..', 'shared');
    if (existsSync(join(candidate, 'datasets'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(
        'Could not find shared/datasets beside the checkout: set EVALCHEMY_DATASETS_DIR (and EVALCHEMY_MODELS_DIR).',
      );
    }
    directory = parent;
  }
}

/** A logger that keeps every line, so tests can assert on warnings. */
export function createRecordingLogger(): LoggerV1 & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    debug: (message) => lines.push({ level: 'debug', message }),
  };
}
