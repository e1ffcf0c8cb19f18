import { readFileSync } from 'node:fs';
import { isPythonSpace, PYTHON_WHITESPACE, pyIsLower, pyIsUpper, pyRstrip } from './python-text.js';

/**
 * NLTK's Punkt sentence tokenizer (Kiss & Strunk 2006) with NLTK's English parameters, as IFEval's
 * `count_sentences` and `nltk.word_tokenize` use it. Only tokenization is implemented, not training.
 */

interface PunktParameters {
  abbrevTypes: Set<string>;
  collocations: Set<string>;
  sentStarters: Set<string>;
  orthoContext: Map<string, number>;
}

const ORTHO_BEG_UC = 1 << 1;
const ORTHO_MID_UC = 1 << 2;
const ORTHO_UNK_UC = 1 << 3;
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_MID_LC = 1 << 5;
const ORTHO_UNK_LC = 1 << 6;
const ORTHO_UC = ORTHO_BEG_UC + ORTHO_MID_UC + ORTHO_UNK_UC;
const ORTHO_LC = ORTHO_BEG_LC + ORTHO_MID_LC + ORTHO_UNK_LC;

let englishParameters: PunktParameters | undefined;

function loadEnglishParameters(): PunktParameters {
  if (englishParameters) return englishParameters;
  const raw = JSON.parse(readFileSync(new URL('../data/punkt-english.json', import.meta.url), 'utf8')) as {
    abbrevTypes: string[];
    collocations: [string, string][];
    sentStarters: string[];
    orthoContext: Record<string, number>;
  };
  englishParameters = {
    abbrevTypes: new Set(raw.abbrevTypes),
    collocations: new Set(raw.collocations.map(([first, second]) => `${first}\u0000${second}`)),
    sentStarters: new Set(raw.sentStarters),
    orthoContext: new Map(Object.entries(raw.orthoContext)),
  };
  return englishParameters;
}

const WS = PYTHON_WHITESPACE;
// Punctuation that may follow a sentence end inside the same token (PunktLanguageVars._re_non_word_chars).
const NON_WORD = `(?:[)";}\\]*:@'({\\[\\u2018\\u2019\\u201c\\u201d\\xab\\xbb?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.[${WS}]){2,}\\.)`;
const WORD_START = `[^("\`{\\[:;&#*@)}\\]\\-,]`;
const wordTokenizer = new RegExp(
  `${MULTI_CHAR}|(?=${WORD_START})[^${WS}]+?(?=[${WS}]|(?![\\s\\S])|${NON_WORD}|${MULTI_CHAR}|,(?=(?![\\s\\S])|[${WS}]|${NON_WORD}|${MULTI_CHAR}))|[^${WS}]`,
  'gu',
);
const periodContext = new RegExp(`[.?!](?=(?<after>${NON_WORD}|[${WS}]+(?<next>[^${WS}]+)))`, 'gu');
const boundaryRealignment = new RegExp(
  `^["')\\]}\\u2018\\u2019\\u201c\\u201d\\xab\\xbb]+?(?:[${WS}]+|(?=--)|(?![^\\n]))`,
  'u',
);
const numeric = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const initial = /^[\p{L}\p{Nl}\p{No}_]\.$/u;
const ellipsis = /^\.\.+$/;

interface Token {
  tok: string;
  type: string;
  periodFinal: boolean;
  sentbreak: boolean;
  abbr: boolean;
  ellipsis: boolean;
}

function makeToken(tok: string): Token {
  const lower = tok.toLowerCase();
  return {
    tok,
    type: numeric.test(lower) ? '##number##' : lower,
    periodFinal: tok.endsWith('.'),
    sentbreak: false,
    abbr: false,
    ellipsis: false,
  };
}

function typeNoPeriod(token: Token): string {
  return token.type.length > 1 && token.type.endsWith('.') ? token.type.slice(0, -1) : token.type;
}

function typeNoSentPeriod(token: Token): string {
  return token.sentbreak ? typeNoPeriod(token) : token.type;
}

function firstCharacter(token: Token): string {
  return String.fromCodePoint(token.tok.codePointAt(0)!);
}

function tokenizeWords(text: string): Token[] {
  const tokens: Token[] = [];
  for (const line of text.split('\n')) {
    if (Array.from(line).every(isPythonSpace)) continue;
    for (const match of line.matchAll(wordTokenizer)) tokens.push(makeToken(match[0]));
  }
  return tokens;
}

function annotate(tokens: Token[], parameters: PunktParameters): Token[] {
  for (const token of tokens) {
    const tok = token.tok;
    if (tok === '.' || tok === '?' || tok === '!') token.sentbreak = true;
    else if (ellipsis.test(tok)) token.ellipsis = true;
    else if (token.periodFinal && !tok.endsWith('..')) {
      const stem = tok.slice(0, -1).toLowerCase();
      if (parameters.abbrevTypes.has(stem) || parameters.abbrevTypes.has(stem.split('-').at(-1)!))
        token.abbr = true;
      else token.sentbreak = true;
    }
  }
  for (let index = 0; index < tokens.length - 1; index++)
    secondPass(tokens[index]!, tokens[index + 1]!, parameters);
  return tokens;
}

function orthoHeuristic(token: Token, parameters: PunktParameters): boolean | 'unknown' {
  if (';:,.!?'.includes(token.tok) && token.tok.length === 1) return false;
  const context = parameters.orthoContext.get(typeNoSentPeriod(token)) ?? 0;
  const first = firstCharacter(token);
  if (pyIsUpper(first) && context & ORTHO_LC && !(context & ORTHO_MID_UC)) return true;
  if (pyIsLower(first) && (context & ORTHO_UC || !(context & ORTHO_BEG_LC))) return false;
  return 'unknown';
}

function secondPass(first: Token, second: Token, parameters: PunktParameters): void {
  if (!first.periodFinal) return;
  const type = typeNoPeriod(first);
  const nextType = typeNoSentPeriod(second);
  const isInitial = initial.test(first.tok);
  if (parameters.collocations.has(`${type}\u0000${nextType}`)) {
    first.sentbreak = false;
    first.abbr = true;
    return;
  }
  if ((first.abbr || first.ellipsis) && !isInitial) {
    const starter = orthoHeuristic(second, parameters);
    if (starter === true) {
      first.sentbreak = true;
      return;
    }
    if (pyIsUpper(firstCharacter(second)) && parameters.sentStarters.has(nextType)) {
      first.sentbreak = true;
      return;
    }
  }
  if (isInitial || type === '##number##') {
    const starter = orthoHeuristic(second, parameters);
    if (starter === false) {
      first.sentbreak = false;
      first.abbr = true;
      return;
    }
    if (
      starter === 'unknown' &&
      isInitial &&
      pyIsUpper(firstCharacter(second)) &&
      !((parameters.orthoContext.get(nextType) ?? 0) & ORTHO_LC)
    ) {
      first.sentbreak = false;
      first.abbr = true;
    }
  }
}

function containsSentenceBreak(text: string, parameters: PunktParameters): boolean {
  let found = false;
  for (const token of annotate(tokenizeWords(text), parameters)) {
    if (found) return true;
    if (token.sentbreak) found = true;
  }
  return false;
}

function lastWhitespaceIndex(text: string): number {
  for (let index = text.length - 1; index >= 0; index--)
    if (' \t\n\r\v\f'.includes(text[index]!)) return index;
  return 0;
}

/** Sentence spans [start, end) of `text`, as NLTK's `PunktSentenceTokenizer.span_tokenize` (boundaries realigned). */
export function punktSentenceSpans(text: string): [number, number][] {
  const parameters = loadEnglishParameters();
  const slices: [number, number][] = [];
  let lastBreak = 0;
  let previous: { match: RegExpExecArray; start: number; stop: number } | undefined;
  const decide = (match: RegExpExecArray, start: number, stop: number) => {
    const context = text.slice(start, stop) + match[0] + match.groups!.after!;
    if (containsSentenceBreak(context, parameters)) {
      slices.push([lastBreak, match.index + 1]);
      lastBreak =
        match.groups!.next !== undefined
          ? match.index + 1 + match.groups!.after!.length - match.groups!.next.length
          : match.index + 1;
    }
  };
  periodContext.lastIndex = 0;
  for (let match = periodContext.exec(text); match; match = periodContext.exec(text)) {
    const previousStop = previous?.stop ?? 0;
    const before = text.slice(previousStop, match.index);
    let wordStart = lastWhitespaceIndex(before);
    wordStart = wordStart ? wordStart + previousStop + 1 : (previous?.start ?? 0);
    if (previous && previous.stop <= wordStart) decide(previous.match, previous.start, previous.stop);
    previous = { match, start: wordStart, stop: match.index };
  }
  if (previous) decide(previous.match, previous.start, previous.stop);
  slices.push([lastBreak, pyRstrip(text).length]);

  const realigned: [number, number][] = [];
  let realign = 0;
  for (let index = 0; index < slices.length; index++) {
    const first: [number, number] = [slices[index]![0] + realign, slices[index]![1]];
    const second = slices[index + 1];
    if (!second) {
      if (first[1] > first[0]) realigned.push(first);
      continue;
    }
    const match = boundaryRealignment.exec(text.slice(second[0], second[1]));
    if (match) {
      realigned.push([first[0], second[0] + pyRstrip(match[0]).length]);
      realign = match[0].length;
    } else {
      realign = 0;
      if (first[1] > first[0]) realigned.push(first);
    }
  }
  return realigned;
}

/** Sentences of `text` (NLTK `sent_tokenize` with the English Punkt model). */
export function punktSentences(text: string): string[] {
  return punktSentenceSpans(text).map(([start, end]) => text.slice(start, end));
}
