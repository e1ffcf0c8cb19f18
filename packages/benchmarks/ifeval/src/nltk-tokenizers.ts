import { punktSentences } from './punkt-sentence-tokenizer.js';
import { PYTHON_WHITESPACE, pySplitWhitespace } from './python-text.js';

/**
 * The NLTK tokenizers IFEval counts with: `RegexpTokenizer(r"\w+")` for words, the English Punkt model for
 * sentences, and `word_tokenize` (Punkt sentences, then NLTK's improved Treebank word tokenizer).
 */

const WS = `[${PYTHON_WHITESPACE}]`;
// NLTK ≥ 3.10 compiles RegexpTokenizer patterns with the `regex` engine, whose `\w` also takes marks
// (Hindi vowel signs, viramas): the Unicode definition below, not Python `re`'s.
const words = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200c\u200d]+/gu;

/** IFEval's `count_words`: number of `\w+` runs as NLTK 3.10's RegexpTokenizer finds them. */
export function countWords(text: string): number {
  return text.match(words)?.length ?? 0;
}

/** IFEval's `count_sentences`: number of sentences found by NLTK's English Punkt tokenizer. */
export function countSentences(text: string): number {
  return punktSentences(text).length;
}

type Rule = [RegExp, string];
const rule = (pattern: string, replacement: string, flags = ''): Rule => [
  new RegExp(pattern, `gu${flags}`),
  replacement,
];
const END = '(?![\\s\\S])';

const STARTING_QUOTES: Rule[] = [
  rule('([«“‘„]|[`]+)', ' $1 '),
  rule('^"', '``'),
  rule('(``)', ' $1 '),
  rule('([ ([{<])("|\'{2})', '$1 `` '),
  rule(
    "(?<![\\p{L}\\p{Nd}\\p{Nl}\\p{No}_])(')(?!(?:re|ve|ll|m|t|s|d|n)(?![\\p{L}\\p{Nd}\\p{Nl}\\p{No}_]))(?=[\\p{L}\\p{Nd}\\p{Nl}\\p{No}_])",
    '$1 ',
    'i',
  ),
];
const PUNCTUATION: Rule[] = [
  rule(`([^.])(\\.)([\\])}>"'»”’ ]*)${WS}*(?=\\n?${END})\\n?`, '$1 $2 $3 '),
  rule('([:,])([^\\p{Nd}])', ' $1 $2'),
  rule(`([:,])(?=\\n?${END})`, ' $1 '),
  rule('\\.{2,}', ' $& '),
  rule('[;@#$%&]', ' $& '),
  rule('[\\u2012-\\u2015]', ' $& '),
  rule(`([^.])(\\.)([\\])}>"']*)${WS}*(?=\\n?${END})\\n?`, '$1 $2$3 '),
  rule('[?!]', ' $& '),
  rule("([^'])' ", "$1 ' "),
  rule('[*]', ' $& '),
];
const PARENS_BRACKETS = rule('[\\][(){}<>]', ' $& ');
const DOUBLE_DASHES = rule('--', ' -- ');
const ENDING_QUOTES: Rule[] = [
  rule('([»”’])', ' $1 '),
  rule("''", " '' "),
  rule('"', " '' "),
  rule(`${WS}+`, ' '),
  rule("([^' ])('[sS]|'[mM]|'[dD]|') ", '$1 $2 '),
  rule("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", '$1 $2 '),
];
const B = '[\\p{L}\\p{Nd}\\p{Nl}\\p{No}_]';
const boundary = (side: 'start' | 'end') => (side === 'start' ? `(?<!${B})(?=${B})` : `(?<=${B})(?!${B})`);
const CONTRACTIONS: RegExp[] = [
  ['(can)(not)', true],
  ["(d)('ye)", true],
  ['(gim)(me)', true],
  ['(gon)(na)', true],
  ['(got)(ta)', true],
  ['(lem)(me)', true],
  ["(more)('n)", true],
  ['(wan)(na)', false],
].map(([body, endBoundary]) => {
  const end = endBoundary ? boundary('end') : `(?=${WS})`;
  return new RegExp(`${boundary('start')}${body}${end}`, 'giu');
});
const CONTRACTIONS3: RegExp[] = [/ ('t)(is)/giu, / ('t)(was)/giu].map(
  (regex) => new RegExp(`${regex.source}${boundary('end')}`, 'giu'),
);

/** NLTK's `NLTKWordTokenizer.tokenize` (the improved Treebank tokenizer) for one sentence. */
export function treebankWordTokenize(sentence: string): string[] {
  let text = sentence;
  for (const [regex, replacement] of STARTING_QUOTES) text = text.replace(regex, replacement);
  for (const [regex, replacement] of PUNCTUATION) text = text.replace(regex, replacement);
  text = text.replace(PARENS_BRACKETS[0], PARENS_BRACKETS[1]);
  text = text.replace(DOUBLE_DASHES[0], DOUBLE_DASHES[1]);
  text = ` ${text} `;
  for (const [regex, replacement] of ENDING_QUOTES) text = text.replace(regex, replacement);
  for (const regex of [...CONTRACTIONS, ...CONTRACTIONS3]) text = text.replace(regex, ' $1 $2 ');
  return pySplitWhitespace(text);
}

/** NLTK's `word_tokenize(text)` (English, `preserve_line=False`). */
export function nltkWordTokenize(text: string): string[] {
  return punktSentences(text).flatMap((sentence) => treebankWordTokenize(sentence));
}
