import {
  type AggregateMetricV1,
  type BenchmarkV1,
  ConfigurationError,
  DatasetError,
  type LoadContextV1,
  type PlanContextV1,
  type SamplePlanV1,
  type SampleResponsesV1,
  type SampleScoreV1,
  type SampleSourceV1,
  type SampleV1,
  type ScoreContextV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import { aggregateAlpacaEval } from './alpaca-eval-aggregate.js';
import {
  type AlpacaEvalInstruction,
  gamedAnnotationsFile,
  instructionDifficultyFile,
  loadInstructions,
} from './alpaca-eval-data.js';
import { DEFAULT_JUDGE_MODEL } from './alpaca-eval-judge-prompt.js';
import { type AlpacaEvalOptions, createAlpacaEvalOptionsSchema } from './alpaca-eval-options.js';
import { scoreAlpacaEvalSample } from './alpaca-eval-scorer.js';
import { type GamedRow, parseGamedRows } from './length-controlled.js';
import { VERSION } from './version.js';

type AlpacaEvalOptionsSchema = ReturnType<typeof createAlpacaEvalOptionsSchema>;

/** Settings of `createAlpacaEval`. */
export interface AlpacaEvalSettings {
  /** Defaults for the options the user's `tasks.alpaca_eval` leaves out. */
  options?: Partial<AlpacaEvalOptions>;
}

/** The warning when the GLM's files cannot be had: the LC metrics are left out, never guessed. */
export const lengthControlledUnavailableMessage =
  `alpaca_eval: length_controlled_winrate and lc_standard_error are left out: alpaca_eval's ` +
  `${instructionDifficultyFile.hub.path} and ${gamedAnnotationsFile.hub.path} (Hugging Face dataset ` +
  `${gamedAnnotationsFile.hub.repository} at ${gamedAnnotationsFile.hub.revision}) could not be read. Put copies at ` +
  `$EVALCHEMY_DATASETS_DIR/${instructionDifficultyFile.offlinePath} and $EVALCHEMY_DATASETS_DIR/${gamedAnnotationsFile.offlinePath}, ` +
  'or let the run reach the Hub.';

/**
 * AlpacaEval 2.0 as alpaca_eval and Evalchemy run it: the model answers 805 instructions; an LLM judge
 * compares each answer with gpt4_1106_preview's; the win rate against that baseline, raw and
 * length-controlled.
 */
export class AlpacaEvalBenchmark implements BenchmarkV1<AlpacaEvalInstruction, AlpacaEvalOptions> {
  readonly specificationVersion = 'v1' as const;
  readonly kind = 'benchmark' as const;
  readonly id = 'alpaca_eval';
  readonly version = VERSION;
  readonly description =
    'AlpacaEval 2.0 (805 instructions), win rate against gpt4_1106_preview judged by an LLM, raw and length-controlled.';
  readonly optionsSchema: AlpacaEvalOptionsSchema;
  readonly requirements = {
    judges: {
      judge: {
        defaultModel: DEFAULT_JUDGE_MODEL,
        needs: { topLogprobs: 5 },
        description:
          "compares the model's output with the baseline's (alpaca_eval weighted_alpaca_eval_gpt4_turbo)",
      },
    },
  };
  /** Evalchemy's `--debug` size (`dataset.select(range(2))`). */
  readonly debugLimit = 2;
  readonly primaryMetric = 'win_rate';
  /** The length-controlled win rate is AlpacaEval 2.0's headline number; it is absent when its files are. */
  readonly headlineMetrics = ['win_rate', 'length_controlled_winrate', 'discrete_win_rate'];
  constructor(settings: AlpacaEvalSettings = {}) {
    this.optionsSchema = createAlpacaEvalOptionsSchema(settings.options);
  }

  async doLoad(context: LoadContextV1<AlpacaEvalOptions>): Promise<SampleSourceV1<AlpacaEvalInstruction>> {
    const instructions = await loadInstructions(context.datasets);
    // The gamed baselines' annotations for the length-controlled fit, handed to doAggregate as `loaded`
    // (undefined: not asked for, or not available).
    let gamed: GamedRow[] | undefined;
    if (context.options.length_controlled) {
      try {
        // instruction_difficulty.csv is read to check the pair is the published one; the fit takes the
        // difficulties from df_gamed.csv, as alpaca_eval's does.
        await context.datasets.resolve(instructionDifficultyFile);
        gamed = parseGamedRows(await context.datasets.rows(gamedAnnotationsFile));
      } catch (error) {
        if (!DatasetError.isInstance(error)) throw error;
        context.log.warn(`${lengthControlledUnavailableMessage} (${error.message})`);
      }
    }
    return {
      size: instructions.length,
      samples: instructions.map((item) => ({
        id: String(item.index),
        data: item,
        metadata: { index: item.index, dataset: item.dataset },
      })),
      loaded: gamed,
    };
  }

  doPlan(sample: SampleV1<AlpacaEvalInstruction>, context: PlanContextV1<AlpacaEvalOptions>): SamplePlanV1 {
    if (!context.backend.capabilities.chat) {
      throw new ConfigurationError(
        `alpaca_eval asks each instruction as a chat message, but backend "${context.backend.id}" ` +
          `(${context.backend.modelId}) has no chat endpoint. Use a chat backend.`,
      );
    }
    return {
      type: 'chat',
      turns: [sample.data.instruction],
      parameters: { temperature: context.options.temperature, maxTokens: context.options.max_tokens },
    };
  }

  doScore(
    sample: SampleV1<AlpacaEvalInstruction>,
    responses: SampleResponsesV1,
    context: ScoreContextV1<AlpacaEvalOptions>,
  ): Promise<SampleScoreV1> {
    return scoreAlpacaEvalSample(sample.data, responses, context);
  }

  doAggregate(
    samples: readonly ScoredSampleV1[],
    context: { options: AlpacaEvalOptions; loaded?: unknown },
  ): Record<string, AggregateMetricV1 | number> {
    const gamed = context.loaded as GamedRow[] | undefined;
    return aggregateAlpacaEval(samples, context.options.length_controlled ? gamed : undefined);
  }
}

/** An AlpacaEval benchmark with the given default options. */
export function createAlpacaEval(settings: AlpacaEvalSettings = {}): AlpacaEvalBenchmark {
  return new AlpacaEvalBenchmark(settings);
}
