import type { DatasetFileV1, DatasetResolverV1 } from '@evalchemy/core';
import fastChatRequests from './fastchat-judge-requests.json' with { type: 'json' };

/** The stored gpt-3.5-turbo answer file that fastchat-judge-requests.json was rendered from. */
export const gpt35AnswerFile: DatasetFileV1 = {
  hub: {
    repository: 'spaces/lmsys/mt-bench',
    repositoryType: 'model',
    revision: '89039fbb04009aa54b2ce88a294402fe9d756913',
    path: 'data/mt_bench/model_answer/gpt-3.5-turbo.jsonl',
  },
  offlinePath: fastChatRequests.answerFile,
  sha256: { offline: 'c3c097c21f91e4b44a554d82e5d47516daf7e8240e13b2eca79d211afc1fdfd6' },
};

/** The stored answers to both turns, by question id. */
export async function readGpt35Answers(datasets: DatasetResolverV1): Promise<Map<number, string[]>> {
  const rows = (await datasets.rows(gpt35AnswerFile)) as {
    question_id: number;
    choices: { turns: string[] }[];
  }[];
  return new Map(rows.map((row) => [row.question_id, row.choices[0]!.turns]));
}

export { fastChatRequests };
