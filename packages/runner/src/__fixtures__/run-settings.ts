import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockBackend, createRecordingLogger } from '@evalchemy/test-kit';
import { createDatasetResolver } from '../dataset-resolver.js';
import { ResponseCache } from '../response-cache.js';
import type { RunSettings } from '../run-settings.js';
import { createArithmeticBenchmark } from './arithmetic-benchmark.js';

/** Answers "a+b" questions right, except for a = 3 (wrong) so accuracy is not trivially 1. */
export function arithmeticReply(request: { type: string; messages?: { content: string }[] }): string {
  const last = request.type === 'chat' ? (request.messages?.at(-1)?.content ?? '') : '';
  const match = /What is (\d+)\+(\d+)\?/.exec(last);
  if (!match) return 'I do not know';
  const [a, b] = [Number(match[1]), Number(match[2])];
  return String(a === 3 ? 0 : a + b);
}

/**
 * Settings of a run of the arithmetic benchmark, by default against a mock backend of model `scripted-model`
 * answering `arithmeticReply`, in a fresh temporary directory.
 */
export async function settingsFor(
  overrides: Partial<RunSettings> & { cacheDirectory?: string } = {},
): Promise<RunSettings> {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-runner-'));
  const log = overrides.log ?? createRecordingLogger();
  return {
    backend: createMockBackend({ modelId: 'scripted-model', generate: arithmeticReply }),
    tasks: [{ benchmark: createArithmeticBenchmark(), options: { offset: 0 } }],
    datasets: createDatasetResolver({ offlineDirectory: directory }),
    outputPath: join(directory, 'out'),
    cache: new ResponseCache({
      directory: overrides.cacheDirectory ?? join(directory, 'cache'),
      enabled: true,
      log,
    }),
    concurrency: 4,
    seed: 0,
    predictOnly: false,
    effectiveConfig: { note: 'test' },
    versions: { '@evalchemy/runner': 'test' },
    log,
    ...overrides,
  };
}
