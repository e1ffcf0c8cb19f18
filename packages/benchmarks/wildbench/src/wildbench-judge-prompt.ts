import type { ChatMessageV1 } from '@evalchemy/core';
import type { WildBenchTask } from './wildbench-data.js';
import { pairwiseTemplateV2, scoreTemplateV2 } from './wildbench-templates.js';

/** What WildBench puts in place of an empty answer in the pairwise prompt. */
export const emptyResponseText = '[This model response is empty.]';

/** The suffix `shorten` appends to cut text. */
export const truncatedSuffix = '... (truncated)';

/**
 * WildBench's `clear_output` (applied when answers are saved): special tokens some chat templates leak become a
 * space, then surrounding whitespace is stripped.
 */
export function clearOutput(output: string): string {
  return pythonStrip(
    output
      .replaceAll('<|endoftext|>', ' ')
      .replaceAll('</s>', ' ')
      .replaceAll('<pad>', ' ')
      .replaceAll('<end_of_turn>', ' '),
  );
}

// Python's str.strip() strips what str.isspace() calls whitespace: JavaScript's \s without U+FEFF, plus
// U+001C..U+001F and U+0085.
const pythonSpace =
  '[\\t\\n\\v\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const surroundingSpace = new RegExp(`^${pythonSpace}+|${pythonSpace}+$`, 'gu');

/** Python's `str.strip()`. */
export function pythonStrip(text: string): string {
  return text.replace(surroundingSpace, '');
}

/** WildBench's `shorten`: more than `maxWords` words (split on single spaces) are cut to the first `maxWords`. */
export function shorten(text: string, maxWords: number): string {
  const words = text.split(' ');
  if (maxWords > 0 && words.length > maxWords)
    return `${words.slice(0, maxWords).join(' ')}${truncatedSuffix}`;
  return text;
}

/** WildBench's `compose_eval_item`: earlier turns as `USER: …` / `ASSISTANT: …`, each followed by a blank line. */
export function formatHistory(history: readonly ChatMessageV1[]): string {
  let text = '';
  for (const message of history) {
    if (message.role === 'user') text += `USER: ${message.content}\n\n`;
    else if (message.role === 'assistant') text += `ASSISTANT: ${message.content}\n\n`;
  }
  return text;
}

/** The checklist as WildBench writes it into the prompt: one `- item` line each. */
export function formatChecklist(checklist: readonly string[]): string {
  return checklist.map((item) => `- ${item}\n`).join('');
}

// Python's str.replace: every occurrence, the replacement taken literally (no `$&` patterns), in WildBench's order.
function fill(template: string, fields: readonly (readonly [string, string])[]): string {
  let text = template;
  for (const [placeholder, value] of fields) text = text.replaceAll(placeholder, () => value);
  return text;
}

/** The score-mode judge prompt (`eval_template.score.v2.md`) for one answer. */
export function buildScorePrompt(task: WildBenchTask, answer: string, maxWords: number): string {
  return fill(scoreTemplateV2, [
    ['{$history}', shorten(formatHistory(task.history), maxWords)],
    ['{$user_query}', shorten(task.lastQuery, maxWords)],
    ['{$model_output}', shorten(answer, maxWords)],
    ['{$checklist}', formatChecklist(task.checklist)],
  ]);
}

/** Which answer the judge sees as A in a pairwise prompt. */
export type PairwiseOrder = 'model-first' | 'reference-first';

/** The pairwise judge prompt (`eval_template.pairwise.v2.md`) and the two answers as the prompt shows them. */
export interface PairwisePrompt {
  prompt: string;
  order: PairwiseOrder;
  /** The shown text of each answer as WildBench's batch formatter reads it back (cut, empty marker, stripped). */
  shownModelOutput: string;
  shownReferenceOutput: string;
}

/** The pairwise judge prompt; `draw` is WildBench's `random.random()` for this task (A is the model's when < 0.5). */
export function buildPairwisePrompt(
  task: WildBenchTask,
  answer: string,
  reference: string,
  draw: number,
  maxWords: number,
): PairwisePrompt {
  const order: PairwiseOrder = draw < 0.5 ? 'model-first' : 'reference-first';
  const [a, b] = order === 'model-first' ? [answer, reference] : [reference, answer];
  const shown = (text: string) => {
    const cut = shorten(text, maxWords);
    return pythonStrip(cut) === '' ? emptyResponseText : cut;
  };
  const shownA = shown(a);
  const shownB = shown(b);
  const prompt = fill(pairwiseTemplateV2, [
    ['{$history}', shorten(formatHistory(task.history), maxWords)],
    ['{$user_query}', shorten(task.lastQuery, maxWords)],
    ['{$candidate_A}', shownA],
    ['{$candidate_B}', shownB],
    ['{$checklist}', formatChecklist(task.checklist)],
  ]);
  const [shownModel, shownReference] = order === 'model-first' ? [shownA, shownB] : [shownB, shownA];
  return {
    prompt,
    order,
    shownModelOutput: pythonStrip(shownModel),
    shownReferenceOutput: pythonStrip(shownReference),
  };
}

/** The length Python's `len` gives: code points, not UTF-16 units. */
export function pythonLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}
