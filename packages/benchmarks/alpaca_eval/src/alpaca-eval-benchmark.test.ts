import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleV1, ScoredSampleV1, TokenLogprobV1 } from '@evalchemy/core';
import {
  createMockBackend,
  createOfflineDatasetResolver,
  createRecordingLogger,
  createScriptedJudge,
  runBenchmarkConformance,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import annotations from './__fixtures__/claude-2.1-annotations.json' with { type: 'json' };
import alpacaEval, {
  type AlpacaEvalInstruction,
  createAlpacaEval,
  lengthControlledUnavailableMessage,
} from './index.js';

const datasets = sharedDatasetsDirectory();

runBenchmarkConformance(alpacaEval, {
  packageJsonPath: new URL('../package.json', import.meta.url),
  datasetsDirectory: datasets,
  sampleLimit: 5,
});

/** The leaderboard row of a model in alpaca_eval's published AlpacaEval 2.0 leaderboard (/work/shared copy). */
function leaderboardRow(model: string): Record<string, string> {
  const [header, ...lines] = readFileSync(
    join(
      datasets,
      'alpacaeval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv',
    ),
    'utf8',
  )
    .trim()
    .split('\n');
  const columns = header!.split(',');
  const line = lines.find((candidate) => candidate.split(',')[0] === model)!;
  return Object.fromEntries(line.split(',').map((value, index) => [columns[index]!, value]));
}

function judgeLogprobs(m: number | null, M: number | null): TokenLogprobV1[] {
  const top = [
    ...(M === null ? [] : [{ token: 'M', logprob: M }]),
    ...(m === null ? [] : [{ token: 'm', logprob: m }]),
    { token: 'Based', logprob: -15.2 },
  ].sort((a, b) => b.logprob - a.logprob);
  return [{ token: top[0]!.token, logprob: top[0]!.logprob, topLogprobs: top }];
}

async function loadAll(options: Record<string, unknown> = {}) {
  const benchmark = createAlpacaEval();
  const parsed = benchmark.optionsSchema.parse(options);
  const log = createRecordingLogger();
  const source = await benchmark.doLoad({
    options: parsed,
    datasets: createOfflineDatasetResolver(datasets),
    seed: 0,
    log,
  });
  return {
    benchmark,
    options: parsed,
    log,
    samples: [...(source.samples as Iterable<SampleV1<AlpacaEvalInstruction>>)],
  };
}

describe('alpaca_eval on claude-2.1, judged with the logprobs gpt-4-1106-preview gave alpaca_eval', () => {
  it("reproduces each published preference and the leaderboard's win-rate columns", async () => {
    const { benchmark, options, log, samples } = await loadAll();
    const outputs = JSON.parse(
      readFileSync(join(datasets, 'alpacaeval/model_outputs/claude-2.1/model_outputs.json'), 'utf8'),
    ) as { instruction: string; output: string }[];
    const byInstruction = new Map(outputs.map((row) => [row.instruction, row.output]));
    const scored: ScoredSampleV1[] = [];
    let judgeCalls = 0;
    for (const sample of samples) {
      const recorded = annotations.logprobs[sample.data.index] ?? null;
      const judge = createScriptedJudge({
        role: 'judge',
        modelId: 'gpt-4-1106-preview',
        answer: () => {
          judgeCalls += 1;
          return { text: 'M', logprobs: judgeLogprobs(recorded![0] ?? null, recorded![1] ?? null) };
        },
      });
      const text = byInstruction.get(sample.data.instruction)!;
      const score = await benchmark.doScore(
        sample,
        { type: 'generate', generations: [[{ text, finishReason: 'stop', warnings: [] }]] },
        {
          options,
          plan: { type: 'chat', turns: [], parameters: {} },
          judges: { judge },
          signal: AbortSignal.timeout(5_000),
          log,
        },
      );
      // annotations.json stores preferences rounded to 10 digits.
      expect(score.metrics.preference).toBeCloseTo(annotations.preference[sample.data.index]!, 9);
      if (recorded !== null) {
        expect(judge.requests[0]!.parameters).toEqual({ maxTokens: 1, temperature: 1, topLogprobs: 5 });
      }
      scored.push({ id: sample.id, metadata: sample.metadata ?? {}, metrics: score.metrics });
    }
    // Two of claude-2.1's outputs equal the baseline's: draws without a judge call.
    expect(judgeCalls).toBe(803);
    const metrics = benchmark.doAggregate(scored, { options });
    const row = leaderboardRow('claude-2.1');
    expect(metrics.n_wins).toBe(Number(row.n_wins));
    expect(metrics.n_wins_base).toBe(Number(row.n_wins_base));
    expect(metrics.n_draws).toBe(Number(row.n_draws));
    expect(metrics.n_total).toBe(Number(row.n_total));
    expect(metrics.discrete_win_rate).toBe(Number(row.discrete_win_rate));
    expect(metrics.avg_length).toBe(Number(row.avg_length));
    // The leaderboard was computed from the rounded preferences; the full-precision logprobs differ from them
    // in the 11th digit.
    expect((metrics.win_rate as { value: number }).value).toBeCloseTo(Number(row.win_rate), 8);
    expect(metrics.standard_error as number).toBeCloseTo(Number(row.standard_error), 8);
    // From the same full-precision logprobs, alpaca_eval's steps (scipy logsumexp, the seeded switch,
    // pandas mean / sem without bottleneck) give, run once with Debian's python3 (numpy 1.24.2, scipy 1.10.1,
    // pandas 1.5.3): win_rate 15.733506736531346, standard_error 1.1203158654448608 — to the last digit here,
    // although 90 of the 803 preferences differ in the last bit (exp/log of V8 versus numpy).
    expect((metrics.win_rate as { value: number }).value).toBe(15.733506736531346);
    expect(metrics.standard_error).toBe(1.1203158654448608);
    // Without alpaca_eval's df_gamed.csv / instruction_difficulty.csv the LC metrics are left out, with a warning.
    expect(metrics).not.toHaveProperty('length_controlled_winrate');
    expect(log.lines.map((line) => line.message).join('\n')).toContain('instruction_difficulty.csv');
    expect(log.lines.map((line) => line.message).join('\n')).toContain('df_gamed.csv');
  }, 60_000);
});

describe('alpaca_eval loading and planning', () => {
  it('asks the 805 instructions as one user turn, with the baseline output attached', async () => {
    const { benchmark, options, samples } = await loadAll();
    expect(samples).toHaveLength(805);
    const first = samples[0]!;
    expect(first.data.baselineGenerator).toBe('gpt4_1106_preview');
    const plan = benchmark.doPlan(first, { options, backend: createMockBackend() });
    expect(plan).toEqual({
      type: 'chat',
      turns: [first.data.instruction],
      parameters: { temperature: 0.5, maxTokens: 1024 },
    });
  });

  it('warns, naming both files, when the length-controlled GLM cannot be fitted', async () => {
    const { log } = await loadAll();
    expect(log.lines.some((line) => line.message.includes(lengthControlledUnavailableMessage))).toBe(true);
  });

  it('does not look for the GLM files when length_controlled is off', async () => {
    const { log } = await loadAll({ length_controlled: false });
    expect(log.lines.map((line) => line.message).join('\n')).not.toContain('df_gamed.csv');
  });
});
