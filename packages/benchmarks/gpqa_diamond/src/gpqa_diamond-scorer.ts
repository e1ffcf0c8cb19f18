import { createHash } from 'node:crypto';
import { PythonRandom } from '@evalchemy/python-random';
import type { GpqaQuestion } from './gpqa_diamond-data.js';

export const choiceLetters = ['A', 'B', 'C', 'D'] as const;

/** Evalchemy's GPQA Diamond prompt (one user message). */
export function gpqaPrompt(question: string, choices: readonly string[]): string {
  const options = choices.map((choice, index) => `${choiceLetters[index]}) ${choice}`).join(', ');
  return (
    'Return your final response within \\boxed{} and only include the letter choice (A, B, C, or D) as your final response.\n' +
    `Problem: ${question}\nOptions: ${options}\nAnswer:`
  );
}

/**
 * Evalchemy's order: `random.Random(42).shuffle([correct, wrong1, wrong2, wrong3])` with a fresh generator per
 * question (GPQADiamond/eval_instruct.py `generate_multiple_choice_answers`), which is the same permutation every
 * time: [wrong2, wrong1, wrong3, correct].
 */
const evalchemyOrder: readonly number[] = new PythonRandom(42).shuffle([0, 1, 2, 3]);

/**
 * A permutation of 0..3 for one question in one run: Fisher–Yates whose random draws are the bytes of
 * SHA-256(`gpqa_diamond:<seed>:<run>:<Record ID>`), each draw by rejection so that it is uniform.
 */
export function shuffledOrder(seed: number, run: number, recordId: string): number[] {
  const bytes = createHash('sha256').update(`gpqa_diamond:${seed}:${run}:${recordId}`).digest();
  const order = [0, 1, 2, 3];
  let next = 0;
  for (let i = order.length - 1; i > 0; i--) {
    const range = i + 1;
    const limit = 256 - (256 % range);
    let byte = bytes[next++] ?? 0;
    while (byte >= limit) byte = bytes[next++] ?? 0;
    const j = byte % range;
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  return order;
}

/** The four choices in prompt order and the letter of the correct one. */
export function arrangeChoices(
  question: GpqaQuestion,
  order: readonly number[],
): { choices: string[]; answer: (typeof choiceLetters)[number] } {
  const answers = [question.correct, ...question.incorrect];
  const choices = order.map((index) => answers[index] ?? '');
  const position = order.indexOf(0);
  return { choices, answer: choiceLetters[position] ?? 'A' };
}

/** Evalchemy's fixed order (`choiceOrder: 'evalchemy'`). */
export function evalchemyChoiceOrder(): number[] {
  return [...evalchemyOrder];
}

/**
 * The chosen letter as Evalchemy reads it (Qwen2.5-Math's `get_multiple_choice_answer`): the last standalone
 * A–D in the upper-cased text, else the whole text stripped of spaces and dots; then trailing `.` and `/` dropped.
 */
export function extractChoiceLetter(text: string): string {
  const letters = text.toUpperCase().match(/\b(?:A|B|C|D)\b/g);
  const last =
    letters && letters.length > 0 ? letters[letters.length - 1] : text.trim().replace(/^\.+|\.+$/g, '');
  return (last ?? '').replace(/\.+$/, '').replace(/\/+$/, '');
}
