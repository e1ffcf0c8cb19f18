import type {
  AggregateMetricV1,
  BenchmarkV1,
  DatasetFileV1,
  LoadContextV1,
  PlanContextV1,
  SamplePlanV1,
  SampleResponsesV1,
  SampleScoreV1,
  SampleSourceV1,
  SampleV1,
  ScoredSampleV1,
} from '@evalchemy/core';
import { aggregateRepeatedAccuracy, runMetricName, splitReasoningTrace } from '@evalchemy/math-grading';
import { gpqaDiamondCsvSha256, gpqaDiamondDataset, loadGpqaQuestions } from './gpqa_diamond-data.js';
import { type GpqaDiamondOptions, gpqa_diamondOptionsSchema } from './gpqa_diamond-options.js';
import {
  arrangeChoices,
  evalchemyChoiceOrder,
  extractChoiceLetter,
  gpqaPrompt,
  shuffledOrder,
} from './gpqa_diamond-scorer.js';
import { VERSION } from './version.js';

/** One question in one run, its choices in the order shown. */
export interface GpqaDiamondItem {
  question: string;
  choices: string[];
  /** Letter of the correct choice. */
  answer: string;
  /** 0-based run (Evalchemy's repeat index). */
  run: number;
  /** Sampling seed of this run: the run seed plus the run index, as Evalchemy seeds repeat i. */
  seed: number;
}

/** Settings of `createGpqaDiamond`. */
export interface GpqaDiamondSettings {
  /** Replaces the pinned data file (a mirror, a test fixture). */
  dataset?: DatasetFileV1;
  /** sha256 of the CSV inside `dataset`; undefined skips the check (only with a replaced file). */
  csvSha256?: string;
}

const description =
  'GPQA Diamond: 198 graduate-level science multiple-choice questions, 3 runs with shuffled choices, boxed letter answer.';

/**
 * GPQA Diamond as Evalchemy runs it: each run asks every question once (one sample per question and run, since
 * each run shows its own choice order), and the letter answer is read from the text after any reasoning trace.
 */
export class GpqaDiamondBenchmark implements BenchmarkV1<GpqaDiamondItem, GpqaDiamondOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'gpqa_diamond';
  readonly version = VERSION;
  readonly description = description;
  readonly optionsSchema = gpqa_diamondOptionsSchema;
  readonly requirements = {};
  readonly debugLimit = 2; // Evalchemy's --debug size (questions[:2])
  readonly primaryMetric = 'accuracy_avg';
  readonly #dataset: DatasetFileV1;
  readonly #csvSha256: string | undefined;

  constructor(settings: GpqaDiamondSettings = {}) {
    this.#dataset = settings.dataset ?? gpqaDiamondDataset;
    this.#csvSha256 = settings.dataset ? settings.csvSha256 : gpqaDiamondCsvSha256;
  }

  async doLoad(context: LoadContextV1<GpqaDiamondOptions>): Promise<SampleSourceV1<GpqaDiamondItem>> {
    const questions = await loadGpqaQuestions(context.datasets, this.#dataset, this.#csvSha256);
    const samples: SampleV1<GpqaDiamondItem>[] = [];
    for (let run = 0; run < context.options.repeats; run++) {
      for (const question of questions) {
        const order =
          context.options.choiceOrder === 'evalchemy'
            ? evalchemyChoiceOrder()
            : shuffledOrder(context.seed, run, question.recordId);
        const { choices, answer } = arrangeChoices(question, order);
        samples.push({
          id: `${question.recordId}#${run}`,
          data: { question: question.question, choices, answer, run, seed: context.seed + run },
          metadata: {
            recordId: question.recordId,
            run,
            domain: question.domain,
            subdomain: question.subdomain,
            answer,
          },
        });
      }
    }
    return { size: samples.length, samples };
  }

  doPlan(sample: SampleV1<GpqaDiamondItem>, context: PlanContextV1<GpqaDiamondOptions>): SamplePlanV1 {
    const prompt = gpqaPrompt(sample.data.question, sample.data.choices);
    const parameters = {
      maxTokens: context.options.maxTokens,
      temperature: context.options.temperature,
      seed: sample.data.seed,
    };
    // A completion-only backend gets the same text as a raw prompt (no chat template to apply).
    if (!context.backend.capabilities.chat) return { type: 'completion', prompt, parameters };
    return { type: 'chat', turns: [prompt], parameters };
  }

  async doScore(sample: SampleV1<GpqaDiamondItem>, responses: SampleResponsesV1): Promise<SampleScoreV1> {
    if (responses.type !== 'generate')
      throw new TypeError(`gpqa_diamond needs generated text, got ${responses.type}`);
    const split = splitReasoningTrace(responses.generations[0]?.[0]?.text ?? '');
    const letter = extractChoiceLetter(split.answer);
    return {
      // accuracy_avg per sample is this run's verdict; doAggregate replaces it with Evalchemy's run statistics.
      metrics: {
        [runMetricName(sample.data.run)]: letter === sample.data.answer ? 1 : 0,
        accuracy_avg: letter === sample.data.answer ? 1 : 0,
      },
      extracted: letter,
      details: {
        gold: sample.data.answer,
        reasoning: split.reasoning ?? null,
        unfinishedReasoning: split.unfinished,
      },
    };
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: GpqaDiamondOptions },
  ): Record<string, AggregateMetricV1 | number> {
    return aggregateRepeatedAccuracy(samples, context.options.repeats);
  }
}

/** A `gpqa_diamond` benchmark; `settings.dataset` replaces the pinned data file. */
export function createGpqaDiamond(settings: GpqaDiamondSettings = {}): GpqaDiamondBenchmark {
  return new GpqaDiamondBenchmark(settings);
}
