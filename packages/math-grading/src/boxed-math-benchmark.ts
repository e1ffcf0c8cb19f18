import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
  type DatasetFileV1,
  type LoadContextV1,
  mean,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
  type ScoredSampleV1,
  standardErrorOfMean,
} from '@evalchemy/core';
import { extractBoxedAnswer, hendrycksIsEquiv } from './hendrycks-equivalence.js';
import { isEquivalentAnswer } from './math-equivalence.js';
import { splitReasoningTrace } from './reasoning-trace.js';
import { aggregateRepeatedAccuracy, runMetricName } from './repeated-accuracy.js';

/**
 * Evalchemy's prompt for its boxed-answer math benchmarks (MATH500, AIME24, AIME25, AMC23), one user message.
 */
export function boxedMathPrompt(problem: string): string {
  return `Problem: ${problem}\nMark your solution with \\boxed\nAnswer:`;
}

/** One math problem with its gold final answer. */
export interface MathProblem {
  problem: string;
  /** The gold final answer as text (numbers from the data file are written without a trailing `.0`). */
  answer: string;
}

/** Options every boxed-answer math benchmark accepts. */
export interface BoxedMathOptions {
  /** Upper bound on generated tokens per answer (Evalchemy: 32768). */
  maxTokens: number;
  /** Sampling temperature (Evalchemy: 0.7). */
  temperature: number;
  /**
   * `equivalent` (default): lm-eval's `is_equiv` or the value and list equivalences of `isEquivalentAnswer`.
   * `is_equiv`: exactly lm-eval's `is_equiv`, as Evalchemy grades.
   */
  grading: 'equivalent' | 'is_equiv';
  /** Independent generations per problem (AIME/AMC: 10 as Evalchemy; MATH500: 1). */
  repeats?: number;
}

/** What a boxed-answer math benchmark package supplies. */
export interface BoxedMathDefinition<Options extends BoxedMathOptions> {
  id: string;
  version: string;
  description: string;
  optionsSchema: BenchmarkV1<MathProblem, Options>['optionsSchema'];
  /** The pinned data file. */
  dataset: DatasetFileV1;
  /** Number of rows the pinned data file holds, checked on load; undefined for a replaced file. */
  size: number | undefined;
  /** Sample id and metadata of a row (index: 0-based row number). */
  describeRow(
    row: Record<string, unknown>,
    index: number,
  ): { id: string; metadata: Record<string, string | number> };
  /** True: report per-run accuracies and Evalchemy's repeat statistics; false: one `accuracy` metric. */
  repeated: boolean;
}

function gradeText(gold: string, text: string, grading: BoxedMathOptions['grading']) {
  const split = splitReasoningTrace(text);
  const extracted = extractBoxedAnswer(split.answer);
  const correct =
    grading === 'is_equiv' ? hendrycksIsEquiv(gold, extracted) : isEquivalentAnswer(gold, extracted);
  return { split, extracted, correct };
}

function answerText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  throw new TypeError(`expected a string or number answer, got ${JSON.stringify(value)}`);
}

/**
 * A benchmark that asks for a `\boxed{}` final answer and grades it against a gold answer, as Evalchemy's
 * MATH500 / AIME / AMC23 benchmarks do (chat prompt `boxedMathPrompt`, temperature 0.7, 32768 max tokens,
 * `<think>` traces stripped before extraction and kept in the sample details).
 */
export class BoxedMathBenchmark<Options extends BoxedMathOptions>
  implements BenchmarkV1<MathProblem, Options>
{
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly requirements = {};
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly optionsSchema: BenchmarkV1<MathProblem, Options>['optionsSchema'];
  /** Evalchemy's `--debug` size for its math benchmarks (`questions[:2]` in each `eval_instruct.py`). */
  readonly debugLimit = 2;
  readonly primaryMetric: string;

  constructor(private readonly definition: BoxedMathDefinition<Options>) {
    this.id = definition.id;
    this.version = definition.version;
    this.description = definition.description;
    this.optionsSchema = definition.optionsSchema;
    this.primaryMetric = definition.repeated ? 'accuracy_avg' : 'accuracy';
  }

  async doLoad(context: LoadContextV1<Options>): Promise<SampleSourceV1<MathProblem>> {
    const rows = await context.datasets.rows(this.definition.dataset);
    if (this.definition.size !== undefined && rows.length !== this.definition.size) {
      throw new ConfigurationError(
        `${this.id}: ${this.definition.dataset.offlinePath} has ${rows.length} rows, expected ${this.definition.size}.`,
      );
    }
    const samples: SampleV1<MathProblem>[] = rows.map((row, index) => {
      const { id, metadata } = this.definition.describeRow(row, index);
      const problem = row.problem ?? row.question;
      if (typeof problem !== 'string')
        throw new ConfigurationError(`${this.id}: row ${index} has no problem text.`);
      return { id, data: { problem, answer: answerText(row.answer) }, metadata: { ...metadata } };
    });
    return { size: samples.length, samples };
  }

  doPlan(sample: SampleV1<MathProblem>, context: PlanContextV1<Options>): SamplePlanV1 {
    const prompt = boxedMathPrompt(sample.data.problem);
    const parameters = { maxTokens: context.options.maxTokens, temperature: context.options.temperature };
    const generations = this.definition.repeated ? (context.options.repeats ?? 1) : 1;
    // A completion-only backend gets the same text as a raw prompt (no chat template to apply).
    if (!context.backend.capabilities.chat) return { type: 'completion', prompt, parameters, generations };
    return { type: 'chat', turns: [prompt], parameters, generations };
  }

  async doScore(
    sample: SampleV1<MathProblem>,
    responses: SampleResponsesV1,
    context: { options: Options },
  ): Promise<SampleScoreV1> {
    if (responses.type !== 'generate')
      throw new TypeError(`${this.id} needs generated text, got ${responses.type}`);
    const graded = responses.generations.map((turns) =>
      gradeText(sample.data.answer, turns[0]?.text ?? '', context.options.grading),
    );
    const metrics: Record<string, number | null> = {};
    if (this.definition.repeated) {
      graded.forEach((grade, run) => {
        metrics[runMetricName(run)] = grade.correct ? 1 : 0;
      });
      // This problem's share of correct runs; doAggregate replaces it with Evalchemy's run statistics.
      metrics.accuracy_avg = graded.filter((grade) => grade.correct).length / Math.max(1, graded.length);
    } else {
      metrics.accuracy = graded[0]?.correct ? 1 : 0;
    }
    return {
      metrics,
      extracted: this.definition.repeated ? graded.map((grade) => grade.extracted) : graded[0]?.extracted,
      details: {
        gold: sample.data.answer,
        reasoning: graded.map((grade) => grade.split.reasoning ?? null),
        unfinishedReasoning: graded.map((grade) => grade.split.unfinished),
        // lm-eval's strict is_equiv verdicts, to compare with Evalchemy's published numbers.
        isEquiv: graded.map((grade) => hendrycksIsEquiv(sample.data.answer, grade.extracted)),
      },
    };
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: Options },
  ): Record<string, AggregateMetricV1 | number> {
    if (!this.definition.repeated) {
      const values = samples
        .map((sample) => sample.metrics.accuracy)
        .filter((value) => typeof value === 'number');
      return { accuracy: { value: mean(values), stderr: standardErrorOfMean(values) } };
    }
    return aggregateRepeatedAccuracy(samples, context.options.repeats ?? 1);
  }
}
