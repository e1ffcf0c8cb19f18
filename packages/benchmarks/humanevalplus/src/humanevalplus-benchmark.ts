import {
  aggregateEvalPlus,
  CodeExecutor,
  chooseGenerationMode,
  evalPlusCompletionPrompt,
  evalPlusCompletionSolution,
  extractHumanEvalChatCode,
  readEvalPlusRecords,
  samplingTemperature,
  scoreEvalPlusSolutions,
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
import { type HumanEvalPlusOptions, humanEvalPlusOptionsSchema } from './humanevalplus-options.js';
import { humanEvalPlusChatInstruction, humanEvalPlusStopSequences } from './humanevalplus-prompt.js';
import { VERSION } from './version.js';

/** One HumanEval+ task. */
export interface HumanEvalPlusProblem {
  taskId: string;
  /** Function signature and docstring the model completes. */
  prompt: string;
  entryPoint: string;
  canonicalSolution: string;
  /** The task's unparsed line of `HumanEvalPlus.jsonl` (its inputs go to the sandbox as they are). */
  record: string;
  /** How the model was asked, recorded at plan time so that scoring extracts code the same way. */
  mode?: 'chat' | 'completion';
}

/**
 * HumanEval+ v0.1.10 as evalplus downloads it (GitHub release `evalplus/humanevalplus_release`, files of
 * commit 200defce). That file is not on the Hub (`evalplus/humanevalplus` hosts a HumanEval-format copy without
 * the inputs), so the Hub location is a placeholder whose sha256 must equal the release file's: without the
 * offline copy, resolution fails with a checksum error rather than loading different data.
 */
export const humanEvalPlusFile: DatasetFile = {
  hub: { repository: 'evalplus/humanevalplus', revision: 'main', path: 'HumanEvalPlus.jsonl.gz' },
  offlinePath: 'humanevalplus/HumanEvalPlus.jsonl.gz',
  sha256: '272720b90ac375502c8ed23cd791c2a93dfb22a911641a494da74a426c09f101',
};

/** Settings of `createHumanEvalPlus`. */
export interface HumanEvalPlusSettings {
  /** The data file; default `humanEvalPlusFile`. */
  dataset?: DatasetFile;
}

/** HumanEval+: generate the function, run evalplus's base and plus tests in the sandbox, pass@k. */
export class HumanEvalPlusBenchmark implements BenchmarkV1<HumanEvalPlusProblem, HumanEvalPlusOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'humanevalplus';
  readonly version = VERSION;
  readonly description = 'HumanEval+ (164 problems, evalplus v0.1.10) in a sandbox; base and plus pass@k.';
  readonly optionsSchema = humanEvalPlusOptionsSchema;
  readonly requirements = { sandbox: true };
  readonly primaryMetric = 'pass@1';
  readonly #dataset: DatasetFile;
  readonly #executors = new WeakMap<object, CodeExecutor>();

  constructor(settings: HumanEvalPlusSettings = {}) {
    this.#dataset = settings.dataset ?? humanEvalPlusFile;
  }

  async doLoad(context: LoadContext<HumanEvalPlusOptions>): Promise<SampleSource<HumanEvalPlusProblem>> {
    // Not rows(): the records hold NaN/Infinity and integers beyond 2^53 that only Python reads faithfully.
    const location = await context.datasets.resolve(this.#dataset);
    const records = await readEvalPlusRecords(location.path);
    const samples = records.map(
      (record): Sample<HumanEvalPlusProblem> => ({
        id: record.taskId,
        data: {
          taskId: record.taskId,
          prompt: record.prompt,
          entryPoint: record.entryPoint,
          canonicalSolution: record.canonicalSolution,
          record: record.record,
        },
      }),
    );
    return { size: samples.length, samples };
  }

  doPlan(sample: Sample<HumanEvalPlusProblem>, context: PlanContext<HumanEvalPlusOptions>): SamplePlan {
    const options = context.options;
    const mode = chooseGenerationMode(options.mode, context.backend.capabilities, this.id);
    sample.data.mode = mode;
    const temperature = samplingTemperature(options);
    if (mode === 'chat') {
      return {
        type: 'chat',
        turns: [humanEvalPlusChatInstruction(sample.data.prompt)],
        parameters: { maxTokens: options.maxTokens ?? 1024, temperature },
        generations: options.n,
      };
    }
    return {
      type: 'completion',
      prompt: evalPlusCompletionPrompt(sample.data.prompt),
      parameters: {
        maxTokens: options.maxTokens ?? 768,
        temperature,
        stop: [...humanEvalPlusStopSequences],
      },
      generations: options.n,
    };
  }

  async doScore(
    sample: Sample<HumanEvalPlusProblem>,
    responses: SampleResponses,
    context: ScoreContext<HumanEvalPlusOptions>,
  ): Promise<SampleScore> {
    if (responses.type !== 'generate') throw new ConfigurationError('humanevalplus needs generated text.');
    if (context.sandbox === undefined) throw new ConfigurationError('humanevalplus needs a sandbox.');
    const problem = sample.data;
    const replies = responses.generations.map((turns) => turns[0]?.text ?? '');
    // A sample planned elsewhere (a resumed run) has no recorded mode: a fenced reply is taken as chat.
    const solutions = replies.map((reply) =>
      problem.mode === 'chat' || (problem.mode === undefined && reply.includes('```'))
        ? extractHumanEvalChatCode(reply, problem.prompt)
        : evalPlusCompletionSolution(
            problem.prompt,
            truncateAtStopSequences(reply, humanEvalPlusStopSequences),
          ),
    );
    return scoreEvalPlusSolutions(
      this.#executor(context.sandbox),
      { taskId: problem.taskId, dataset: 'humaneval', record: problem.record },
      solutions,
      {
        signal: context.signal,
        memoryMb: context.options.memoryMb,
        minTimeLimitSeconds: context.options.minTimeLimitSeconds,
        timeLimitFactor: context.options.timeLimitFactor,
      },
    );
  }

  doAggregate(
    samples: readonly ScoredSample[],
    context: { options: HumanEvalPlusOptions },
  ): Record<string, AggregateMetric> {
    return aggregateEvalPlus(samples, context.options.k);
  }

  #executor(sandbox: NonNullable<ScoreContext<HumanEvalPlusOptions>['sandbox']>): CodeExecutor {
    let executor = this.#executors.get(sandbox);
    if (executor === undefined) {
      executor = new CodeExecutor(sandbox);
      this.#executors.set(sandbox, executor);
    }
    return executor;
  }
}

/** A HumanEval+ benchmark instance. */
export function createHumanEvalPlus(settings: HumanEvalPlusSettings = {}): HumanEvalPlusBenchmark {
  return new HumanEvalPlusBenchmark(settings);
}
