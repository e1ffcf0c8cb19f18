import {
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
  type ScoredSampleV1,
} from '@evalchemy/core';
import { PythonRandom } from '@evalchemy/python-random';
import { type HendrycksMathOptions, hendrycksMathOptionsSchema } from './hendrycks-math-options.js';
import {
  aggregateHendrycksMath,
  type HendrycksMathExemplar,
  type HendrycksMathProblem,
  hendrycksMathGoldAnswer,
  hendrycksMathPrompt,
  scoreHendrycksMathResponse,
} from './hendrycks-math-scorer.js';
import {
  type HendrycksMathSplit,
  type HendrycksMathSubject,
  hendrycksMathFile,
} from './hendrycks-math-subjects.js';
import { VERSION } from './version.js';

/** lm-eval's `generation_kwargs` (greedy, until "Problem:") and its default `max_gen_toks`. */
const generationParameters = { temperature: 0, maxTokens: 256, stop: ['Problem:'] };

/** Settings of `createHendrycksMath`. */
export interface HendrycksMathSettings {
  /** The data file of each subject and split; default `hendrycksMathFile` (tests, mirrors). */
  dataFile?: (subject: HendrycksMathSubject, split: HendrycksMathSplit) => DatasetFileV1;
}

/**
 * MATH as lm-evaluation-harness's `hendrycks_math` group: the seven subject tasks, `Problem: …\nAnswer:`
 * (zero-shot unless `num_fewshot`), `exact_match` by lm-eval's `is_equiv`, and the size-weighted group mean.
 */
export class HendrycksMathBenchmark implements BenchmarkV1<HendrycksMathProblem, HendrycksMathOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'hendrycks_math';
  readonly version = VERSION;
  readonly description =
    'MATH test (5000 problems, 7 subjects), exact_match per subject and weighted by size as lm-eval hendrycks_math.';
  readonly optionsSchema = hendrycksMathOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'exact_match';
  readonly #dataFile: (subject: HendrycksMathSubject, split: HendrycksMathSplit) => DatasetFileV1;

  constructor(settings: HendrycksMathSettings = {}) {
    this.#dataFile = settings.dataFile ?? hendrycksMathFile;
  }

  /** A split's rows as problems with their boxed answers, as lm-eval's `process_docs` (which fails where this throws). */
  async #problems(
    subject: HendrycksMathSubject,
    split: HendrycksMathSplit,
    context: LoadContextV1<HendrycksMathOptions>,
  ): Promise<Omit<HendrycksMathProblem, 'fewshot'>[]> {
    const file = this.#dataFile(subject, split);
    const rows = await context.datasets.rows(file);
    return rows.map((row, index) => {
      const { problem, level, type, solution } = row as Record<string, unknown>;
      if (
        typeof problem !== 'string' ||
        typeof level !== 'string' ||
        typeof type !== 'string' ||
        typeof solution !== 'string'
      ) {
        throw new DatasetError(
          `${file.hub.path}: row ${index} is not a MATH problem (problem, level, type, solution).`,
        );
      }
      const answer = hendrycksMathGoldAnswer(solution);
      if (answer === undefined) {
        throw new DatasetError(`${file.hub.path}: row ${index} has no \\boxed{} answer in its solution.`);
      }
      return { problem, level, type, solution, answer, subject };
    });
  }

  async doLoad(context: LoadContextV1<HendrycksMathOptions>): Promise<SampleSourceV1<HendrycksMathProblem>> {
    const samples: SampleV1<HendrycksMathProblem>[] = [];
    const subtaskSizes: number[] = [];
    const { num_fewshot: shots, fewshot_seed: seed } = context.options;
    for (const subject of context.options.subjects) {
      const problems = await this.#problems(subject, 'test', context);
      subtaskSizes.push(problems.length);
      let draw = (): HendrycksMathExemplar[] => [];
      if (shots > 0) {
        // One sampler per subject task, drawing for each test problem in order, as lm-eval's ContextSampler.
        const train = (await this.#problems(subject, 'train', context)).map(({ problem, answer }) => ({
          problem,
          answer,
        }));
        if (shots > train.length) {
          throw new ConfigurationError(
            `hendrycks_math: num_fewshot ${shots} is more than the ${train.length} train problems of ${subject}.`,
          );
        }
        const random = new PythonRandom(seed);
        draw = () => random.sample(train, shots);
      }
      problems.forEach((problem, index) => {
        samples.push({
          id: `${subject}/${index}`,
          data: { ...problem, fewshot: draw() },
          metadata: { subject, level: problem.level, type: problem.type },
        });
      });
    }
    // Each subject is a task of lm-eval's group: --limit N runs the first N problems of every subject.
    return { size: samples.length, samples, subtaskSizes };
  }

  doPlan(sample: SampleV1<HendrycksMathProblem>, context: PlanContextV1<HendrycksMathOptions>): SamplePlanV1 {
    const prompt = hendrycksMathPrompt(sample.data.problem, sample.data.fewshot);
    const { capabilities } = context.backend;
    if (capabilities.chat) return { type: 'chat', turns: [prompt], parameters: generationParameters };
    if (capabilities.completion) return { type: 'completion', prompt, parameters: generationParameters };
    throw new ConfigurationError(
      `hendrycks_math generates answers, but backend "${context.backend.id}" supports neither chat nor completion requests.`,
    );
  }

  async doScore(
    sample: SampleV1<HendrycksMathProblem>,
    responses: SampleResponsesV1,
  ): Promise<SampleScoreV1> {
    if (responses.type !== 'generate') {
      throw new Error(`hendrycks_math expects generated text, got ${responses.type} results.`);
    }
    const text = responses.generations[0]?.[0]?.text ?? '';
    const verdict = scoreHendrycksMathResponse(text, sample.data.answer);
    return {
      metrics: { exact_match: verdict.exactMatch },
      extracted: verdict.extracted,
      details: { gold: sample.data.answer },
    };
  }

  doAggregate(samples: readonly ScoredSampleV1[]) {
    return aggregateHendrycksMath(samples);
  }
}

/** A hendrycks_math benchmark; `settings.dataFile` replaces the pinned data files (tests, mirrors). */
export function createHendrycksMath(settings: HendrycksMathSettings = {}): HendrycksMathBenchmark {
  return new HendrycksMathBenchmark(settings);
}
