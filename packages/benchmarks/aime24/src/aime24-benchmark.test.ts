import { runBoxedMathBenchmarkSuite } from '@evalchemy/math-grading/testing';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { createAime24 } from './aime24-benchmark.js';
import defaultBenchmark, { VERSION } from './index.js';

runBenchmarkConformance(defaultBenchmark, { packageJsonPath: new URL('../package.json', import.meta.url) });

runBoxedMathBenchmarkSuite({
  create: createAime24,
  size: 30,
  repeats: 10,
  datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
  log: createRecordingLogger(),
});

describe('aime24', () => {
  it('is a v1 benchmark plugin whose id and version match its manifest', () => {
    expect(defaultBenchmark.specificationVersion).toBe('v1');
    expect(defaultBenchmark.id).toBe(packageJson.evalchemy.id);
    expect(VERSION).toBe(packageJson.version);
  });
});
