import { readFileSync } from 'node:fs';
import type { LoadContextV1, SampleV1, ScoredSampleV1 } from '@evalchemy/core';
import {
  createOfflineDatasetResolver,
  createRecordingLogger,
  createScriptedJudge,
  sharedDatasetsDirectory,
} from '@evalchemy/test-kit';
import { describe, expect, it } from 'vitest';
import arenaHard, { type ArenaHardOptions, type ArenaHardQuestion } from './index.js';

// Recorded by Evalchemy's copy of arena-hard-auto v0.1 (mlfoundations/evalchemy@8120ac1,
// eval/chat_benchmarks/arena_hard_auto/data/arena-hard-v0.1/model_judgment/gpt-4o-mini-2024-07-18/*.jsonl,
// judge gpt-4o-mini-2024-07-18, baseline gpt-4-0314):
// - evalchemy-gpt-4o-mini-labels.json: the parsed labels (`games[].score`) of every judged question of
//   gpt-3.5-turbo-0125 (32), Qwen1.5-1.8B-Chat (100) and Qwen1.5-1.8B (5);
// - evalchemy-gpt-3.5-turbo-judgments.json: two of gpt-3.5-turbo-0125's rows whole (the judge's user prompt,
//   judgment and label of both games) with the model's answer (model_answer/gpt-3.5-turbo-0125.jsonl).
// The same commit's leaderboard/arena_hard_leaderboard_gpt-4o-mini-2024-07-18.csv, written by its show_result
// from those judgments, says: gpt-3.5-turbo-0125 30.0, Qwen1.5-1.8B-Chat 5.56, Qwen1.5-1.8B 0.0; its
// data/arena_hard_battles.jsonl holds 110, 432 and 24 battles for them.
const labels = JSON.parse(
  readFileSync(new URL('./__fixtures__/evalchemy-gpt-4o-mini-labels.json', import.meta.url), 'utf8'),
) as Record<string, { uid: string; games: [string, string] }[]>;
const recorded = JSON.parse(
  readFileSync(new URL('./__fixtures__/evalchemy-gpt-3.5-turbo-judgments.json', import.meta.url), 'utf8'),
) as {
  question_id: string;
  answer: string;
  games: { user_prompt: string; judgment: string; score: string }[];
}[];

const options = arenaHard.optionsSchema.parse({});
let loaded: Map<string, SampleV1<ArenaHardQuestion>> | undefined;

async function samplesByUid(): Promise<Map<string, SampleV1<ArenaHardQuestion>>> {
  if (loaded !== undefined) return loaded;
  const context: LoadContextV1<ArenaHardOptions> = {
    options,
    datasets: createOfflineDatasetResolver(sharedDatasetsDirectory()),
    seed: 0,
    log: createRecordingLogger(),
  };
  const source = await arenaHard.doLoad(context);
  loaded = new Map(
    [...(source.samples as Iterable<SampleV1<ArenaHardQuestion>>)].map((sample) => [sample.id, sample]),
  );
  return loaded;
}

function scoreWith(
  sample: SampleV1<ArenaHardQuestion>,
  answer: string,
  judgeReply: (game: number) => string,
) {
  const judge = createScriptedJudge({
    role: 'judge',
    answer: (request) =>
      judgeReply(request.messages[1]!.content.includes(`A's Answer|>\n${answer}\n`) ? 2 : 1),
  });
  const result = arenaHard.doScore(
    sample,
    { type: 'generate', generations: [[{ text: answer, finishReason: 'stop', warnings: [] }]] },
    {
      options,
      plan: arenaHard.doPlan(sample, {
        options,
        backend: {
          id: 'replay',
          modelId: 'recorded',
          capabilities: { chat: true, completion: false, loglikelihood: false, cacheable: true },
        },
      }),
      judges: { judge },
      signal: AbortSignal.timeout(10_000),
      log: createRecordingLogger(),
    },
  );
  return { judge, result };
}

describe("Evalchemy's recorded arena-hard-auto v0.1 judgments", () => {
  it('sends the recorded judge prompts, and reads the recorded judgments into the recorded labels', async () => {
    const samples = await samplesByUid();
    for (const row of recorded) {
      // The reference keeps the judgment as "\n" + the judge's answer (one attempt here).
      const { judge, result } = scoreWith(samples.get(row.question_id)!, row.answer, (game) =>
        row.games[game - 1]!.judgment.slice(1),
      );
      const scored = await result;
      const sent = [...judge.requests].sort((a, b) => (a.call ?? 0) - (b.call ?? 0));
      expect(sent.map((request) => request.messages[1]!.content)).toEqual(
        row.games.map((game) => game.user_prompt),
      );
      expect(scored.extracted).toEqual(row.games.map((game) => game.score));
      expect((scored.details!.games as { judgment: string }[]).map((game) => game.judgment)).toEqual(
        row.games.map((game) => game.judgment),
      );
    }
  });

  it.each([
    ['gpt-3.5-turbo-0125', 30.0, 110],
    ['Qwen1.5-1.8B-Chat', 5.56, 432],
    ['Qwen1.5-1.8B', 0.0, 24],
  ])('gives %s the score of the recorded leaderboard (%s) from its labels', async (model, score, battles) => {
    const samples = await samplesByUid();
    const scored: ScoredSampleV1[] = await Promise.all(
      labels[model]!.map(async ({ uid, games }) => {
        const sample = samples.get(uid)!;
        const result = await scoreWith(
          sample,
          'ANSWER',
          (game) => `My final verdict is: [[${games[game - 1]}]]`,
        ).result;
        return { id: uid, metadata: sample.metadata ?? {}, metrics: result.metrics, details: result.details };
      }),
    );
    expect(arenaHard.doAggregate(scored, { options })).toMatchObject({ score, battles });
  });
});
