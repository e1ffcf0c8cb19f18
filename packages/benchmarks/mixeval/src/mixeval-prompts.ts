import type { ChatMessageV1 } from '@evalchemy/core';
import {
  FIVE_SHOT_PREFIX_FREEFORM,
  FIVE_SHOT_PREFIX_MULTIPLECHOICE,
  FREE_FORM_JUDGE_SYSTEM,
  FREE_FORM_JUDGE_USER_PARTS,
  FREE_FORM_PROMPT,
  FREE_FORM_PROMPT_STEP_BY_STEP,
  MULTI_CHOICE_PROMPT,
  MULTIPLE_CHOICE_JUDGE_SYSTEM,
  MULTIPLE_CHOICE_JUDGE_USER_PARTS,
} from './mixeval-reference-prompts.js';

/** The fields of a MixEval item that its prompts use. */
export interface MixEvalPromptFields {
  prompt: string;
  context: string | null;
  benchmark_name: string;
  /** Multiple-choice items only. */
  options?: readonly string[];
}

/** Free-form benchmarks whose prompt asks for step-by-step reasoning instead of a short answer. */
const stepByStepBenchmarks: ReadonlySet<string> = new Set(['BBH', 'GSM8k', 'MATH']);

/**
 * Whether MixEval shows the item's context: it tests `str(context)`, so a null context reads "None"; "none",
 * "null" (any case) and a context of spaces only are left out. Other whitespace counts as content.
 */
function hasContext(context: string | null): context is string {
  const text = context ?? 'None';
  const lower = text.toLowerCase();
  return lower !== 'none' && lower !== 'null' && text.replaceAll(' ', '') !== '';
}

/** `A. first\nB. second…`: MixEval's `parse_options` (also the option list its judge sees). */
export function formatOptions(options: readonly string[]): string {
  return options.map((option, index) => `${String.fromCharCode(65 + index)}. ${option}`).join('\n');
}

/** MixEval's `construct_prompt_multichoice`: the `formated_input` of a multiple-choice item. */
export function buildMultipleChoicePrompt(item: MixEvalPromptFields): string {
  const body = `${item.prompt}\n${formatOptions(item.options ?? [])}\n${MULTI_CHOICE_PROMPT}`;
  return hasContext(item.context) ? `${item.context}\n${body}` : body;
}

/** MixEval's `construct_prompt_freeform`: the `formated_input` of a free-form item. */
export function buildFreeFormPrompt(item: MixEvalPromptFields): string {
  if (item.benchmark_name === 'QuAc') {
    // MixEval raises NotImplementedError for QuAC; no released item is one.
    throw new Error('MixEval has no free-form prompt for QuAC items.');
  }
  const instruction = stepByStepBenchmarks.has(item.benchmark_name)
    ? FREE_FORM_PROMPT_STEP_BY_STEP
    : FREE_FORM_PROMPT;
  const body = `${item.prompt}\n${instruction}`;
  return hasContext(item.context) ? `Question: ${item.context}\n${body}` : `Question: ${body}`;
}

/**
 * The prompt MixEval's `BaseModel` sends a model without chat: the five-shot prefix of the split, the item's
 * prompt and a newline.
 */
export function buildBaseModelPrompt(split: MixEvalSplit, formattedInput: string): string {
  const prefix = split === 'free-form' ? FIVE_SHOT_PREFIX_FREEFORM : FIVE_SHOT_PREFIX_MULTIPLECHOICE;
  return `${prefix}${formattedInput}\n`;
}

/** The two splits of MixEval and MixEval-Hard, named as their data files. */
export type MixEvalSplit = 'free-form' | 'multiple-choice';

function fill(
  parts: readonly [string, string, string, string],
  values: readonly [string, string, string],
): string {
  return `${parts[0]}${values[0]}${parts[1]}${values[1]}${parts[2]}${values[2]}${parts[3]}`;
}

/**
 * The messages MixEval's free-form model parser sends (`gpt_judge_for_closeended_freeform`): the item's
 * prompt without its context, every golden answer as `<answer i> …` joined by `; `, and the model's answer.
 */
export function buildFreeFormJudgeMessages(
  prompt: string,
  goldenAnswers: readonly string[],
  response: string,
): ChatMessageV1[] {
  const golden = goldenAnswers.map((answer, index) => `<answer ${index + 1}> ${answer}`).join('; ');
  return [
    { role: 'system', content: FREE_FORM_JUDGE_SYSTEM },
    { role: 'user', content: fill(FREE_FORM_JUDGE_USER_PARTS, [prompt, golden, response]) },
  ];
}

/**
 * The messages MixEval's multiple-choice model parser sends (`gpt_judge_for_closeended_multiplechoice`): the
 * item's prompt without its context, its lettered options and the model's answer.
 */
export function buildMultipleChoiceJudgeMessages(
  prompt: string,
  options: readonly string[],
  response: string,
): ChatMessageV1[] {
  return [
    { role: 'system', content: MULTIPLE_CHOICE_JUDGE_SYSTEM },
    {
      role: 'user',
      content: fill(MULTIPLE_CHOICE_JUDGE_USER_PARTS, [prompt, formatOptions(options), response]),
    },
  ];
}
