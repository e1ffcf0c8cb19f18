import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
  DatasetError,
  type DatasetFileV1,
  type LoadContextV1,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
  type ScoreContextV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import { PythonRandom } from '@evalchemy/python-random';
import { VERSION } from './version.js';
import {
  loadReferenceOutputs,
  loadTasks,
  referenceOutputsFile,
  wildBenchTestFile,
} from './wildbench-data.js';
import {
  createWildBenchOptionsSchema,
  type WildBenchOptions,
  type WildBenchReferenceModel,
} from './wildbench-options.js';
import {
  aggregateRewards,
  aggregateScores,
  categorySeparator,
  scoreWithRating,
  scoreWithReward,
  type WildBenchSampleData,
} from './wildbench-scorer.js';

/**
 * Judge model used when the user names none: Evalchemy's WildBench maps `--annotator_model auto` to
 * `gpt-4-1106-preview` (also WildBench's `eval.py` default; its published WB-Scores used gpt-4o-2024-05-13 and its
 * rewards gpt-4-turbo-2024-04-09).
 */
export const DEFAULT_JUDGE_MODEL = 'gpt-4-1106-preview';

/** New tokens per answer: Evalchemy's `max_tokens` default for WildBench. */
export const MAX_NEW_TOKENS = 1024;

/** Settings of `createWildBench`. */
export interface WildBenchSettings {
  /** Defaults for the options the user's `tasks.wildbench` leaves out (`mode: 'reward'` also makes `WB_Reward` primary). */
  options?: Partial<WildBenchOptions>;
  /** The test split to load; default `wildBenchTestFile`. */
  dataset?: DatasetFileV1;
  /** The reference answers per reference model; default `referenceOutputsFile(model)`. */
  referenceFiles?: Partial<Record<WildBenchReferenceModel, DatasetFileV1>>;
}

type WildBenchOptionsSchema = ReturnType<typeof createWildBenchOptionsSchema>;

function withSha256(file: DatasetFileV1, sha256: string | undefined): DatasetFileV1 {
  return sha256 === undefined ? file : { ...file, sha256: { offline: sha256, hub: sha256 } };
}

/**
 * WildBench v2 as WildBench's `eval.py` and Evalchemy's `WildBench` task run it: the model answers the last user
 * message of each of 1024 real conversations, given the earlier turns; an LLM judge with the task's checklist
 * rates the answer 1-10 (WB-Score) or compares it with a reference model's (WB-Reward).
 */
export class WildBenchBenchmark implements BenchmarkV1<WildBenchSampleData, WildBenchOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'wildbench';
  readonly version = VERSION;
  readonly description =
    'WildBench v2 (1024 real multi-turn tasks), WB-Score 1-10 with checklists or WB-Reward, by an LLM judge, as WildBench.';
  readonly optionsSchema: WildBenchOptionsSchema;
  readonly requirements = {
    judges: {
      judge: {
        defaultModel: DEFAULT_JUDGE_MODEL,
        needs: { json: true },
        description:
          "rates each answer 1-10 against the task's checklist, or compares it with a reference answer (JSON verdict)",
      },
    },
  };
  /** Evalchemy's `--debug` size (`dataset.select(range(min(2, len(dataset))))`). */
  readonly debugLimit = 2;
  readonly primaryMetric: string;
  readonly headlineMetrics: readonly string[];
  private readonly dataset: DatasetFileV1;
  private readonly referenceFiles: Partial<Record<WildBenchReferenceModel, DatasetFileV1>>;

  constructor(settings: WildBenchSettings = {}) {
    this.optionsSchema = createWildBenchOptionsSchema(settings.options);
    this.dataset = settings.dataset ?? wildBenchTestFile;
    this.referenceFiles = settings.referenceFiles ?? {};
    ({ primaryMetric: this.primaryMetric, headlineMetrics: this.headlineMetrics } = this.metricsFor(
      settings.options ?? {},
    ));
  }

  /** WB-Score's figures in score mode (the default), WB-Reward's in reward mode. */
  metricsFor(options: Partial<Pick<WildBenchOptions, 'mode'>>): {
    primaryMetric: string;
    headlineMetrics: readonly string[];
  } {
    return options.mode === 'reward'
      ? { primaryMetric: 'WB_Reward', headlineMetrics: ['WB_Reward', 'WB_Reward_task_macro'] }
      : { primaryMetric: 'WB_Score', headlineMetrics: ['WB_Score', 'WB_Score_overall'] };
  }

  async doLoad(context: LoadContextV1<WildBenchOptions>): Promise<SampleSourceV1<WildBenchSampleData>> {
    const { options } = context;
    const tasks: WildBenchSampleData[] = await loadTasks(
      context.datasets,
      withSha256(this.dataset, options.dataset_sha256),
    );
    if (options.mode === 'reward') {
      const file = withSha256(
        this.referenceFiles[options.reference_model] ?? referenceOutputsFile(options.reference_model),
        options.reference_sha256,
      );
      const references = await loadReferenceOutputs(context.datasets, file);
      // WildBench draws once per task, in dataset order, from random.seed(42).
      const random = new PythonRandom(options.seed);
      for (const task of tasks) {
        const reference = references.get(task.sessionId);
        if (reference === undefined) {
          throw new DatasetError(`${file.offlinePath} has no answer for WildBench task ${task.sessionId}.`);
        }
        task.referenceOutput = reference;
        task.draw = random.random();
      }
    }
    return {
      size: tasks.length,
      samples: tasks.map((task) => ({
        id: task.sessionId,
        data: task,
        metadata: { primary_tag: task.primaryTag, task_categories: task.categories.join(categorySeparator) },
      })),
    };
  }

  doPlan(sample: SampleV1<WildBenchSampleData>, context: PlanContextV1<WildBenchOptions>): SamplePlanV1 {
    if (!context.backend.capabilities.chat) {
      throw new ConfigurationError(
        `wildbench continues multi-turn chat conversations, but backend "${context.backend.id}" ` +
          `(${context.backend.modelId}) has no chat endpoint. Use a chat backend (or a server that applies the chat template).`,
      );
    }
    return {
      type: 'chat',
      history: sample.data.history,
      turns: [sample.data.lastQuery],
      // Evalchemy: greedy (temperature 0, top_p 1), max_tokens 1024.
      parameters: { temperature: 0, maxTokens: MAX_NEW_TOKENS },
    };
  }

  doScore(
    sample: SampleV1<WildBenchSampleData>,
    responses: SampleResponsesV1,
    context: ScoreContextV1<WildBenchOptions>,
  ): Promise<SampleScoreV1> {
    return context.options.mode === 'reward'
      ? scoreWithReward(sample.data, responses, context)
      : scoreWithRating(sample.data, responses, context);
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: WildBenchOptions },
  ): Record<string, AggregateMetricV1 | number> {
    return context.options.mode === 'reward' ? aggregateRewards(samples) : aggregateScores(samples);
  }
}

/** A WildBench benchmark with the given default options (and, for tests, data files). */
export function createWildBench(settings: WildBenchSettings = {}): WildBenchBenchmark {
  return new WildBenchBenchmark(settings);
}
