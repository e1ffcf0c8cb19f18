import { createHash } from 'node:crypto';
import type { JudgeRequestV1, JudgeVerdictAuditV1, SampleV1, ScoredSampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  createScriptedJudge,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
// Made by running FastChat's own play_a_match_pair and display_result_pairwise with a scripted judge; how:
// __fixtures__/make-fastchat-pairwise-reference.py.
import reference from './__fixtures__/fastchat-pairwise-reference.json' with { type: 'json' };
import {
  createMTBench,
  gameOutcome,
  type MTBenchQuestion,
  type PairwiseGame,
  parsePairwiseVerdict,
  pregeneratedModels,
} from './index.js';

const datasets = createOfflineDatasetResolver(sharedDatasetsDirectory());
const chatBackend = {
  id: 'test',
  modelId: 'test-model',
  capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
};

async function load(benchmark: ReturnType<typeof createMTBench>, options: Record<string, unknown>) {
  const log = createRecordingLogger();
  const parsed = benchmark.optionsSchema.parse(options);
  const source = await benchmark.doLoad({ options: parsed, datasets, seed: 0, log });
  return { samples: [...(source.samples as Iterable<SampleV1<MTBenchQuestion>>)], options: parsed, log };
}

type Answer = (request: JudgeRequestV1, sample: SampleV1<MTBenchQuestion>) => string;

/** Scores every sample with `answers` as the model's two turns and a scripted judge answering `answer`. */
async function scoreAll(
  benchmark: ReturnType<typeof createMTBench>,
  options: Record<string, unknown>,
  modelAnswers: (sample: SampleV1<MTBenchQuestion>) => string[],
  answer: Answer,
) {
  const loaded = await load(benchmark, options);
  const scored: ScoredSampleV1[] = [];
  const audits: JudgeVerdictAuditV1[] = [];
  const requests: JudgeRequestV1[] = [];
  const scores = [];
  for (const sample of loaded.samples) {
    const judge = createScriptedJudge({ answer: (request) => answer(request, sample) });
    const plan = benchmark.doPlan(sample, { options: loaded.options, backend: chatBackend });
    const score = await benchmark.doScore(
      sample,
      {
        type: 'generate',
        generations: [
          modelAnswers(sample).map((text) => ({ text, finishReason: 'stop' as const, warnings: [] })),
        ],
      },
      {
        options: loaded.options,
        plan,
        judges: { judge },
        signal: new AbortController().signal,
        log: loaded.log,
      },
    );
    requests.push(...judge.requests);
    scores.push(score);
    if (score.judgeAudit?.judge) audits.push(score.judgeAudit.judge);
    scored.push({
      id: sample.id,
      metadata: sample.metadata ?? {},
      metrics: score.metrics,
      details: score.details,
    });
  }
  const metrics = benchmark.doAggregate(scored, { options: loaded.options });
  return { metrics, requests, audits, scores, samples: loaded.samples };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The scripted judge of the reference run: the verdict text picked by the sha256 of the user message. */
const referenceJudge: Answer = (request) =>
  reference.verdicts[
    Number.parseInt(sha256(request.messages.at(-1)!.content).slice(0, 8), 16) % reference.verdicts.length
  ]!;

/** The evaluated model's answers of the reference run (Python's str.format of reference.modelAnswer). */
const referenceModelAnswers = (sample: SampleV1<MTBenchQuestion>) =>
  [1, 2].map((turn) =>
    reference.modelAnswer
      .replace('{qid}', sample.id)
      .replace('{turn}', String(turn))
      .replace('{{', '{')
      .replace('}}', '}'),
  );

const rates = (figures: { win_rate: number; loss_rate: number; win_rate_adjusted: number }) => ({
  win_rate: { value: figures.win_rate },
  loss_rate: { value: figures.loss_rate },
  win_rate_adjusted: { value: figures.win_rate_adjusted },
});

describe('parsePairwiseVerdict', () => {
  it('reads [[A]], [[B]] and [[C]] (a tie) as FastChat, by containment in that order of precedence', () => {
    expect(parsePairwiseVerdict('Explanation.\n\n[[A]]')).toBe('A');
    expect(parsePairwiseVerdict('[[B]]')).toBe('B');
    expect(parsePairwiseVerdict('A tie: [[C]]')).toBe('tie');
    // FastChat tests `"[[A]]" in judgment` first, whatever comes earlier in the text.
    expect(parsePairwiseVerdict('I leaned to [[B]], but [[A]] is better.')).toBe('A');
    expect(parsePairwiseVerdict('[[C]] would be unfair: [[B]].')).toBe('B');
  });

  it('gives error for anything else, including FastChat failed-call text and other spellings', () => {
    expect(parsePairwiseVerdict('$ERROR$')).toBe('error');
    expect(parsePairwiseVerdict('[[b]]')).toBe('error');
    expect(parsePairwiseVerdict('[A]')).toBe('error');
    expect(parsePairwiseVerdict('')).toBe('error');
  });
});

describe('gameOutcome (display_result_pairwise)', () => {
  it('counts agreement as a win or loss, a tie or disagreement as a tie, and drops errors', () => {
    expect(gameOutcome('model_1', 'model_1')).toBe('win');
    expect(gameOutcome('model_2', 'model_2')).toBe('loss');
    expect(gameOutcome('tie', 'tie')).toBe('tie');
    expect(gameOutcome('model_1', 'model_2')).toBe('tie');
    expect(gameOutcome('tie', 'model_1')).toBe('tie');
    expect(gameOutcome('model_2', 'tie')).toBe('tie');
    expect(gameOutcome('error', 'model_1')).toBeNull();
    expect(gameOutcome('tie', 'error')).toBeNull();
  });
});

describe('pairwise-baseline, a hand-derived case', () => {
  // Calls per sample: call = turn * 2 + order; order 0 shows the model as A (FastChat's g1), order 1 as B (g2).
  const script: Record<string, (string | Error)[]> = {
    // turn 1: A then B -> the model both times: win. turn 2: A then A -> disagreement: tie.
    '81': ['[[A]]', '[[B]]', '[[A]]', '[[A]]'],
    // turn 1: B then A -> the baseline both times: loss. turn 2: the g2 call fails: dropped.
    '82': ['[[B]]', '[[A]]', '[[C]]', new Error('judge server answered HTTP 503 (after 5 retries)')],
    // turn 1: a tie in g1 is a tie whatever g2 says. turn 2: g1 has no verdict: dropped.
    '111': ['[[C]]', '[[B]]', 'no verdict here', '[[A]]'],
  };
  const run = () =>
    scoreAll(
      createMTBench(),
      { mode: 'pairwise-baseline', categories: ['writing', 'math'] },
      (sample) => [`model answer ${sample.id}/1`, `model answer ${sample.id}/2`],
      (request, sample) => {
        const answer = script[sample.id]?.[request.call!] ?? 'no verdict';
        if (answer instanceof Error) throw answer;
        return answer;
      },
    );

  it('gives win 1, loss 1, tie 2 and the rates display_result_pairwise computes from them', async () => {
    const { metrics, scores, samples } = await run();
    // Only 81, 82 and 111 have a scripted verdict; the 17 other questions' games are all errors.
    expect(metrics).toMatchObject({
      win: 1,
      loss: 1,
      tie: 2,
      win_rate: { value: 1 / 4 },
      loss_rate: { value: 1 / 4 },
      win_rate_adjusted: { value: (1 + 0.5 * 2) / 4 },
      win_rate_adjusted_turn_1: { value: (1 + 0.5) / 3 },
      win_rate_adjusted_turn_2: { value: 0.5 },
      judge_errors: 1,
    });
    const byId = new Map(samples.map((sample, index) => [sample.id, scores[index]!]));
    expect(byId.get('81')!.metrics).toMatchObject({ win: 1, loss: 0, tie: 1, win_rate_adjusted: 0.75 });
    expect(byId.get('82')!.metrics).toMatchObject({ win: 0, loss: 1, tie: 0, judge_errors: 1 });
    expect(byId.get('111')!.metrics).toMatchObject({ win: 0, loss: 0, tie: 1, judge_parse_failures: 1 });
    expect(byId.get('82')!.warnings).toEqual([
      { type: 'other', message: expect.stringMatching(/turn 2 against gpt-3\.5-turbo.*HTTP 503/) },
    ]);
  });

  it('records both orders of each game with FastChat winners, and the judge audit', async () => {
    const { scores, samples } = await run();
    const score81 = scores[samples.findIndex((sample) => sample.id === '81')]!;
    const games = score81.details?.games as PairwiseGame[];
    expect(games).toMatchObject([
      {
        model_2: 'gpt-3.5-turbo',
        turn: 1,
        g1: { judge_prompt: 'pair-v2', verdict: 'A', winner: 'model_1' },
        g2: { judge_prompt: 'pair-v2', verdict: 'B', winner: 'model_1' },
        outcome: 'win',
      },
      {
        turn: 2,
        g1: { judge_prompt: 'pair-v2-multi-turn', winner: 'model_1' },
        g2: { winner: 'model_2' },
        outcome: 'tie',
      },
    ]);
    expect(score81.judgeAudit).toEqual({
      judge: { verdicts: 4, unparsable: 0, swappedPairs: 2, consistentPairs: 1 },
    });
    const score82 = scores[samples.findIndex((sample) => sample.id === '82')]!;
    // The failed call gave no verdict; the game with it is not a swapped pair.
    expect(score82.judgeAudit).toEqual({
      judge: { verdicts: 3, unparsable: 0, swappedPairs: 1, consistentPairs: 1 },
    });
    const score111 = scores[samples.findIndex((sample) => sample.id === '111')]!;
    expect(score111.judgeAudit).toEqual({
      judge: { verdicts: 4, unparsable: 1, swappedPairs: 1, consistentPairs: 0 },
    });
  });

  it('shows the model as A then as B, with the reference answer for math', async () => {
    const { requests } = await run();
    const [g1, g2] = requests;
    expect(g1!.messages[0]).toMatchObject({
      role: 'system',
      content: expect.stringContaining('[[C]]" for a tie'),
    });
    const user1 = g1!.messages[1]!.content;
    const user2 = g2!.messages[1]!.content;
    expect(user1.indexOf('model answer 81/1')).toBeLessThan(
      user1.indexOf("[The Start of Assistant B's Answer]"),
    );
    expect(user2.indexOf('model answer 81/1')).toBeGreaterThan(
      user2.indexOf("[The Start of Assistant B's Answer]"),
    );
    const math = requests.find((request) => request.messages[1]!.content.includes('model answer 111/2'));
    expect(math!.messages[1]!.content).toContain('<|The Start of Reference Answer|>');
    expect(requests.every((request) => request.parameters.temperature === 0)).toBe(true);
  });
});

describe("FastChat's figures on the same judgments", () => {
  it('pairwise-baseline sends the requests FastChat sends and gets display_result_pairwise figures to the last digit', async () => {
    const { metrics, requests, audits } = await scoreAll(
      createMTBench(),
      { mode: 'pairwise-baseline' },
      referenceModelAnswers,
      referenceJudge,
    );
    const digest = (request: JudgeRequestV1) =>
      sha256(request.messages.map((message) => `${message.role}\u0000${message.content}`).join('\u0000'));
    expect(requests.map(digest).sort()).toEqual(
      reference.baselineRequests.map((request) => request.sha256).sort(),
    );
    expect(new Set(requests.map((request) => request.parameters.maxTokens))).toEqual(new Set([2048]));

    const figures = reference.results.pairwise_baseline;
    expect(metrics).toMatchObject({
      win: figures.all.win,
      loss: figures.all.loss,
      tie: figures.all.tie,
      ...rates(figures.all),
      win_rate_adjusted_turn_1: { value: figures.turn_1.win_rate_adjusted },
      win_rate_adjusted_turn_2: { value: figures.turn_2.win_rate_adjusted },
    });
    const audit = audits.reduce<Required<JudgeVerdictAuditV1>>(
      (sum, one) => ({
        verdicts: sum.verdicts + one.verdicts,
        unparsable: sum.unparsable + one.unparsable,
        swappedPairs: sum.swappedPairs + (one.swappedPairs ?? 0),
        consistentPairs: sum.consistentPairs + (one.consistentPairs ?? 0),
      }),
      { verdicts: 0, unparsable: 0, swappedPairs: 0, consistentPairs: 0 },
    );
    expect(audit).toEqual(reference.baselineAudit);
    expect(metrics.judge_parse_failures).toBe(reference.baselineAudit.unparsable);
  });

  it("pairwise-all gives the model's row of FastChat's pairwise-all table, and each opponent's figures", async () => {
    const { metrics } = await scoreAll(
      createMTBench(),
      { mode: 'pairwise-all', opponents: ['gpt-4', 'claude-v1'] },
      referenceModelAnswers,
      referenceJudge,
    );
    const figures = reference.results.pairwise_all;
    expect(metrics).toMatchObject({
      win: figures.all.win,
      loss: figures.all.loss,
      tie: figures.all.tie,
      ...rates(figures.all),
      'win_rate_adjusted_vs_gpt-4': { value: figures['vs_gpt-4'].win_rate_adjusted },
      'win_rate_adjusted_vs_claude-v1': { value: figures['vs_claude-v1'].win_rate_adjusted },
    });
  });
});

describe('modes and options', () => {
  it('keeps single mode the default: mode stays unset and the primary metric is score', () => {
    const benchmark = createMTBench();
    expect(benchmark.optionsSchema.parse({}).mode).toBeUndefined();
    expect(benchmark.primaryMetric).toBe('score');
    expect(benchmark.headlineMetrics).toEqual(['score', 'score_turn_1', 'score_turn_2']);
  });

  it('leads with win_rate_adjusted in the pairwise modes', () => {
    const benchmark = createMTBench();
    expect(benchmark.metricsFor(benchmark.optionsSchema.parse({ mode: 'pairwise-baseline' }))).toEqual({
      primaryMetric: 'win_rate_adjusted',
      headlineMetrics: ['win_rate_adjusted', 'win_rate', 'loss_rate'],
    });
    expect(benchmark.metricsFor(benchmark.optionsSchema.parse({}))).toEqual({
      primaryMetric: 'score',
      headlineMetrics: ['score', 'score_turn_1', 'score_turn_2'],
    });
    expect(createMTBench({ options: { mode: 'pairwise-all' } }).primaryMetric).toBe('win_rate_adjusted');
  });

  it('compares with gpt-3.5-turbo by default, or with baseline_model', async () => {
    const { samples } = await load(createMTBench(), { mode: 'pairwise-baseline', categories: ['writing'] });
    expect(samples[0]!.data.opponents?.map((opponent) => opponent.model)).toEqual(['gpt-3.5-turbo']);
    expect(samples[0]!.data.opponents?.[0]?.turns[0]).toMatch(/^Aloha! I recently had the pleasure/);
    const other = await load(createMTBench(), {
      mode: 'pairwise-baseline',
      baseline_model: 'gpt-4',
      categories: ['writing'],
    });
    expect(other.samples[0]!.data.opponents?.map((opponent) => opponent.model)).toEqual(['gpt-4']);
  });

  it('compares with all 31 pregenerated models in pairwise-all unless opponents are given', async () => {
    const { samples } = await load(createMTBench(), { mode: 'pairwise-all', categories: ['math'] });
    expect(samples).toHaveLength(10);
    expect(samples[0]!.data.opponents?.map((opponent) => opponent.model)).toEqual(pregeneratedModels);
    expect(pregeneratedModels).toHaveLength(31);
  });

  it('rejects an unknown baseline model and an opponent named twice', () => {
    const schema = createMTBench().optionsSchema;
    expect(schema.safeParse({ baseline_model: 'my-model' }).success).toBe(false);
    expect(schema.safeParse({ opponents: ['gpt-4', 'gpt-4'] }).success).toBe(false);
    expect(schema.safeParse({ mode: 'pairwise' }).success).toBe(false);
  });

  it('warns when baseline_model or opponents are set for a mode that does not use them', async () => {
    const { log } = await load(createMTBench(), { baseline_model: 'gpt-4', categories: ['writing'] });
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(/baseline_model is used only in mode pairwise-baseline/),
      },
    ]);
  });

  it('sets the judge audit in single mode too: two verdicts, the unparsable ones counted', async () => {
    const { scores } = await scoreAll(
      createMTBench(),
      { categories: ['writing'] },
      () => ['a', 'b'],
      (request) => (request.call === 0 ? 'Rating: [[7]]' : 'no rating'),
    );
    expect(scores[0]!.judgeAudit).toEqual({ judge: { verdicts: 2, unparsable: 1 } });
  });
});
