import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleV1, ScoredSampleV1, TokenLogprobV1 } from '@evalchemy/core';
import { createRecordingLogger, createScriptedJudge, sharedDatasetsDirectory } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import {
  type AlpacaEvalInstruction,
  aggregateAlpacaEval,
  alpacaEvalClfTemplate,
  alpacaEvalGpt4Template,
  alpacaEvalOptionsSchema,
  createAlpacaEval,
  describeHead2Head,
  formatTemplate,
  isSwitched,
  parseLogprobPreference,
  parseRankingPreference,
  promptToChatml,
} from './index.js';

const datasets = sharedDatasetsDirectory();
const evalSet = readFileSync(join(datasets, 'alpacaeval/alpaca_eval.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { instruction: string; dataset: string });

function item(index: number, baselineOutput = 'The baseline answer.'): SampleV1<AlpacaEvalInstruction> {
  const row = evalSet[index]!;
  return {
    id: String(index),
    data: {
      index,
      instruction: row.instruction,
      dataset: row.dataset,
      baselineOutput,
      baselineGenerator: 'gpt4_1106_preview',
    },
    metadata: { index, dataset: row.dataset },
  };
}

function logprobs(top: Record<string, number>): TokenLogprobV1[] {
  const alternatives = Object.entries(top)
    .map(([token, logprob]) => ({ token, logprob }))
    .sort((a, b) => b.logprob - a.logprob);
  return [{ token: alternatives[0]!.token, logprob: alternatives[0]!.logprob, topLogprobs: alternatives }];
}

async function score(
  sample: SampleV1<AlpacaEvalInstruction>,
  output: string,
  judge: ReturnType<typeof createScriptedJudge>,
) {
  const benchmark = createAlpacaEval();
  return benchmark.doScore(
    sample,
    { type: 'generate', generations: [[{ text: output, finishReason: 'stop', warnings: [] }]] },
    {
      options: alpacaEvalOptionsSchema.parse({}),
      plan: { type: 'chat', turns: [sample.data.instruction], parameters: {} },
      judges: { judge },
      signal: AbortSignal.timeout(5_000),
      log: createRecordingLogger(),
    },
  );
}

describe("alpaca_eval's seeded output order", () => {
  it('switches the first instructions as alpaca_eval does', () => {
    // random.Random("is_switched_outputs" + instruction + "0").choices([False, True], k=1)[0] for rows 0-5.
    expect([0, 1, 2, 3, 4, 5].map((index) => isSwitched(evalSet[index]!.instruction))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it("shows the model's output first when switched and un-switches the verdict", async () => {
    // Row 0 is switched: the model's output is "m"; a judge sure of m prefers the model (preference → 2).
    const judge = createScriptedJudge({
      modelId: 'gpt-4-1106-preview',
      answer: { text: 'm', logprobs: logprobs({ m: -0.001, M: -7 }) },
    });
    const switched = await score(item(0), 'MODEL OUTPUT', judge);
    const user = judge.requests[0]!.messages[1]!.content;
    expect(user.indexOf('MODEL OUTPUT')).toBeLessThan(user.indexOf('The baseline answer.'));
    expect(switched.metrics.preference).toBeCloseTo(
      3 - (2 - Math.exp(-0.001) / (Math.exp(-0.001) + Math.exp(-7))),
      15,
    );
    expect(switched.metrics.preference).toBeGreaterThan(1.99);
    expect(switched.details?.is_switched_outputs).toBe(true);

    // Row 3 is not switched: the baseline is "m", so the same verdict prefers the baseline.
    const straight = await score(item(3), 'MODEL OUTPUT', judge);
    const user3 = judge.requests[1]!.messages[1]!.content;
    expect(user3.indexOf('The baseline answer.')).toBeLessThan(user3.indexOf('MODEL OUTPUT'));
    expect(straight.metrics.preference).toBeLessThan(1.01);
    expect(straight.judgeAudit).toEqual({ judge: { verdicts: 1, unparsable: 0 } });
  });

  it('counts identical outputs as a draw without asking the judge', async () => {
    const judge = createScriptedJudge({ modelId: 'gpt-4-1106-preview', answer: 'M' });
    const result = await score(item(5, 'Same text.'), 'Same text.', judge);
    expect(judge.requests).toHaveLength(0);
    expect(result.metrics.preference).toBe(1.5);
    expect(result.judgeAudit).toEqual({ judge: { verdicts: 0, unparsable: 0 } });
  });
});

describe('judge prompts', () => {
  it('keeps the templates byte-identical to alpaca_eval’s files', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const file = (path: string) =>
      readFileSync(join(datasets, 'alpacaeval/evaluator_prompts/evaluators_configs', path));
    expect(sha(alpacaEvalClfTemplate)).toBe(
      createHash('sha256').update(file('alpaca_eval_clf_gpt4_turbo/alpaca_eval_clf.txt')).digest('hex'),
    );
    expect(sha(alpacaEvalGpt4Template)).toBe(
      createHash('sha256').update(file('alpaca_eval_gpt4/alpaca_eval.txt')).digest('hex'),
    );
  });

  it('turns the template into a system and a user message, as prompt_to_chatml', async () => {
    const judge = createScriptedJudge({
      modelId: 'gpt-4-1106-preview',
      answer: { text: 'M', logprobs: logprobs({ M: -0.01, m: -5 }) },
    });
    await score(item(3), 'Answer with $& and $1 left as is.', judge);
    const [system, user] = judge.requests[0]!.messages;
    expect(system).toEqual({
      role: 'system',
      content:
        'You are a highly efficient assistant, who evaluates and selects the best large language model (LLMs) based on the quality of their responses to a given instruction. This process will be used to create a leaderboard reflecting the most accurate and human-preferred answers.',
    });
    expect(user!.role).toBe('user');
    expect(user!.content.startsWith('I require a leaderboard for various large language models.')).toBe(true);
    expect(user!.content.endsWith('## Best Model Identifier')).toBe(true);
    expect(user!.content).toContain(`"instruction": """${evalSet[3]!.instruction}""",`);
    expect(user!.content).toContain('"output": """Answer with $& and $1 left as is."""');
    expect(judge.requests[0]!.parameters).toEqual({ maxTokens: 1, temperature: 1, topLogprobs: 5 });
  });

  it('fills each field once, in order, as make_prompts (text inserted earlier can be hit)', () => {
    expect(
      formatTemplate('{instruction}|{output_1}|{output_2}', {
        instruction: 'see {output_1}',
        output_1: 'A',
        output_2: 'B',
      }),
    ).toBe('see A|{output_1}|B');
    expect(promptToChatml('<|im_start|>system\n  S \n<|im_end|>\n<|im_start|>user\nU\n<|im_end|>')).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U' },
    ]);
  });

  it('uses alpaca_eval_gpt4_0613 (ranking verdict) for a gpt-4 judge, as Evalchemy maps --annotator_model gpt-4', async () => {
    const judge = createScriptedJudge({
      modelId: 'gpt-4',
      answer: "[{'model': 'model_1', 'rank': 1}, {'model': 'model_2', 'rank': 2}]",
    });
    const straight = await score(item(3), 'MODEL OUTPUT', judge);
    expect(judge.requests[0]!.parameters).toEqual({ maxTokens: 100, temperature: 0 });
    expect(judge.requests[0]!.messages[0]!.content).toBe(
      'You are a helpful assistant, that ranks models by the quality of their answers.',
    );
    expect(straight.metrics.preference).toBe(1);
    expect(straight.details?.annotator).toBe('alpaca_eval_gpt4_0613');
    // Switched row: model_1 is the model's output, so rank 1 for model_1 means the model wins.
    const switched = await score(item(0), 'MODEL OUTPUT', judge);
    expect(switched.metrics.preference).toBe(2);
  });
});

describe('verdict parsers', () => {
  it('reads the preference from the probabilities of m and M (logprob_parser)', () => {
    // scipy: 2 - exp(lm - logsumexp([lm, lM])) with lm = -0.1, lM = -2.5 → 1.0831726964939223.
    expect(parseLogprobPreference(logprobs({ m: -0.1, M: -2.5, Both: -9 }))).toBe(1.0831726964939223);
    expect(parseLogprobPreference(logprobs({ M: -0.2, The: -3 }))).toBe(2);
    expect(parseLogprobPreference(logprobs({ m: -0.2, The: -3 }))).toBe(1);
    expect(parseLogprobPreference(logprobs({ m: -0.2, M: -0.1 }), true)).toBe(2);
    // Unparsable: neither token among the top logprobs, no logprobs, or more than one answer token.
    expect(parseLogprobPreference(logprobs({ The: -0.1, Based: -2 }))).toBeNull();
    expect(parseLogprobPreference(undefined)).toBeNull();
    expect(parseLogprobPreference([...logprobs({ m: -0.1 }), ...logprobs({ M: -0.1 })])).toBeNull();
  });

  it('reads the rank of model_1 from a Python literal (ranking_parser)', () => {
    expect(parseRankingPreference("[{'model': 'model_1', 'rank': 2}, {'model': 'model_2', 'rank': 1}]")).toBe(
      2,
    );
    expect(
      parseRankingPreference(
        '[\n    {"model": "model_2", "rank": 2},\n    {"model": "model_1", "rank": 1.0}\n]',
      ),
    ).toBe(1);
    expect(
      parseRankingPreference("[{'model': 'model_1', 'rank': 3}, {'model': 'model_2', 'rank': 1}]"),
    ).toBeNull();
    expect(parseRankingPreference("[{'model': 'model_1', 'rank': '1'}]")).toBeNull();
    expect(parseRankingPreference("Here you go: [{'model': 'model_1', 'rank': 1}]")).toBeNull();
    expect(parseRankingPreference('')).toBeNull();
  });

  it('leaves an unparsable verdict out of every count, and says so in the audit', async () => {
    const judge = createScriptedJudge({
      modelId: 'gpt-4-1106-preview',
      answer: { text: 'The', logprobs: logprobs({ The: -0.1 }) },
    });
    const result = await score(item(4), 'MODEL OUTPUT', judge);
    expect(result.metrics.preference).toBeNull();
    expect(result.judgeAudit).toEqual({ judge: { verdicts: 1, unparsable: 1 } });
    expect(result.warnings?.[0]?.message).toContain('could not be parsed');
    const samples: ScoredSampleV1[] = [
      { id: '0', metadata: { index: 0 }, metrics: { preference: 2, output_length: 10, baseline_length: 20 } },
      { id: '1', metadata: { index: 1 }, metrics: { ...result.metrics } },
    ];
    const metrics = aggregateAlpacaEval(samples, undefined);
    expect(metrics.n_total).toBe(1);
    expect(metrics.win_rate).toEqual({ value: 100 });
    // avg_length counts every output, as alpaca_eval's leaderboard does.
    expect(metrics.avg_length).toBe(11);
  });
});

describe('leaderboard metrics', () => {
  it('computes alpaca_eval’s columns on a hand-checked case', () => {
    // Shifted preferences 0, 1, .5, .75, .2, .5 (a legacy 0 is a draw): mean 2.95 / 6; sample sd 0.36113 / √6.
    const metrics = describeHead2Head([1, 2, 1.5, 1.75, 1.2, 0]);
    expect(metrics).toEqual({
      win_rate: 49.16666666666667,
      standard_error: 14.743171677461781, // pandas: Series([...]).sem() * 100
      n_wins: 2,
      n_wins_base: 2,
      n_draws: 2,
      n_total: 6,
      discrete_win_rate: 50, // rounded: 0, 1, .5, 1, 0, .5
    });
  });
});
