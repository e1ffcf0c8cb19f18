import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';
import type { AnswerStyle } from './bradley-terry.js';

// Python's `\s` and `^` under re.MULTILINE differ from JavaScript's: Python's whitespace includes
// \x1c-\x1f and \x85 but not \ufeff, and its line starts follow "\n" only.
const space =
  '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const lineStart = '(?<![^\\n])';
const headerPatterns = [1, 2, 3, 4, 5, 6].map((level) => new RegExp(`${lineStart}#{${level}}${space}`, 'gu'));
const orderedList = new RegExp(`${lineStart}${space}*\\p{Nd}+\\.${space}`, 'gu');
const unorderedList = new RegExp(`${lineStart}${space}*[-*+]${space}`, 'gu');
const boldStars = /\*\*[^*\n]+\*\*/gu;
const boldUnderscores = /__[^_\n]+__/gu;
const codeBlock = /```([^`]*)```/gu;

const count = (pattern: RegExp, text: string) => text.match(pattern)?.length ?? 0;

/**
 * arena-hard-auto's `remove_pattern` with the code-block pattern: the *contents* of each ``` block (the
 * regex group) are deleted wherever they occur, the fences stay.
 */
export function removeCodeBlocks(answer: string): string {
  let text = answer;
  for (const match of answer.matchAll(codeBlock)) text = text.replaceAll(match[1]!, '');
  return text;
}

let encoding: Tiktoken | undefined;

/** Tokens of `text` in tiktoken's `cl100k_base` (`encoding_for_model("gpt-3.5-turbo")`), special tokens as text. */
export function tokenLength(text: string): number {
  encoding ??= new Tiktoken(cl100kBase);
  return encoding.encode(text, [], []).length;
}

/**
 * An answer's `conv_metadata` as arena-hard-auto's add_markdown_info.py computes it: the token count of the
 * whole answer, and headers, list items and bold spans counted outside code blocks.
 */
export function answerStyle(answer: string): AnswerStyle {
  const text = removeCodeBlocks(answer);
  return {
    tokenLength: tokenLength(answer),
    headerCount: headerPatterns.reduce((sum, pattern) => sum + count(pattern, text), 0),
    listCount: count(orderedList, text) + count(unorderedList, text),
    boldCount: count(boldStars, text) + count(boldUnderscores, text),
  };
}
