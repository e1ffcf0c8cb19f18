import type {
  BenchmarkV1,
  DatasetResolverV1,
  LoggerV1,
  SamplePlanV1,
  SampleResponsesV1,
  SampleScoreV1,
  SampleV1,
  SandboxV1,
  ScoreContextV1,
} from '@evalchemy/core';
import { afterAll, beforeAll } from 'vitest';
import type { GenerationMode } from '../code-options.js';
import { expectNumpy, type SandboxPython } from './sandbox-pythons.js';

/** A sandbox started before a test file's tests and stopped after them. */
export interface SuiteSandbox {
  /** The started sandbox (only valid inside tests). */
  readonly sandbox: SandboxV1;
  /** A signal that is never aborted, for doStart and doScore. */
  readonly signal: AbortSignal;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that start the sandbox `create` returns and stop it; with `python`,
 * the start fails unless numpy is importable in the sandbox exactly when `python.numpy` says so.
 */
export function useSuiteSandbox(create: () => SandboxV1, python?: SandboxPython): SuiteSandbox {
  const signal = new AbortController().signal;
  let started: SandboxV1 | undefined;
  beforeAll(async () => {
    started = create();
    await started.doStart?.({ signal });
    if (python !== undefined) await expectNumpy(started, python);
  });
  afterAll(async () => {
    await started?.doStop?.();
  });
  return {
    get sandbox(): SandboxV1 {
      if (started === undefined) throw new Error('The suite sandbox is used outside a test.');
      return started;
    },
    signal,
  };
}

/** Responses of one turn per text, as a backend returns generated text. */
export function generatedReplies(texts: readonly string[]): SampleResponsesV1 {
  return {
    type: 'generate',
    generations: texts.map((text) => [{ text, finishReason: 'stop', warnings: [] }]),
  };
}

/** Every sample `doLoad` yields, in order. */
export async function loadAllSamples<Data, Options>(
  benchmark: BenchmarkV1<Data, Options>,
  options: Options,
  datasets: DatasetResolverV1,
  log: LoggerV1,
): Promise<SampleV1<Data>[]> {
  const source = await benchmark.doLoad({ options, datasets, seed: 0, log });
  const samples: SampleV1<Data>[] = [];
  for await (const sample of source.samples) samples.push(sample);
  return samples;
}

/** The plan `doPlan` makes for a backend that only supports `mode` requests. */
export function planFor<Data, Options>(
  benchmark: BenchmarkV1<Data, Options>,
  sample: SampleV1<Data>,
  options: Options,
  mode: GenerationMode,
): SamplePlanV1 {
  return benchmark.doPlan(sample, {
    options,
    backend: {
      id: 'test',
      modelId: 'test',
      capabilities: {
        chat: mode === 'chat',
        completion: mode === 'completion',
        loglikelihood: false,
        cacheable: true,
      },
    },
  });
}

/** The context `doScore` gets for a sample planned for a `mode`-only backend, in the suite's sandbox. */
export function scoreContextFor<Data, Options>(
  benchmark: BenchmarkV1<Data, Options>,
  sample: SampleV1<Data>,
  options: Options,
  mode: GenerationMode,
  suite: SuiteSandbox,
  log: LoggerV1,
): ScoreContextV1<Options> {
  return {
    options,
    plan: planFor(benchmark, sample, options, mode),
    judges: {},
    sandbox: suite.sandbox,
    signal: suite.signal,
    log,
  };
}

/** Loading and scoring one benchmark with fixed options in a suite's sandbox. */
export interface CodeBenchmarkHarness<Data, Options> {
  /** Every sample of the benchmark's data. */
  load(): Promise<SampleV1<Data>[]>;
  /** The `doScore` context of a sample planned for a `mode`-only backend (`options` overrides the harness's). */
  context(sample: SampleV1<Data>, mode: GenerationMode, options?: Options): ScoreContextV1<Options>;
  /** Scores one reply text per generation, as answers to the `mode` plan. */
  score(sample: SampleV1<Data>, texts: readonly string[], mode: GenerationMode): Promise<SampleScoreV1>;
  /** Scores every sample concurrently (so that they share sandbox executions), in order. */
  scoreAll(
    samples: readonly SampleV1<Data>[],
    texts: (sample: SampleV1<Data>) => readonly string[],
    mode: GenerationMode,
  ): Promise<SampleScoreV1[]>;
}

/** A harness for `benchmark` with `options`, its data from `datasets`, run in the suite's sandbox. */
export function codeBenchmarkHarness<Data, Options>(
  benchmark: BenchmarkV1<Data, Options>,
  options: Options,
  settings: { suite: SuiteSandbox; datasets: DatasetResolverV1; log: LoggerV1 },
): CodeBenchmarkHarness<Data, Options> {
  const harness: CodeBenchmarkHarness<Data, Options> = {
    load: () => loadAllSamples(benchmark, options, settings.datasets, settings.log),
    context: (sample, mode, override = options) =>
      scoreContextFor(benchmark, sample, override, mode, settings.suite, settings.log),
    score: (sample, texts, mode) =>
      benchmark.doScore(sample, generatedReplies(texts), harness.context(sample, mode)),
    scoreAll: (samples, texts, mode) =>
      Promise.all(samples.map((sample) => harness.score(sample, texts(sample), mode))),
  };
  return harness;
}

/** A per-generation list of a score's details (`verdicts`, `plusVerdicts`), empty when absent. */
export function detailList(score: SampleScoreV1, key: string): (string | null)[] {
  return (score.details?.[key] ?? []) as (string | null)[];
}
