import {
  aggregatePassAtK,
  CodeExecutor,
  chooseGenerationMode,
  extractMbppChatCode,
  isPassed,
  mbppChatInstruction,
  mbppProgram,
  samplingTemperature,
  truncateAtStopSequences,
} from '@evalchemy/code-eval';
import {
  type AggregateMetric,
  type BenchmarkV1,
  ConfigurationError,
  type DatasetFile,
  type DatasetRow,
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
  /** How the model was asked, recorded at plan time so that scoring extracts code the same way. */
  mode?: 'chat' | 'completion';
}

/**
 * The original MBPP file (974 problems; Google's `mbpp/mbpp.jsonl`). The offline copy comes from a fork and is
 * unverified against upstream (see the README). The Hub only has it as per-split parquet files, so the Hub
 * location is a placeholder pinned to this file's sha256: without the offline copy, resolution fails.
 */
export const mbppFullFile: DatasetFile = {
  hub: { repository: 'google-research-datasets/mbpp', revision: 'main', path: 'mbpp.jsonl' },
  offlinePath: 'mbpp/mbpp.jsonl',
  sha256: 'ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f',
  format: { offline: 'jsonl', hub: 'jsonl' },
};

/** The sanitized MBPP file (427 problems; Google's `mbpp/sanitized-mbpp.json`). Same Hub caveat. */
export const mbppSanitizedFile: DatasetFile = {
  hub: { repository: 'google-research-datasets/mbpp', revision: 'main', path: 'sanitized-mbpp.json' },
  offlinePath: 'mbpp/sanitized-mbpp.json',
  sha256: 'ca95deaa9a01ef0a6f439f88bcf0dd3db3563d22f22aad6cae04ebb9a8d8c8e9',
  format: { offline: 'json', hub: 'json' },
};

/** Settings of `createMbpp`. */
export interface MbppSettings {
  /** The full MBPP file (also the source of the exemplars); default `mbppFullFile`. */
  fullDataset?: DatasetFile;
  /** The sanitized MBPP file; default `mbppSanitizedFile`. */
  sanitizedDataset?: DatasetFile;
}

// The exemplars of the MBPP paper, used by Evalchemy and lm-eval alike; the test problems of the full split.
const exemplarIds = [2, 3, 4];
const firstTestId = 11;
const lastTestId = 510;

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** MBPP: generate a function from its description and tests, run the asserts in the sandbox, pass@k. */
export class MbppBenchmark implements BenchmarkV1<MbppProblem, MbppOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'mbpp';
  readonly version = VERSION;
  readonly description = 'MBPP (500 test problems, or sanitized 427) run in a sandbox; pass@k.';
  readonly optionsSchema = mbppOptionsSchema;
  readonly requirements = { sandbox: true };
  readonly primaryMetric = 'pass@1';
  readonly #full: DatasetFile;
  readonly #sanitized: DatasetFile;
  readonly #executors = new WeakMap<object, CodeExecutor>();

  constructor(settings: MbppSettings = {}) {
    this.#full = settings.fullDataset ?? mbppFullFile;
    this.#sanitized = settings.sanitizedDataset ?? mbppSanitizedFile;
  }

  async doLoad(context: LoadContext<MbppOptions>): Promise<SampleSource<MbppProblem>> {
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
      (problem): Sample<MbppProblem> => ({ id: String(problem.taskId), data: problem }),
    );
    return { size: samples.length, samples };
  }

  doPlan(sample: Sample<MbppProblem>, context: PlanContext<MbppOptions>): SamplePlan {
    const options = context.options;
    const mode = chooseGenerationMode(options.mode, context.backend.capabilities, this.id);
    sample.data.mode = mode;
    const temperature = samplingTemperature(options);
    if (mode === 'chat') {
      return {
        type: 'chat',
        turns: [sample.data.chatPrompt],
        parameters: { maxTokens: options.maxTokens ?? 512, temperature },
        generations: options.n,
      };
    }
    return {
      type: 'completion',
      prompt: sample.data.completionPrompt,
      parameters: { maxTokens: options.maxTokens ?? 256, temperature, stop: [...mbppStopSequences] },
      generations: options.n,
    };
  }

  async doScore(
    sample: Sample<MbppProblem>,
    responses: SampleResponses,
    context: ScoreContext<MbppOptions>,
  ): Promise<SampleScore> {
    if (responses.type !== 'generate') throw new ConfigurationError('mbpp needs generated text.');
    if (context.sandbox === undefined) throw new ConfigurationError('mbpp needs a sandbox.');
    const problem = sample.data;
    const replies = responses.generations.map((turns) => turns[0]?.text ?? '');
    // A sample planned elsewhere (a resumed run) has no recorded mode: a fenced reply is taken as chat.
    const codes = replies.map((reply) =>
      problem.mode === 'chat' || (problem.mode === undefined && reply.includes('```'))
        ? extractMbppChatCode(reply)
        : truncateAtStopSequences(reply, mbppStopSequences),
    );
    const tests = problem.setupCode.trim() === '' ? problem.tests : [problem.setupCode, ...problem.tests];
    const programs = codes.map((code) => mbppProgram({ code, tests, imports: problem.imports }));
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
    context: { options: MbppOptions },
  ): Record<string, AggregateMetric> {
    return aggregatePassAtK(samples, { ks: context.options.k, countKey: 'correct' });
  }

  #problem(row: DatasetRow, text: string, imports: string[], setupCode: string): MbppProblem {
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

  #executor(sandbox: NonNullable<ScoreContext<MbppOptions>['sandbox']>): CodeExecutor {
    let executor = this.#executors.get(sandbox);
    if (executor === undefined) {
      executor = new CodeExecutor(sandbox);
      this.#executors.set(sandbox, executor);
    }
    return executor;
  }
}

/** An MBPP benchmark instance. */
export function createMbpp(settings: MbppSettings = {}): MbppBenchmark {
  return new MbppBenchmark(settings);
}
