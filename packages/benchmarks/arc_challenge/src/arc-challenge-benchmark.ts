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
} from '@evalchemy/core';
import { type ArcChallengeOptions, arcChallengeOptionsSchema } from './arc-challenge-options.js';
import {
  type ArcQuestion,
  arcChatPrompt,
  arcGoldIndex,
  arcLetter,
  arcQuestionText,
  extractArcLetter,
  scoreArcLoglikelihoods,
} from './arc-challenge-scorer.js';
import { VERSION } from './version.js';

/**
 * The ARC-Challenge test split on the Hub. There is no offline copy in shared/datasets and no published sha256:
 * the Hub hash is recorded on first download; an offline copy must be this same parquet file.
 */
export const arcChallengeTestFile: DatasetFileV1 = {
  hub: {
    repository: 'allenai/ai2_arc',
    revision: '210d026faf9955653af8916fad021475a3f00453',
    path: 'ARC-Challenge/test-00000-of-00001.parquet',
  },
  offlinePath: 'ai2_arc/ARC-Challenge/test-00000-of-00001.parquet',
  sha256: { offline: '' },
};

/** Settings of `createArcChallenge`. */
export interface ArcChallengeSettings {
  /** The data file to load; default `arcChallengeTestFile`. */
  dataset?: DatasetFileV1;
}

/**
 * One ARC set as an lm-eval task: arc_challenge and arc_easy differ only in these (lm-eval's `arc_challenge.yaml`
 * includes `arc_easy.yaml` and changes the task name and dataset config).
 */
export interface ArcSetDefinition {
  /** The task id (`arc_challenge`, `arc_easy`). */
  id: string;
  description: string;
  /** The version of the package that publishes the task. */
  packageVersion: string;
  /** The pinned test split of the set. */
  dataset: DatasetFileV1;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * An ARC set as lm-evaluation-harness's `arc_easy` / `arc_challenge`: zero-shot, `acc` and `acc_norm`. The
 * arc_easy package builds on this class with its own definition.
 */
export class ArcBenchmark implements BenchmarkV1<ArcQuestion, ArcChallengeOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly optionsSchema = arcChallengeOptionsSchema;
  readonly requirements = {};
  readonly primaryMetric = 'acc_norm';
  readonly #dataset: DatasetFileV1;

  constructor(definition: ArcSetDefinition) {
    this.id = definition.id;
    this.version = definition.packageVersion;
    this.description = definition.description;
    this.#dataset = definition.dataset;
  }

  async doLoad(context: LoadContextV1<ArcChallengeOptions>): Promise<SampleSourceV1<ArcQuestion>> {
    const rows = await context.datasets.rows(this.#dataset);
    const samples = rows.map((row, index): SampleV1<ArcQuestion> => {
      const { id, question, choices, answerKey } = row as Record<string, unknown>;
      const { text, label } = (choices ?? {}) as { text?: unknown; label?: unknown };
      if (
        typeof id !== 'string' ||
        typeof question !== 'string' ||
        typeof answerKey !== 'string' ||
        !isStringArray(text) ||
        !isStringArray(label) ||
        text.length !== label.length ||
        !label.includes(answerKey)
      ) {
        throw new DatasetError(`${this.#dataset.hub.path}: row ${index} is not an ARC question.`);
      }
      return { id, data: { id, question, choices: { text, label }, answerKey } };
    });
    return { size: samples.length, samples };
  }

  doPlan(sample: SampleV1<ArcQuestion>, context: PlanContextV1<ArcChallengeOptions>): SamplePlanV1 {
    const { capabilities } = context.backend;
    if (capabilities.loglikelihood) {
      return {
        type: 'loglikelihood',
        context: arcQuestionText(sample.data),
        continuations: sample.data.choices.text.map((text) => ` ${text}`),
      };
    }
    // arc_challenge_chat's generation settings.
    const parameters = { temperature: 0, maxTokens: 100, stop: ['\n\n'] };
    if (capabilities.chat) return { type: 'chat', turns: [arcChatPrompt(sample.data)], parameters };
    if (capabilities.completion)
      return { type: 'completion', prompt: arcChatPrompt(sample.data), parameters };
    throw new ConfigurationError(`${this.id}: backend "${context.backend.id}" cannot score or generate.`);
  }

  async doScore(sample: SampleV1<ArcQuestion>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    const gold = arcGoldIndex(sample.data);
    if (responses.type === 'loglikelihood') {
      const logprobs = responses.results.map((result) => result.logprob);
      const verdict = scoreArcLoglikelihoods(logprobs, sample.data.choices.text, gold);
      return {
        metrics: { acc: verdict.acc, acc_norm: verdict.acc_norm },
        extracted: { acc: arcLetter(verdict.chosen), acc_norm: arcLetter(verdict.chosenNorm) },
        details: { gold: arcLetter(gold), logprobs },
      };
    }
    const text = responses.generations[0]?.[0]?.text ?? '';
    const letter = extractArcLetter(text, sample.data.choices.text.length);
    // A generated letter has no length normalisation: acc_norm equals acc so the primary metric exists.
    const correct = letter === arcLetter(gold) ? 1 : 0;
    return {
      metrics: { acc: correct, acc_norm: correct },
      extracted: letter ?? null,
      details: { gold: arcLetter(gold) },
    };
  }
}

/** ARC-Challenge as lm-evaluation-harness's `arc_challenge`. */
export class ArcChallengeBenchmark extends ArcBenchmark {
  constructor(settings: ArcChallengeSettings = {}) {
    super({
      id: 'arc_challenge',
      description: 'ARC-Challenge test (1172 questions), acc and acc_norm as lm-eval arc_challenge.',
      packageVersion: VERSION,
      dataset: settings.dataset ?? arcChallengeTestFile,
    });
  }
}

/** An arc_challenge benchmark; `settings.dataset` replaces the pinned data file (tests, mirrors). */
export function createArcChallenge(settings: ArcChallengeSettings = {}): ArcChallengeBenchmark {
  return new ArcChallengeBenchmark(settings);
}
