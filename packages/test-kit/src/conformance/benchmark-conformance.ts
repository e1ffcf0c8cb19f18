import { readFileSync } from 'node:fs';
import {
  type BackendCapabilitiesV1,
  type BenchmarkV1,
  pluginManifestSchema,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { createOfflineDatasetResolver } from '../offline-dataset-resolver.js';
import { createScriptedJudge } from '../scripted-judge.js';
import { createRecordingLogger, sharedDatasetsDirectory } from '../shared-fixtures.js';

export interface BenchmarkConformanceSettings<Options> {
  /** The benchmark package's package.json (e.g. `new URL('../package.json', import.meta.url)`), whose manifest is checked. */
  packageJsonPath: string | URL;
  /** Offline data directory (laid out like shared/datasets). Default: `sharedDatasetsDirectory()`. */
  datasetsDirectory?: string;
  /** Raw options parsed by the benchmark's schema before loading. Default `{}`. */
  options?: Partial<Options> | Record<string, unknown>;
  /** How many samples are planned and scored. Default 20. */
  sampleLimit?: number;
}

const backendDescriptions: { name: string; capabilities: BackendCapabilitiesV1 }[] = [
  {
    name: 'a chat-only backend',
    capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
  },
  {
    name: 'a completion-only backend',
    capabilities: { chat: false, completion: true, loglikelihood: false, cacheable: true },
  },
  {
    name: 'a completion backend with loglikelihood',
    capabilities: { chat: false, completion: true, loglikelihood: true, cacheable: true },
  },
];

/**
 * Defines vitest tests that check a benchmark against contract v1 and its package manifest: identity,
 * options defaults, loading real data through the offline dataset resolver (sha256 checked), planning for
 * chat-only and completion-only backends, and scoring an empty answer without throwing, each judge role
 * answered by a scripted judge that rates everything `Rating: [[5]]`.
 */
export function runBenchmarkConformance<Data, Options>(
  benchmark: BenchmarkV1<Data, Options>,
  settings: BenchmarkConformanceSettings<Options>,
): void {
  const sampleLimit = settings.sampleLimit ?? 20;
  let loaded: Promise<{ size: number; samples: SampleV1<Data>[] }> | undefined;

  function options(): Options {
    return benchmark.optionsSchema.parse(settings.options ?? {});
  }

  function load() {
    loaded ??= (async () => {
      const datasets = createOfflineDatasetResolver(settings.datasetsDirectory ?? sharedDatasetsDirectory());
      const source = await benchmark.doLoad({
        options: options(),
        datasets,
        seed: 0,
        log: createRecordingLogger(),
      });
      const samples: SampleV1<Data>[] = [];
      for await (const sample of source.samples) samples.push(sample);
      return { size: source.size, samples };
    })();
    return loaded;
  }

  function plans(
    sample: SampleV1<Data>,
  ): { name: string; capabilities: BackendCapabilitiesV1; plan: SamplePlanV1 }[] {
    const found = [];
    for (const description of backendDescriptions) {
      try {
        const plan = benchmark.doPlan(sample, {
          options: options(),
          backend: {
            id: 'conformance',
            modelId: 'conformance-model',
            capabilities: description.capabilities,
          },
        });
        found.push({ ...description, plan });
      } catch {
        // A benchmark may refuse a backend it cannot use (a chat benchmark on a completion-only model).
      }
    }
    return found;
  }

  describe(`${benchmark.id}: benchmark conformance (v1)`, () => {
    it('declares specificationVersion, kind, id, version, description and primaryMetric', () => {
      expect(benchmark.specificationVersion).toBe('v1');
      expect(benchmark.kind).toBe('benchmark');
      expect(benchmark.id).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
      expect(typeof benchmark.description).toBe('string');
      expect(benchmark.description.length).toBeGreaterThan(0);
      expect(typeof benchmark.primaryMetric).toBe('string');
      // `--debug` runs this many samples: a count, when declared.
      if (benchmark.debugLimit !== undefined) {
        expect(Number.isInteger(benchmark.debugLimit) && benchmark.debugLimit >= 1, 'debugLimit ≥ 1').toBe(
          true,
        );
      }
      expect(typeof benchmark.requirements).toBe('object');
    });

    it('matches the manifest and version of its package.json', () => {
      const packageJson = JSON.parse(readFileSync(settings.packageJsonPath, 'utf8')) as {
        version?: unknown;
        evalchemy?: unknown;
      };
      const manifest = pluginManifestSchema.parse(packageJson.evalchemy);
      expect(manifest.kind).toBe('benchmark');
      expect(manifest.id).toBe(benchmark.id);
      expect(manifest.specification).toContain(benchmark.specificationVersion);
      expect(manifest.entry).toMatch(/^\.\/.+\.js$/);
      expect(benchmark.version).toBe(packageJson.version);
    });

    it('accepts empty options', () => {
      expect(benchmark.optionsSchema.safeParse({}).success).toBe(true);
    });

    it('loads `size` samples with unique string ids', async () => {
      const { size, samples } = await load();
      expect(Number.isInteger(size)).toBe(true);
      expect(samples.length).toBe(size);
      expect(size).toBeGreaterThan(0);
      const ids = new Set<string>();
      for (const sample of samples) {
        expect(typeof sample.id).toBe('string');
        expect(ids.has(sample.id), `duplicate sample id ${sample.id}`).toBe(false);
        ids.add(sample.id);
      }
    });

    it('plans valid requests for the backends it supports', async () => {
      const { samples } = await load();
      for (const sample of samples.slice(0, sampleLimit)) {
        const found = plans(sample);
        expect(found.length, `no backend description could plan sample ${sample.id}`).toBeGreaterThan(0);
        for (const { name, capabilities, plan } of found)
          checkPlan(plan, capabilities, `${sample.id} on ${name}`);
      }
    });

    it.skipIf(benchmark.requirements.sandbox === true)(
      'scores an empty answer with the primary metric, without throwing',
      async () => {
        const { samples } = await load();
        const scored: ScoredSampleV1[] = [];
        for (const sample of samples.slice(0, sampleLimit)) {
          const first = plans(sample)[0];
          if (first === undefined) continue;
          const score = await benchmark.doScore(sample, emptyResponses(first.plan), {
            options: options(),
            plan: first.plan,
            judges: Object.fromEntries(
              Object.keys(benchmark.requirements.judges ?? {}).map((role) => [
                role,
                createScriptedJudge({ role, answer: 'Rating: [[5]]' }),
              ]),
            ),
            signal: new AbortController().signal,
            log: createRecordingLogger(),
          });
          expect(Object.keys(score.metrics), `metrics of ${sample.id}`).toContain(benchmark.primaryMetric);
          for (const [metric, value] of Object.entries(score.metrics)) {
            expect(value === null || typeof value === 'number', `${metric} of ${sample.id}`).toBe(true);
          }
          scored.push({ id: sample.id, metadata: sample.metadata ?? {}, metrics: score.metrics });
        }
        expect(scored.length).toBeGreaterThan(0);
        if (benchmark.doAggregate !== undefined) {
          const aggregate = benchmark.doAggregate(scored, { options: options() });
          for (const [metric, value] of Object.entries(aggregate)) {
            const number = typeof value === 'number' ? value : value.value;
            expect(typeof number, metric).toBe('number');
          }
        }
      },
    );
  });
}

function checkPlan(plan: SamplePlanV1, capabilities: BackendCapabilitiesV1, where: string): void {
  switch (plan.type) {
    case 'chat':
      expect(capabilities.chat, `${where}: chat plan for a backend without chat`).toBe(true);
      expect(plan.turns.length, where).toBeGreaterThan(0);
      for (const turn of plan.turns) expect(typeof turn, where).toBe('string');
      expect(typeof plan.parameters, where).toBe('object');
      checkGenerations(plan.generations, where);
      break;
    case 'completion':
      expect(capabilities.completion, `${where}: completion plan for a backend without completion`).toBe(
        true,
      );
      expect(typeof plan.prompt, where).toBe('string');
      expect(typeof plan.parameters, where).toBe('object');
      checkGenerations(plan.generations, where);
      break;
    case 'loglikelihood':
      expect(capabilities.loglikelihood, `${where}: loglikelihood plan without the capability`).toBe(true);
      expect(typeof plan.context, where).toBe('string');
      expect(plan.continuations.length, where).toBeGreaterThan(0);
      break;
    default:
      throw new Error(`${where}: unknown plan type ${(plan as { type: unknown }).type}`);
  }
}

function checkGenerations(generations: number | undefined, where: string): void {
  if (generations === undefined) return;
  expect(Number.isInteger(generations) && generations > 0, `${where}: generations ${generations}`).toBe(true);
}

function emptyResponses(plan: SamplePlanV1): SampleResponsesV1 {
  if (plan.type === 'loglikelihood') {
    return {
      type: 'loglikelihood',
      results: plan.continuations.map(() => ({ logprob: -1, isGreedy: false, warnings: [] })),
    };
  }
  const turns = plan.type === 'chat' ? plan.turns.length : 1;
  return {
    type: 'generate',
    generations: Array.from({ length: plan.generations ?? 1 }, () =>
      Array.from({ length: turns }, () => ({ text: '', finishReason: 'stop' as const, warnings: [] })),
    ),
  };
}
