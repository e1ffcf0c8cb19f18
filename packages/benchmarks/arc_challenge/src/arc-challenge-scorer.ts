/** One ARC question as the Hub gives it. */
export interface ArcQuestion {
  id: string;
  question: string;
  choices: { text: string[]; label: string[] };
  /** Label of the correct choice (`A`–`E` or `1`–`5`). */
  answerKey: string;
}

/** lm-eval's `doc_to_text` of arc_challenge. */
export function arcQuestionText(question: ArcQuestion): string {
  return `Question: ${question.question}\nAnswer:`;
}

/** lm-eval's `doc_to_target`: the index of `answerKey` among the labels. */
export function arcGoldIndex(question: ArcQuestion): number {
  return question.choices.label.indexOf(question.answerKey);
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let index = 1; index < values.length; index++) {
    if ((values[index] ?? Number.NEGATIVE_INFINITY) > (values[best] ?? Number.NEGATIVE_INFINITY))
      best = index;
  }
  return best;
}

/**
 * lm-eval multiple-choice metrics: `acc` is the argmax of the log-likelihoods; `acc_norm` the argmax of each
 * log-likelihood divided by its choice's length. lm-eval takes Python `len()` of the choice text without the
 * leading space, i.e. Unicode code points, not bytes.
 */
export function scoreArcLoglikelihoods(
  logprobs: readonly number[],
  choices: readonly string[],
  gold: number,
): { acc: number; acc_norm: number; chosen: number; chosenNorm: number } {
  const chosen = argmax(logprobs);
  const chosenNorm = argmax(logprobs.map((logprob, index) => logprob / [...(choices[index] ?? '')].length));
  return { acc: chosen === gold ? 1 : 0, acc_norm: chosenNorm === gold ? 1 : 0, chosen, chosenNorm };
}

/** The letter shown for option `index` in the generative prompt. */
export function arcLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

/**
 * The generative prompt for chat-only backends, after lm-eval's `arc_challenge_chat` (whose assistant prefix
 * "The best answer is" cannot be prefilled here, so the instruction asks for it).
 */
export function arcChatPrompt(question: ArcQuestion): string {
  const letters = question.choices.text.map((_, index) => arcLetter(index));
  const options = question.choices.text.map((text, index) => `\n${arcLetter(index)}. ${text}`).join('');
  const list = `${letters.slice(0, -1).join(', ')} and ${letters.at(-1)}`;
  return (
    `Given the following question and ${question.choices.text.length} candidate answers (${list}), choose the best answer.\n` +
    `Question: ${question.question.trim()}${options}\n` +
    `Your response should end with "The best answer is [the_answer_letter]" where the [the_answer_letter] is one of ${letters.slice(0, -1).join(', ')} or ${letters.at(-1)}.`
  );
}

/** The chosen letter of a generated answer: after the last "best answer is", else the first standalone capital option letter. */
export function extractArcLetter(response: string, optionCount: number): string | undefined {
  const letters = Array.from({ length: optionCount }, (_, index) => arcLetter(index)).join('');
  const stated = [
    ...response.matchAll(new RegExp(`best answer is\\W*([${letters}])(?![A-Za-z0-9])`, 'gi')),
  ].at(-1)?.[1];
  if (stated !== undefined) return stated.toUpperCase();
  return new RegExp(`(?<![A-Za-z0-9])([${letters}])(?![A-Za-z0-9])`).exec(response)?.[1];
}
