import type { DatasetResolverV1 } from '@evalchemy/core';
import { baselineAnswerFile } from '../mtbench-model-answers.js';
import fastChatRequests from './fastchat-judge-requests.json' with { type: 'json' };

/** The stored gpt-3.5-turbo answer file that fastchat-judge-requests.json was rendered from. */
export const gpt35AnswerFile = baselineAnswerFile;

/** The stored answers to both turns, by question id. */
export async function readGpt35Answers(datasets: DatasetResolverV1): Promise<Map<number, string[]>> {
  const rows = (await datasets.rows(gpt35AnswerFile)) as {
    question_id: number;
    choices: { turns: string[] }[];
  }[];
  return new Map(rows.map((row) => [row.question_id, row.choices[0]!.turns]));
}

export { fastChatRequests };
