import {
  extractMbppChatCode,
  mbppChatInstruction,
  mbppProgram,
  type TestProgram,
  TestProgramCodeBenchmark,
  truncateAtStopSequences,
} from '@evalchemy/code-eval';
import {
  ConfigurationError,
  type DatasetFileV1,
  type DatasetRowV1,
  type LoadContextV1,
  type SampleSourceV1,
  type SampleV1,
} from '@evalchemy/core';
import { type MbppOptions, mbppOptionsSchema } from './mbpp-options.js';
import { mbppCompletionPrompt, mbppStopSequences } from './mbpp-prompt.js';
import { VERSION } from './version.js';

/** One MBPP problem. */
export interface MbppProblem {
  taskId: number;
  /** The problem statement. */
  text: string;
  /** The `assert` lines that decide a pass. */
  tests: string[];
  /** Imports put before the candidate (sanitized split). */
  imports: string[];
  /** Code run before the tests (`test_setup_code` of the full split; two problems have one). */
  setupCode: string;
  /** The reference solution. */
  code: string;
  /** Evalchemy's 3-shot chat instruction. */
  chatPrompt: string;
  /** lm-eval's 3-shot `mbpp` prompt. */
  completionPrompt: string;
}

/**
 * The original MBPP file (974 problems; Google's `mbpp/mbpp.jsonl`). The offline copy comes from a fork and is
 * unverified against upstream (see the README). The Hub only has it as per-split parquet files, so the Hub
 * location is a placeholder pinned to this file's sha256: without the offline copy, resolution fails.
 */
export const mbppFullFile: DatasetFileV1 = {
  hub: { repository: 'google-research-datasets/mbpp', revision: 'main', path: 'mbpp.jsonl' },
  offlinePath: 'mbpp/mbpp.jsonl',
  sha256: 'ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f',
  format: { offline: 'jsonl', hub: 'jsonl' },
};

/** The sanitized MBPP file (427 problems; Google's `mbpp/sanitized-mbpp.json`). Same Hub caveat. */
export const mbppSanitizedFile: DatasetFileV1 = {
  hub: { repository: 'google-research-datasets/mbpp', revision: 'main', path: 'sanitized-mbpp.json' },
  offlinePath: 'mbpp/sanitized-mbpp.json',
  sha256: 'ca95deaa9a01ef0a6f439f88bcf0dd3db3563d22f22aad6cae04ebb9a8d8c8e9',
  format: { offline: 'json', hub: 'json' },
};

/** Settings of `createMbpp`. */
export interface MbppSettings {
  /** The full MBPP file (also the source of the exemplars); default `mbppFullFile`. */
  fullDataset?: DatasetFileV1;
  /** The sanitized MBPP file; default `mbppSanitizedFile`. */
  sanitizedDataset?: DatasetFileV1;
}

// The exemplars of the MBPP paper, used by Evalchemy and lm-eval alike; the test problems of the full split.
const exemplarIds = [2, 3, 4];
const firstTestId = 11;
const lastTestId = 510;

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** MBPP: generate a function from its description and tests, run the asserts in the sandbox, pass@k. */
export class MbppBenchmark extends TestProgramCodeBenchmark<MbppProblem, MbppOptions> {
  readonly id = 'mbpp';
  readonly version = VERSION;
  readonly description = 'MBPP (500 test problems, or sanitized 427) run in a sandbox; pass@k.';
  readonly optionsSchema = mbppOptionsSchema;
  protected readonly generation = { chatMaxTokens: 512, completionMaxTokens: 256, stop: mbppStopSequences };
  readonly #full: DatasetFileV1;
  readonly #sanitized: DatasetFileV1;

  constructor(settings: MbppSettings = {}) {
    super();
    this.#full = settings.fullDataset ?? mbppFullFile;
    this.#sanitized = settings.sanitizedDataset ?? mbppSanitizedFile;
  }

  async doLoad(context: LoadContextV1<MbppOptions>): Promise<SampleSourceV1<MbppProblem>> {
    const full = await context.datasets.rows(this.#full);
    const exemplars = exemplarIds.map((id) => {
      const row = full.find((item) => Number(item.task_id) === id);
      if (row === undefined)
        throw new ConfigurationError(`${this.#full.offlinePath} has no MBPP task ${id}.`);
      return { text: String(row.text), tests: strings(row.test_list), code: String(row.code) };
    });
    const problems: MbppProblem[] =
      context.options.split === 'full'
        ? full
            .filter((row) => Number(row.task_id) >= firstTestId && Number(row.task_id) <= lastTestId)
            .map((row) => this.#problem(row, String(row.text), [], String(row.test_setup_code ?? '')))
        : (await context.datasets.rows(this.#sanitized)).map((row) =>
            this.#problem(row, String(row.prompt), strings(row.test_imports), ''),
          );
    for (const problem of problems) {
      const question = { text: problem.text, tests: problem.tests };
      problem.chatPrompt = mbppChatInstruction(exemplars, question);
      problem.completionPrompt = mbppCompletionPrompt(exemplars, question);
    }
    const samples = problems.map(
      (problem): SampleV1<MbppProblem> => ({ id: String(problem.taskId), data: problem }),
    );
    return { size: samples.length, samples };
  }

  protected chatPrompt(problem: MbppProblem): string {
    return problem.chatPrompt;
  }

  protected completionPrompt(problem: MbppProblem): string {
    return problem.completionPrompt;
  }

  protected code(_problem: MbppProblem, reply: string, chat: boolean): string {
    return chat ? extractMbppChatCode(reply) : truncateAtStopSequences(reply, mbppStopSequences);
  }

  protected program(problem: MbppProblem, code: string): TestProgram {
    const tests = problem.setupCode.trim() === '' ? problem.tests : [problem.setupCode, ...problem.tests];
    return mbppProgram({ code, tests, imports: problem.imports });
  }

  #problem(row: DatasetRowV1, text: string, imports: string[], setupCode: string): MbppProblem {
    return {
      taskId: Number(row.task_id),
      text,
      tests: strings(row.test_list),
      imports,
      setupCode,
      code: String(row.code),
      chatPrompt: '',
      completionPrompt: '',
    };
  }
}

/** An MBPP benchmark instance. */
export function createMbpp(settings: MbppSettings = {}): MbppBenchmark {
  return new MbppBenchmark(settings);
}
