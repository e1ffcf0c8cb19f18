import type { ChatMessageV1 } from '@evalchemy/core';

/**
 * The judge's system prompt, arena-hard-auto's only copy of which is in its source: `system_prompt` of
 * `config/judge_config.yaml` (lmarena/arena-hard-auto@3071ef9, the last v0.1 commit), the same text as
 * `OG_ARENA_HARD_PROMPT` in `utils/judge_utils.py` (v2.0, @196f6b8), which v2.0 uses for `hard_prompt`.
 */
export const JUDGE_SYSTEM_PROMPT =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user prompt displayed below. You will be given assistant A's answer and assistant B's answer. Your job is to evaluate which assistant's answer is better.\n\nBegin your evaluation by generating your own answer to the prompt. You must provide your answers before judging any answers.\n\nWhen evaluating the assistants' answers, compare both assistants' answers with your answer. You must identify and correct any mistakes or inaccurate information.\n\nThen consider if the assistant's answers are helpful, relevant, and concise. Helpful means the answer correctly responds to the prompt or follows the instructions. Note when user prompt has any ambiguity or more than one interpretation, it is more helpful and appropriate to ask for clarifications or more information from the user than providing an answer based on assumptions. Relevant means all parts of the response closely connect or are appropriate to what is being asked. Concise means the response is clear and not verbose or excessive.\n\nThen consider the creativity and novelty of the assistant's answers when needed. Finally, identify any missing important information in the assistants' answers that would be beneficial to include when responding to the user prompt.\n\nAfter providing your explanation, you must output only one of the following choices as your final verdict with a label:\n\n1. Assistant A is significantly better: [[A>>B]]\n2. Assistant A is slightly better: [[A>B]]\n3. Tie, relatively the same: [[A=B]]\n4. Assistant B is slightly better: [[B>A]]\n5. Assistant B is significantly better: [[B>>A]]\n\nExample output: \"My final verdict is tie: [[A=B]]\".";

/**
 * The judge's user message: `prompt_template` of the same files (v0.1 names the fields `{question_1}`,
 * `{answer_1}`, `{answer_2}`; v2.0 `{QUESTION}`, `{ANSWER_A}`, `{ANSWER_B}`; the text is the same).
 */
export const JUDGE_PROMPT_TEMPLATE =
  "<|User Prompt|>\n{QUESTION}\n\n<|The Start of Assistant A's Answer|>\n{ANSWER_A}\n<|The End of Assistant A's Answer|>\n\n<|The Start of Assistant B's Answer|>\n{ANSWER_B}\n<|The End of Assistant B's Answer|>";

/** v0.1's follow-up when a judgment holds no verdict (`gen_judgment.py`, `number_of_judgment_attempts: 2`). */
export const CONTINUE_JUDGMENT_PROMPT =
  'continue your judgment and finish by outputting a final verdict label';

/** The user message for one game: assistant A's answer first (Python `str.format`, values not re-read). */
export function formatJudgePrompt(question: string, answerA: string, answerB: string): string {
  const values: Record<string, string> = { QUESTION: question, ANSWER_A: answerA, ANSWER_B: answerB };
  return JUDGE_PROMPT_TEMPLATE.replace(
    /\{(QUESTION|ANSWER_A|ANSWER_B)\}/g,
    (_, name: string) => values[name]!,
  );
}

/** System and user message of one game. */
export function judgeMessages(question: string, answerA: string, answerB: string): ChatMessageV1[] {
  return [
    { role: 'system', content: JUDGE_SYSTEM_PROMPT },
    { role: 'user', content: formatJudgePrompt(question, answerA, answerB) },
  ];
}
