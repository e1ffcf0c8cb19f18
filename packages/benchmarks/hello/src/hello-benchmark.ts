import {
  type BenchmarkV1,
  type ChatMessageV1,
  ConfigurationError,
  type LoadContextV1,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
} from '@evalchemy/core';
import { type HelloOptions, helloOptionsSchema } from './hello-options.js';
import { scoreHelloResponse } from './hello-scorer.js';
import { VERSION } from './version.js';

// What a new benchmark changes here:
// - `HelloProblem` and the data: the fields of one row, read from a pinned data file in `doLoad`;
// - `doPlan`: the reference implementation's prompt, stop strings and token limit;
// - `doScore`: the metric names the reference reports (lm-eval's `exact_match`, `acc`), computed by the scorer;
// - `description`, `primaryMetric`, and `requirements` (`judges` for LLM judges by role, `sandbox: true` to
//   run generated code).

/** One problem: a question and its gold answer. */
export interface HelloProblem {
  question: string;
  answer: string;
}

/**
 * The problems, inline because they are synthetic and tiny. A real benchmark pins its file instead and reads
 * it in `doLoad` with `context.datasets.rows(file)`, which verifies the sha256 and reads
 * `EVALCHEMY_DATASETS_DIR/<offlinePath>` when that is set (offline, tests), else the Hub:
 *
 * ```ts
 * export const myTaskTestFile: DatasetFile = {
 *   hub: { repository: 'owner/dataset', revision: '<40-hex commit>', path: 'main/test-00000-of-00001.parquet' },
 *   offlinePath: 'my_task/test.jsonl',
 *   sha256: { offline: '<sha256 of the offline file>' }, // a Hub hash left out is recorded on first download
 * };
 * ```
 *
 * and checks each row's fields, throwing `DatasetError` naming the file and row when one is malformed.
 */
export const helloProblems: readonly HelloProblem[] = [
  { question: 'What is 2+3?', answer: '5' },
  { question: 'What is 7+6?', answer: '13' },
  { question: 'What is 10-4?', answer: '6' },
  { question: 'What is 3*4?', answer: '12' },
  { question: 'What is 9+10?', answer: '19' },
];

/** The worked examples `num_fewshot` selects, in order; kept apart from the problems that are scored. */
export const helloExemplars: readonly HelloProblem[] = [
  { question: 'What is 1+1?', answer: '2' },
  { question: 'What is 8-3?', answer: '5' },
];

/** Said before the question: as the system message to chat backends, as the prompt's first line otherwise. */
export const helloInstruction = 'Answer with a number only.';

/** Settings of `createHello`: what a test or a mirror replaces, unlike user options. */
export interface HelloSettings {
  /** The problems to ask; default `helloProblems`. */
  problems?: readonly HelloProblem[];
}

/** The template benchmark: short sums, answered with a bare number, scored by exact match. */
export class HelloBenchmark implements BenchmarkV1<HelloProblem, HelloOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  /** Equal to the manifest id in package.json and to the folder name (the conformance and meta tests check). */
  readonly id = 'hello';
  readonly version = VERSION;
  readonly description = 'Template benchmark: five synthetic sums, exact match.';
  readonly optionsSchema = helloOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'exact_match';
  readonly #problems: readonly HelloProblem[];

  constructor(settings: HelloSettings = {}) {
    this.#problems = settings.problems ?? helloProblems;
  }

  // Only configuration and infrastructure problems throw from doLoad (a missing or malformed file): the
  // runner then reports the task as failed and runs the others.
  async doLoad(_context: LoadContextV1<HelloOptions>): Promise<SampleSourceV1<HelloProblem>> {
    // Ids are the dataset's own when it has them, else the 0-based row index.
    const samples = this.#problems.map(
      (data, index): SampleV1<HelloProblem> => ({ id: String(index), data }),
    );
    return { size: samples.length, samples };
  }

  doPlan(sample: SampleV1<HelloProblem>, context: PlanContextV1<HelloOptions>): SamplePlanV1 {
    const shots = helloExemplars.slice(0, context.options.num_fewshot);
    // The runner applies the user's --max_tokens, --seed and --system_instruction over these.
    const parameters = { temperature: 0, maxTokens: 16 };
    const { capabilities } = context.backend;
    if (capabilities.chat) {
      const history = shots.flatMap((shot): ChatMessageV1[] => [
        { role: 'user', content: shot.question },
        { role: 'assistant', content: shot.answer },
      ]);
      return { type: 'chat', system: helloInstruction, history, turns: [sample.data.question], parameters };
    }
    if (capabilities.completion) {
      const solved = shots.map((shot) => `Q: ${shot.question}\nA: ${shot.answer}\n\n`).join('');
      const prompt = `${helloInstruction}\n\n${solved}Q: ${sample.data.question}\nA:`;
      // A completion model goes on to invent the next question: stop at the end of the answer line.
      return { type: 'completion', prompt, parameters: { ...parameters, stop: ['\n'] } };
    }
    throw new ConfigurationError(
      `${this.id} generates answers, but backend "${context.backend.id}" supports neither chat nor completion requests.`,
    );
  }

  // A scorer that throws marks only this sample as failed (recorded in the samples file), not the run.
  async doScore(sample: SampleV1<HelloProblem>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    if (responses.type !== 'generate') {
      throw new Error(`${this.id} expects generated text, got ${responses.type} results.`);
    }
    const verdict = scoreHelloResponse(responses.generations[0]?.[0]?.text ?? '', sample.data.answer);
    return {
      metrics: { exact_match: verdict.exactMatch },
      extracted: verdict.extracted,
      details: { gold: sample.data.answer },
    };
  }

  // No doAggregate: the runner reports each per-sample metric's mean and its standard error (`exact_match`
  // and `exact_match_stderr` in the results file). Define doAggregate only for a corpus metric that is not a
  // mean of per-sample values (corpus F1, pass@k over repeats, a ratio of sums).
}

/** A hello benchmark; `settings.problems` replaces the built-in problems. */
export function createHello(settings: HelloSettings = {}): HelloBenchmark {
  return new HelloBenchmark(settings);
}
