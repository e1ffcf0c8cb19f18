import type { ChatMessageV1 } from '@evalchemy/core';

/** One GSM8K problem as the dataset gives it. */
export interface Gsm8kProblem {
  question: string;
  /** Worked solution ending in `#### <number>`. */
  answer: string;
}

/** gsm8k's `until`: generation stops at the next question or an end-of-turn marker. */
export const gsm8kStopStrings: readonly string[] = ['Question:', '</s>', '<|im_end|>'];

/** lm-eval's default `max_gen_toks`; gsm8k.yaml does not override it. */
export const gsm8kMaxTokens = 256;

/** gsm8k's `doc_to_text`: `Question: {{question}}\nAnswer:`. */
export function gsm8kQuestionText(question: string): string {
  return `Question: ${question}\nAnswer:`;
}

/**
 * The completion prompt as lm-eval renders it without a chat template: each exemplar's `doc_to_text`, the
 * target delimiter " ", its `doc_to_target` (the whole worked answer, `#### N` included) and the few-shot
 * delimiter "\n\n"; then the question's `doc_to_text`. No description.
 */
export function gsm8kCompletionPrompt(question: string, exemplars: readonly Gsm8kProblem[]): string {
  const shots = exemplars.map((shot) => `${gsm8kQuestionText(shot.question)} ${shot.answer}\n\n`);
  return `${shots.join('')}${gsm8kQuestionText(question)}`;
}

/** The exemplars as user/assistant turns (lm-eval `--apply_chat_template --fewshot_as_multiturn`). */
export function gsm8kChatHistory(exemplars: readonly Gsm8kProblem[]): ChatMessageV1[] {
  return exemplars.flatMap((shot): ChatMessageV1[] => [
    { role: 'user', content: gsm8kQuestionText(shot.question) },
    { role: 'assistant', content: shot.answer },
  ]);
}
