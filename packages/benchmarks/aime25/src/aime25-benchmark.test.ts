import { runBoxedMathBenchmarkSuite } from '@evalchemy/math-grading/testing';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { createAime25 } from './aime25-benchmark.js';
import defaultBenchmark, { VERSION } from './index.js';

runBenchmarkConformance(defaultBenchmark, { packageJsonPath: new URL('../package.json', import.meta.url) });

runBoxedMathBenchmarkSuite({
  create: createAime25,
  size: 30,
  repeats: 10,
  datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
  log: createRecordingLogger(),
});

describe('aime25', () => {
  it('is a v1 benchmark plugin whose id and version match its manifest', () => {
    expect(defaultBenchmark.specificationVersion).toBe('v1');
    expect(defaultBenchmark.id).toBe(packageJson.evalchemy.id);
    expect(VERSION).toBe(packageJson.version);
  });
});
