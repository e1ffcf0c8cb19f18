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
  return {
    judgePrompt: template.name,
    messages: judgeMessages(template.systemPrompt, formatTemplate(template.promptTemplate, values)),
    parameters: { temperature: 0, maxTokens: judgeMaxTokens },
  };
}

function judgeMessages(systemPrompt: string, user: string): ChatMessageV1[] {
  // FastChat's OpenAI judge sends the prompt's system message unless it is empty (to_openai_api_messages).
  return systemPrompt === ''
    ? [{ role: 'user', content: user }]
    : [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: user },
      ];
}

/**
 * The judge request FastChat's `run_judge_pair` sends for turn `turn` (0 or 1) of `question` with `answersA`
 * shown as assistant A and `answersB` as assistant B: turn 1 shows the first question and both answers, turn
 * 2 both whole conversations; reference-graded categories add GPT-4's answers. The pairwise prompts carry
 * their instructions in the system message. Temperature 0 as FastChat's OpenAI judge.
 */
export function buildPairwiseJudgeRequest(
  question: MTBenchQuestion,
  answersA: readonly string[],
  answersB: readonly string[],
  turn: 0 | 1,
  judgeMaxTokens: number,
): JudgeRequest {
  const template = question.pairwiseJudgePrompts?.[turn];
  if (template === undefined) {
    throw new Error(`mtbench question ${question.questionId} was loaded without the pairwise judge prompts.`);
  }
  const values: Record<string, string> = {};
  const reference = question.referenceTurns;
  if (reference !== undefined) {
    values.ref_answer_1 = reference[0]!;
    if (turn === 1) values.ref_answer_2 = reference[1]!;
  }
  if (turn === 1) {
    values.question_1 = question.turns[0]!;
    values.question_2 = question.turns[1]!;
    values.answer_a_1 = answersA[0]!;
    values.answer_b_1 = answersB[0]!;
    values.answer_a_2 = answersA[1]!;
    values.answer_b_2 = answersB[1]!;
  } else {
    values.question = question.turns[0]!;
    values.answer_a = answersA[0]!;
    values.answer_b = answersB[0]!;
  }
  return {
    judgePrompt: template.name,
    messages: judgeMessages(template.systemPrompt, formatTemplate(template.promptTemplate, values)),
    parameters: { temperature: 0, maxTokens: judgeMaxTokens },
  };
}
