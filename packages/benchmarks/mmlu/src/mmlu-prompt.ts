import type { ChatMessageV1 } from '@evalchemy/core';
import type { MmluSubject } from './mmlu-subjects.js';

/** One MMLU question, from either the original CSV or the Hub parquet. */
export interface MmluQuestion {
  question: string;
  /** The four options A–D. */
  choices: [string, string, string, string];
  /** Index (0–3) of the correct option. */
  answer: number;
}

/** The option letters; lm-eval's `doc_to_choice`. */
export const mmluLetters = ['A', 'B', 'C', 'D'] as const;

/** The instruction chat backends get with the description (lm-eval's generative variant has none; see README). */
export const mmluChatInstruction = 'Answer with the letter (A, B, C or D) of the correct option only.';

const pythonWhitespace =
  '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const pythonStripPattern = new RegExp(`^${pythonWhitespace}+|${pythonWhitespace}+$`, 'g');

/** Python's `str.strip()`, whose whitespace set differs from `String.prototype.trim` (\x1c–\x1f, \x85, no \ufeff). */
export function pythonStrip(value: string): string {
  return value.replace(pythonStripPattern, '');
}

/** lm-eval's task `description`: the subject with underscores as spaces. */
export function mmluDescription(subject: MmluSubject): string {
  return `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`;
}

/** lm-eval's `doc_to_text` of the mmlu tasks. */
export function mmluQuestionText(question: MmluQuestion): string {
  const [a, b, c, d] = question.choices;
  return `${pythonStrip(question.question)}\nA. ${a}\nB. ${b}\nC. ${c}\nD. ${d}\nAnswer:`;
}

/**
 * The plain-text context as lm-eval renders it without a chat template: the description, each few-shot example
 * as `doc_to_text`, " ", its letter and "\n\n", then the question's `doc_to_text`.
 */
export function mmluContext(
  subject: MmluSubject,
  shots: readonly MmluQuestion[],
  question: MmluQuestion,
): string {
  const examples = shots.map((shot) => `${mmluQuestionText(shot)} ${mmluLetters[shot.answer]}\n\n`).join('');
  return `${mmluDescription(subject)}${examples}${mmluQuestionText(question)}`;
}

/** The few-shot examples as user/assistant turns (lm-eval `--fewshot_as_multiturn`). */
export function mmluChatHistory(shots: readonly MmluQuestion[]): ChatMessageV1[] {
  return shots.flatMap((shot): ChatMessageV1[] => [
    { role: 'user', content: mmluQuestionText(shot) },
    { role: 'assistant', content: mmluLetters[shot.answer] ?? '' },
  ]);
}
