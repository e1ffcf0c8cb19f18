import {
  EvalPlusCodeBenchmark,
  type EvalPlusProblem,
  evalPlusCompletionPrompt,
  evalPlusCompletionSolution,
  extractMbppChatCode,
  type MbppPromptExample,
  mbppChatInstruction,
  readEvalPlusRecords,
  truncateAtStopSequences,
} from '@evalchemy/code-eval';
import {
  DatasetError,
  type DatasetFileV1,
  type DatasetRowV1,
  type LoadContextV1,
  type SampleSourceV1,
  type SampleV1,
} from '@evalchemy/core';
import { type MbppPlusOptions, mbppPlusOptionsSchema } from './mbppplus-options.js';
import { mbppPlusStopSequences } from './mbppplus-prompt.js';
import { VERSION } from './version.js';

/** One MBPP+ task (its line of `MbppPlus.jsonl`, raw and in part decoded). */
export interface MbppPlusProblem extends EvalPlusProblem {
  /** Evalchemy's 3-shot chat instruction for this task. */
  chatPrompt: string;
}

/**
 * MBPP+ v0.2.0 as evalplus downloads it (GitHub release `evalplus/mbppplus_release`, tag v0.2.0 = commit
 * 64fc4195). That file is not on the Hub in this form, so the Hub location is a placeholder pinned to the
 * release file's sha256: without the offline copy, resolution fails with a checksum error.
 */
export const mbppPlusFile: DatasetFileV1 = {
  hub: { repository: 'evalplus/mbppplus', revision: 'main', path: 'MbppPlus.jsonl.gz' },
  offlinePath: 'mbppplus/MbppPlus.jsonl.gz',
  sha256: 'af43697e8791c4c149bdfd6b489d8b5412507551ac20e28a439f650b8225db63',
};

/**
 * The same tasks in MBPP's format (`task_id, prompt, code, test_list, …`), which Evalchemy's chat prompt is
 * built from (its rows 1–3, tasks 3, 4 and 6, are the exemplars). Same Hub caveat as `mbppPlusFile`.
 */
export const mbppPlusOriginalFormatFile: DatasetFileV1 = {
  hub: { repository: 'evalplus/mbppplus', revision: 'main', path: 'MbppPlus-OriginFmt.jsonl.gz' },
  offlinePath: 'mbppplus/MbppPlus-OriginFmt.jsonl.gz',
  sha256: '7a5aec547b134fa297ee6c45f829298aa3f58de02547b8d8a5c3d85d9cb10efc',
  format: { offline: 'jsonl', hub: 'jsonl' },
};

/** Settings of `createMbppPlus`. */
export interface MbppPlusSettings {
  /** The evalplus data file; default `mbppPlusFile`. */
  dataset?: DatasetFileV1;
  /** The MBPP-format file of the chat prompts; default `mbppPlusOriginalFormatFile`. */
  originalFormatDataset?: DatasetFileV1;
}

function promptExample(row: DatasetRowV1, withCode: boolean): MbppPromptExample {
  const example: MbppPromptExample = {
    text: String(row.prompt),
    tests: (row.test_list as unknown[]).map(String),
  };
  if (withCode) example.code = String(row.code);
  return example;
}

/** MBPP+: generate the function, run evalplus's base and plus tests in the sandbox, pass@k. */
export class MbppPlusBenchmark extends EvalPlusCodeBenchmark<MbppPlusProblem, MbppPlusOptions> {
  readonly id = 'mbppplus';
  readonly version = VERSION;
  readonly description = 'MBPP+ (378 problems, evalplus v0.2.0) in a sandbox; base and plus pass@k.';
  readonly optionsSchema = mbppPlusOptionsSchema;
  protected readonly generation = {
    chatMaxTokens: 1024,
    completionMaxTokens: 768,
    stop: mbppPlusStopSequences,
  };
  protected readonly evalPlusDataset = 'mbpp' as const;
  readonly #dataset: DatasetFileV1;
  readonly #originalFormat: DatasetFileV1;

  constructor(settings: MbppPlusSettings = {}) {
    super();
    this.#dataset = settings.dataset ?? mbppPlusFile;
    this.#originalFormat = settings.originalFormatDataset ?? mbppPlusOriginalFormatFile;
  }

  async doLoad(context: LoadContextV1<MbppPlusOptions>): Promise<SampleSourceV1<MbppPlusProblem>> {
    // Not rows(): the records hold NaN/Infinity and integers beyond 2^53 that only Python reads faithfully.
    const location = await context.datasets.resolve(this.#dataset);
    const records = await readEvalPlusRecords(location.path);
    const originals = await context.datasets.rows(this.#originalFormat);
    const byNumber = new Map(originals.map((row) => [Number(row.task_id), row]));
    const exemplars = originals.slice(1, 4).map((row) => promptExample(row, true));
    const samples = records.map((record): SampleV1<MbppPlusProblem> => {
      const original = byNumber.get(Number(record.taskId.split('/')[1]));
      if (original === undefined) {
        throw new DatasetError(
          `${this.#originalFormat.offlinePath} has no row for ${record.taskId}: it does not belong with ${this.#dataset.offlinePath}.`,
        );
      }
      return {
        id: record.taskId,
        data: {
          taskId: record.taskId,
          prompt: record.prompt,
          entryPoint: record.entryPoint,
          canonicalSolution: record.canonicalSolution,
          chatPrompt: mbppChatInstruction(exemplars, promptExample(original, false)),
          record: record.record,
        },
      };
    });
    return { size: samples.length, samples };
  }

  protected chatPrompt(problem: MbppPlusProblem): string {
    return problem.chatPrompt;
  }

  protected completionPrompt(problem: MbppPlusProblem): string {
    return evalPlusCompletionPrompt(problem.prompt);
  }

  protected solution(problem: MbppPlusProblem, reply: string, chat: boolean): string {
    return chat
      ? extractMbppChatCode(reply)
      : evalPlusCompletionSolution(problem.prompt, truncateAtStopSequences(reply, mbppPlusStopSequences));
  }
}

/** An MBPP+ benchmark instance. */
export function createMbppPlus(settings: MbppPlusSettings = {}): MbppPlusBenchmark {
  return new MbppPlusBenchmark(settings);
}
