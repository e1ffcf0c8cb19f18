import type {
  AggregateMetric,
  BenchmarkV1,
  DatasetFile,
  LoadContext,
  PlanContext,
  Sample,
  SamplePlan,
  SampleResponses,
  SampleScore,
  SampleSource,
  ScoredSample,
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
  dataset?: DatasetFile;
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
  readonly primaryMetric = 'accuracy_avg';
  readonly #dataset: DatasetFile;
  readonly #csvSha256: string | undefined;

  constructor(settings: GpqaDiamondSettings = {}) {
    this.#dataset = settings.dataset ?? gpqaDiamondDataset;
    this.#csvSha256 = settings.dataset ? settings.csvSha256 : gpqaDiamondCsvSha256;
  }

  async doLoad(context: LoadContext<GpqaDiamondOptions>): Promise<SampleSource<GpqaDiamondItem>> {
    const questions = await loadGpqaQuestions(context.datasets, this.#dataset, this.#csvSha256);
    const samples: Sample<GpqaDiamondItem>[] = [];
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

  doPlan(sample: Sample<GpqaDiamondItem>, context: PlanContext<GpqaDiamondOptions>): SamplePlan {
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

  async doScore(sample: Sample<GpqaDiamondItem>, responses: SampleResponses): Promise<SampleScore> {
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
    samples: readonly ScoredSample[],
    context: { options: GpqaDiamondOptions },
  ): Record<string, AggregateMetric | number> {
    return aggregateRepeatedAccuracy(samples, context.options.repeats);
  }
}

/** A `gpqa_diamond` benchmark; `settings.dataset` replaces the pinned data file. */
export function createGpqaDiamond(settings: GpqaDiamondSettings = {}): GpqaDiamondBenchmark {
  return new GpqaDiamondBenchmark(settings);
}
