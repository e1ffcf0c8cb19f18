import {
  ConfigurationError,
  type SampleResponsesV1,
  type SampleScoreV1,
  type ScoreContextV1,
} from '@evalchemy/core';
import { PythonRandom } from '@evalchemy/python-random';
import type { AlpacaEvalInstruction } from './alpaca-eval-data.js';
import { annotatorConfiguration, buildJudgeMessages } from './alpaca-eval-judge-prompt.js';
import type { AlpacaEvalOptions } from './alpaca-eval-options.js';
import { parseLogprobPreference, parseRankingPreference } from './alpaca-eval-parsers.js';

/**
 * Whether alpaca_eval shows the judge the model's output first (`is_switched_outputs`): its
 * RandomSwitchTwoColumnsProcessor draws `random.Random("is_switched_outputs" + instruction + "0")
 * .choices([False, True])`, 0 being the annotator's seed.
 */
export function isSwitched(instruction: string, seed = 0): boolean {
  return new PythonRandom(`is_switched_outputs${instruction}${seed}`).choices([false, true], 1)[0]!;
}

/** Length of a string as Python's `len`: code points, not UTF-16 units. */
export function pythonLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

/**
 * Judges the model's output against the baseline's on one instruction, as alpaca_eval's PairwiseAnnotator:
 * identical outputs are a draw (1.5) without a judge call; otherwise the two outputs are shown in the
 * seeded order, the verdict parsed by the configuration's parser and un-switched (3 − x). Per-sample metrics:
 * `preference` (1 baseline … 2 model; null when the verdict cannot be parsed — alpaca_eval drops such rows),
 * `win_rate` ((preference − 1) × 100),
 * `output_length` and `baseline_length` (characters, for `avg_length` and the length-controlled GLM).
 */
export async function scoreAlpacaEvalSample(
  item: AlpacaEvalInstruction,
  responses: SampleResponsesV1,
  context: ScoreContextV1<AlpacaEvalOptions>,
): Promise<SampleScoreV1> {
  const judge = context.judges.judge;
  if (judge === undefined) {
    throw new ConfigurationError('alpaca_eval needs an LLM judge, but none was configured for this run.');
  }
  const output = responses.type === 'generate' ? responses.generations[0]?.[0]?.text : undefined;
  if (output === undefined) {
    throw new Error(`alpaca_eval instruction ${item.index}: expected the model's answer.`);
  }
  const configuration = annotatorConfiguration(judge.modelId);
  const lengths = { output_length: pythonLength(output), baseline_length: pythonLength(item.baselineOutput) };
  const details: Record<string, unknown> = {
    annotator: configuration.name,
    judge_model: judge.modelId,
    baseline: item.baselineGenerator,
  };
  if (output === item.baselineOutput) {
    return {
      metrics: { preference: 1.5, win_rate: 50, ...lengths },
      extracted: 1.5,
      details: { ...details, identical_outputs: true },
      judgeAudit: { judge: { verdicts: 0, unparsable: 0 } },
    };
  }
  const switched = isSwitched(item.instruction);
  const [output1, output2] = switched ? [output, item.baselineOutput] : [item.baselineOutput, output];
  const answer = await judge.judge(
    {
      messages: buildJudgeMessages(configuration, item.instruction, output1, output2),
      parameters: {
        maxTokens: configuration.maxTokens,
        temperature: configuration.temperature,
        ...(configuration.topLogprobs === undefined ? {} : { topLogprobs: configuration.topLogprobs }),
      },
    },
    { signal: context.signal },
  );
  const parsed =
    configuration.parser === 'logprob'
      ? parseLogprobPreference(answer.logprobs)
      : parseRankingPreference(answer.text);
  const preference = parsed === null ? null : switched ? 3 - parsed : parsed;
  const verdict =
    configuration.parser === 'logprob'
      ? {
          text: answer.text,
          top_logprobs: answer.logprobs?.[0]?.topLogprobs.filter((t) => t.token === 'm' || t.token === 'M'),
        }
      : { text: answer.text };
  return {
    metrics: { preference, win_rate: preference === null ? null : (preference - 1) * 100, ...lengths },
    extracted: preference,
    details: { ...details, is_switched_outputs: switched, verdict },
    judgeAudit: { judge: { verdicts: 1, unparsable: parsed === null ? 1 : 0 } },
    ...(parsed === null
      ? {
          warnings: [
            {
              type: 'other' as const,
              message: `the judge's verdict could not be parsed (${configuration.name}); the instruction is left out, as alpaca_eval drops it`,
            },
          ],
        }
      : {}),
  };
}
