import { readFileSync } from 'node:fs';
import {
  BackendCallError,
  type JudgeRequestV1,
  type SampleResponsesV1,
  type ScoredSampleV1,
} from '@evalchemy/core';
import { createRecordingLogger, createScriptedJudge } from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import { syntheticQuestions } from './__fixtures__/synthetic.js';
import {
  type ArenaHardOptions,
  type ArenaHardQuestion,
  aggregateArenaHard,
  arenaHardOptionsSchema,
  CONTINUE_JUDGMENT_PROMPT,
  JUDGE_SYSTEM_PROMPT,
  scoreArenaHardSample,
} from './index.js';

const question = (uid: string, index = 0, seed = 42): ArenaHardQuestion => ({
  uid,
  index,
  category: 'arena-hard-v0.1',
  prompt: `Question ${uid}?`,
  baselineModel: 'gpt-4-0314',
  baselineAnswer: 'BASELINE ANSWER',
  bootstrapSeed: seed,
});

const reply = (text: string): SampleResponsesV1 => ({
  type: 'generate',
  generations: [[{ text, finishReason: 'stop', warnings: [] }]],
});

/** Game 1 puts the baseline's answer first (assistant A). */
const gameOf = (request: JudgeRequestV1) =>
  request.messages[1]!.content.includes("<|The Start of Assistant A's Answer|>\nBASELINE ANSWER") ? 1 : 2;

function score(
  data: ArenaHardQuestion,
  answer: (request: JudgeRequestV1) => string,
  options: Partial<ArenaHardOptions> = {},
) {
  const judge = createScriptedJudge({
    role: 'judge',
    answer: (request) => {
      const text = answer(request);
      if (text === 'FAIL') throw new BackendCallError('judge unavailable', { statusCode: 503 });
      return text;
    },
  });
  const parsed = arenaHardOptionsSchema.parse(options);
  const result = scoreArenaHardSample(data, reply('MODEL ANSWER'), {
    options: parsed,
    plan: { type: 'chat', turns: [data.prompt], parameters: {} },
    judges: { judge },
    signal: AbortSignal.timeout(5_000),
    log: createRecordingLogger(),
  });
  return { judge, result };
}

describe('judging one question in both orders (v0.1)', () => {
  it('sends the reference prompt, baseline first in game 1 and second in game 2', async () => {
    const { judge, result: pending } = score(question('q1'), () => 'My final verdict is: [[B>A]]');
    const result = await pending;
    expect(judge.requests).toHaveLength(2);
    const [first, second] = [...judge.requests].sort((a, b) => (a.call ?? 0) - (b.call ?? 0));
    expect(first!.messages[0]).toEqual({ role: 'system', content: JUDGE_SYSTEM_PROMPT });
    expect(first!.messages[1]!.content).toBe(
      "<|User Prompt|>\nQuestion q1?\n\n<|The Start of Assistant A's Answer|>\nBASELINE ANSWER\n<|The End of Assistant A's Answer|>\n\n<|The Start of Assistant B's Answer|>\nMODEL ANSWER\n<|The End of Assistant B's Answer|>",
    );
    expect(second!.messages[1]!.content).toContain(
      "<|The Start of Assistant A's Answer|>\nMODEL ANSWER\n<|The End of Assistant A's Answer|>\n\n<|The Start of Assistant B's Answer|>\nBASELINE ANSWER",
    );
    expect(first!.parameters).toEqual({ temperature: 0, maxTokens: 4096 });
    // B>A in game 1 is a model win, in game 2 a baseline win: one each, an inconsistent pair.
    expect(result.details?.battles).toEqual([
      { winner: 'model_b', count: 1 },
      { winner: 'model_a', count: 1 },
    ]);
    expect(result.metrics.score).toBe(50);
    expect(result.judgeAudit).toEqual({
      judge: { verdicts: 2, unparsable: 0, swappedPairs: 1, consistentPairs: 0 },
    });
  });

  it('counts a significant verdict three times and calls a pair consistent when both orders prefer one answer', async () => {
    const result = await score(question('q2'), (request) => (gameOf(request) === 1 ? '[[B>>A]]' : '[[A>B]]'))
      .result;
    expect(result.details?.battles).toEqual([
      { winner: 'model_b', count: 3 },
      { winner: 'model_b', count: 1 },
    ]);
    expect(result.metrics.score).toBe(100);
    expect(result.extracted).toEqual(['B>>A', 'A>B']);
    expect(result.judgeAudit?.judge).toMatchObject({ swappedPairs: 1, consistentPairs: 1 });
  });

  it('asks the judge to continue when its answer has no verdict, and reads the joined judgment', async () => {
    const { judge, result } = score(question('q3'), (request) =>
      request.messages.length === 2 ? 'Thinking about it…' : 'So: [[A=B]]',
    );
    const scored = await result;
    expect(judge.requests).toHaveLength(4);
    const retry = judge.requests.find((request) => request.call === 2)!;
    expect(retry.messages.slice(2)).toEqual([
      { role: 'assistant', content: 'Thinking about it…' },
      { role: 'user', content: CONTINUE_JUDGMENT_PROMPT },
    ]);
    const games = scored.details?.games as { judgment: string; attempts: number; label: string }[];
    expect(games[0]).toMatchObject({
      judgment: '\nThinking about it…\nSo: [[A=B]]',
      attempts: 2,
      label: 'A=B',
    });
    expect(scored.details?.battles).toEqual([
      { winner: 'tie', count: 1 },
      { winner: 'tie', count: 1 },
    ]);
    expect(scored.judgeAudit?.judge).toEqual({
      verdicts: 2,
      unparsable: 0,
      swappedPairs: 1,
      consistentPairs: 1,
    });
  });

  it('gives up without a second call when the judgment holds two different verdicts', async () => {
    const { judge, result } = score(question('q4'), (request) =>
      gameOf(request) === 1 ? 'First [[A>B]], on reflection [[B>A]]' : '[[A>B]] and again [[A>B]]',
    );
    const scored = await result;
    expect(judge.requests).toHaveLength(2);
    expect(scored.extracted).toEqual([null, 'A>B']);
    expect(scored.details?.battles).toEqual([{ winner: 'model_b', count: 1 }]);
    expect(scored.metrics).toMatchObject({ score: 100, judge_parse_failures: 1 });
    expect(scored.judgeAudit?.judge).toEqual({
      verdicts: 2,
      unparsable: 1,
      swappedPairs: 0,
      consistentPairs: 0,
    });
  });

  it('keeps a failed judge call as a game without verdict, with a warning', async () => {
    const scored = await score(question('q5'), (request) => (gameOf(request) === 1 ? 'FAIL' : '[[B>A]]'))
      .result;
    expect(scored.metrics).toMatchObject({ judge_errors: 1, judge_parse_failures: 0, score: 0 });
    expect(scored.warnings?.[0]?.message).toContain('game 1');
    expect(scored.judgeAudit?.judge).toEqual({
      verdicts: 1,
      unparsable: 0,
      swappedPairs: 0,
      consistentPairs: 0,
    });
  });
});

describe('judging one question in both orders (v2.0)', () => {
  it('asks once per game with 16000 tokens, reads the last label, and drops a question with a game unjudged', async () => {
    const v2 = { ...question('h1'), category: 'hard_prompt', baselineModel: 'o3-mini-2025-01-31' };
    const { judge, result } = score(
      v2,
      (request) => (gameOf(request) === 1 ? '[[A>B]] then [b<<a]' : 'none'),
      {
        version: 'v2.0',
      },
    );
    const scored = await result;
    expect(judge.requests).toHaveLength(2);
    expect(judge.requests[0]!.parameters).toEqual({ temperature: 0, maxTokens: 16000 });
    // "[[A>B]]" is the last double-bracket label: the single-bracket pattern is only a fallback.
    expect(scored.extracted).toEqual(['A>B', null]);
    expect(scored.details?.battles).toEqual([]);
    expect(scored.metrics.score).toBeNull();
    expect(scored.judgeAudit?.judge).toEqual({
      verdicts: 2,
      unparsable: 1,
      swappedPairs: 0,
      consistentPairs: 0,
    });
  });

  it("reads v2.0's reversed labels: game 2 A<<B is a significant baseline win", async () => {
    const v2 = { ...question('h2'), category: 'hard_prompt' };
    const scored = await score(v2, (request) => (gameOf(request) === 1 ? '[[A=B]]' : '[[A<<B]]'), {
      version: 'v2.0',
    }).result;
    // label_to_score: game 2's scores first ([0, 0, 0] for the model), then 1 - game 1's (0.5).
    expect(scored.details?.scores).toEqual([0, 0, 0, 0.5]);
    expect(scored.metrics.score).toBe(12.5);
  });
});

/** Scores the synthetic questions with a judge answering their labels (null: no label, twice). */
async function scoreSynthetic(
  questions: { uid: string; games: (string | null)[] }[],
  options: Partial<ArenaHardOptions>,
  category = 'arena-hard-v0.1',
): Promise<ScoredSampleV1[]> {
  return Promise.all(
    questions.map(async (entry, index) => {
      const data = { ...question(entry.uid, index, 0), category };
      const scored = await score(
        data,
        (request) => {
          const label = entry.games[gameOf(request) - 1];
          return label === null || label === undefined
            ? 'No verdict here.'
            : `My final verdict: [[${label}]]`;
        },
        options,
      ).result;
      return { id: entry.uid, metadata: { category }, metrics: scored.metrics, details: scored.details };
    }),
  );
}

describe('from judge answers to the leaderboard numbers', () => {
  it('v0.1: the reference show_result row of the synthetic judgments (see bradley-terry.test.ts)', async () => {
    const samples = await scoreSynthetic(syntheticQuestions, {});
    const metrics = aggregateArenaHard(
      samples.reverse(),
      arenaHardOptionsSchema.parse({ bootstrap_seed: 42 }),
    );
    expect(metrics).toMatchObject({ score: 40.88, ci_lower: 33.0, ci_upper: 47.19, battles: 159 });
  });

  it('v2.0: the reference show_result (v2.0) row of its synthetic judgments', async () => {
    // src/__fixtures__/synthetic-judgments-v2.json, written by reference-check/make_v2.py (random.Random(20250425));
    // lmarena/arena-hard-auto@196f6b8 show_result.py's load_judgments + print_leaderboard on the same judgments,
    // numpy's global generator seeded 42 (torch stubbed, unused there), Debian python3-pandas 1.5.3, by
    // reference-check/run_v2.py 42:
    //   "test-model  52.8  (-6.4 / +5.8)"; mean 0.5276315789473685, q05 0.46381578947368424, q95 0.5856907894736841.
    // Two questions have a game without verdict and are left out, as the reference's null judgments.
    const questions = JSON.parse(
      readFileSync(new URL('./__fixtures__/synthetic-judgments-v2.json', import.meta.url), 'utf8'),
    ) as { uid: string; games: (string | null)[] }[];
    const samples = await scoreSynthetic(questions, { version: 'v2.0' }, 'hard_prompt');
    const metrics = aggregateArenaHard(
      samples,
      arenaHardOptionsSchema.parse({ version: 'v2.0', bootstrap_seed: 42 }),
    );
    expect(metrics).toMatchObject({ score: 52.8, ci_lower: 46.4, ci_upper: 58.6 });
    expect(samples.filter((sample) => sample.metrics.score === null)).toHaveLength(2);
  });
});
