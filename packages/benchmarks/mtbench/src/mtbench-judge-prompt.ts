import type { ChatMessageV1, GenerationParametersV1 } from '@evalchemy/core';
import type { MTBenchQuestion } from './mtbench-data.js';

/**
 * Fills `{name}` fields the way Python's `str.format` does for FastChat's templates: one pass over the
 * template, `{{`/`}}` as literal braces, values inserted verbatim (braces inside an answer stay as they are).
 */
export function formatTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, field: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const value = field === undefined ? undefined : values[field];
    if (value === undefined) throw new Error(`Judge prompt template field {${field}} has no value.`);
    return value;
  });
}

/** What the judge is asked for one turn of one question. */
export interface JudgeRequest {
  /** FastChat's judge prompt name, e.g. `single-v1-multi-turn`. */
  judgePrompt: string;
  messages: ChatMessageV1[];
  parameters: GenerationParametersV1;
}

/**
 * The judge request FastChat's `run_judge_single` sends for turn `turn` (0 or 1) of `question`, given the
 * model's answers to both turns: turn 1 shows the first question and answer, turn 2 the whole conversation;
 * reference-graded categories add GPT-4's answers. Temperature 0 as FastChat's OpenAI judge.
 */
export function buildJudgeRequest(
  question: MTBenchQuestion,
  answers: readonly string[],
  turn: 0 | 1,
  judgeMaxTokens: number,
): JudgeRequest {
  const template = question.judgePrompts[turn];
  const values: Record<string, string> = {};
  const reference = question.referenceTurns;
  if (reference !== undefined) {
    values.ref_answer_1 = reference[0]!;
    if (turn === 1) values.ref_answer_2 = reference[1]!;
  }
  if (turn === 1) {
    values.question_1 = question.turns[0]!;
    values.question_2 = question.turns[1]!;
    values.answer_1 = answers[0]!;
    values.answer_2 = answers[1]!;
  } else {
    values.question = question.turns[0]!;
    values.answer = answers[0]!;
  }
  const user = formatTemplate(template.promptTemplate, values);
  const messages: ChatMessageV1[] =
    template.systemPrompt === ''
      ? [{ role: 'user', content: user }]
      : [
          { role: 'system', content: template.systemPrompt },
          { role: 'user', content: user },
        ];
  return { judgePrompt: template.name, messages, parameters: { temperature: 0, maxTokens: judgeMaxTokens } };
}
