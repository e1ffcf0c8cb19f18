import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openai from '@evalchemy/backend-openai';
import { createDatasetResolver, ResponseCache, type RunSettings } from '@evalchemy/runner';
import { createRecordingLogger } from '@evalchemy/test-kit';
import { createArithmeticBenchmark } from './arithmetic-benchmark.js';

/**
 * Settings of a run of the arithmetic benchmark against the OpenAI-compatible server at `url` (no retries),
 * in a fresh temporary directory.
 */
export async function settingsFor(
  url: string,
  overrides: Partial<RunSettings> & { cacheDirectory?: string } = {},
): Promise<RunSettings> {
  const directory = await mkdtemp(join(tmpdir(), 'evalchemy-runner-'));
  const log = overrides.log ?? createRecordingLogger();
  return {
    backend: openai.createBackend(
      openai.optionsSchema.parse({ model: 'scripted-model', base_url: url, max_retries: '0' }),
      { env: {}, log },
    ),
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
