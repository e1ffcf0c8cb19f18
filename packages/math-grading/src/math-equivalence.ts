import { expressionValues, numbersAgree } from './expression-value.js';
import { hendrycksIsEquiv } from './hendrycks-equivalence.js';

const textCommands = ['text', 'textbf', 'textit', 'textnormal', 'mathrm', 'mathbf', 'mbox', 'operatorname'];
const textGroup = new RegExp(`\\\\(?:${textCommands.join('|')})\\s*\\{([^{}]*)\\}`, 'g');
const trailingTextGroup = new RegExp(`\\\\(?:${textCommands.join('|')})\\s*\\{[^{}]*\\}\\s*$`);
const plainNumber = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * A canonical spelling of a final answer: lm-eval's `strip_string` rules made total (no input makes it fail)
 * plus the rules below, each covered by a test with real dataset answers. Two answers with the same canonical
 * spelling are equivalent; `isEquivalentAnswer` compares values and lists beyond that.
 */
export function normalizeAnswer(answer: string): string {
  let text = answer.replaceAll('\n', ' ').trim();
  // A double-boxed answer, and the `$…$` or `\(…\)` math delimiters around it.
  for (let previous = ''; previous !== text; ) {
    previous = text;
    const boxed = /^\\(?:boxed|fbox)\s*\{(.*)\}$/s.exec(text);
    if (boxed) text = (boxed[1] ?? '').trim();
    text = text
      .replace(/^\$+|\$+$/g, '')
      .replace(/^\\\(|\\\)$/g, '')
      .replace(/^\\\[|\\\]$/g, '')
      .trim();
  }
  text = text
    .replaceAll('\\!', '')
    .replace(/\\[,;:> ]/g, ' ')
    .replace(/\\q?quad/g, ' ')
    .replaceAll('~', ' ')
    .replaceAll('\\\\', '\\')
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\\(?:left|right|big|Big|bigl|bigr|Bigl|Bigr)(?![a-zA-Z])/g, '')
    .replaceAll('\\displaystyle', '')
    // Degrees and percent carry no value of their own here (`90^\circ` = `90`, `25\%` = `25`).
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree/g, '')
    .replace(/\\?%/g, '')
    .replaceAll('\\$', '')
    .replaceAll('$', '');
  // Units: a trailing `\text{…}` after a value (`4\text{ inches}`, `36 \mbox{ cm}^2`) is dropped.
  for (;;) {
    const withUnitPower = text.replace(/\s*\^\s*(?:\{\s*\d\s*\}|\d)\s*$/, '');
    const stripped = withUnitPower.replace(trailingTextGroup, '').trim();
    if (stripped === withUnitPower.trim() || !/\d/.test(stripped)) break;
    text = stripped;
  }
  text = text.replace(textGroup, '$1').trim();
  // Units as plain words after a plain number (`5 cm`, `12 square units`, `20 dollars`).
  const numberWithWords = /^([+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+))\s*(?:[a-zA-Z]{2,}\s*)+$/.exec(text);
  if (numberWithWords) text = numberWithWords[1] ?? text;
  // `x = 5`, `k=3`, `\theta = \pi`, `x \in [1, 2]`: the value after the variable.
  const assignment = /^(?:[a-zA-Z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)\s*(?:=|\\in)\s*(.+)$/s.exec(text);
  if (assignment && !(assignment[1] ?? '').includes('=')) text = assignment[1] ?? text;
  text = text.replace(/\s+/g, '');
  // Thousands separators: `1,000`, `1{,}000`, `10\,000` (spacing already removed).
  text = text.replaceAll('{,}', ',');
  if (/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text)) text = text.replaceAll(',', '');
  text = text
    .replace(/\\sqrt(\w)/g, '\\sqrt{$1}')
    .replace(/\\frac(\d)(\d)/g, '\\frac{$1}{$2}')
    .replace(/\\frac(\w)\{/g, '\\frac{$1}{')
    .replace(/\\frac\{([^{}]*)\}(\w)/g, '\\frac{$1}{$2}');
  text = text.replace(/\.$/, '');
  // A multiple-choice letter written `(C)` or `\text{(C)}`.
  const letter = /^\(([A-Ea-e])\)$/.exec(text);
  if (letter) text = (letter[1] ?? '').toUpperCase();
  // Leading zeros of an integer (`025`, AIME's three-digit form) and a trailing `.0`.
  if (plainNumber.test(text)) {
    const value = Number(text);
    if (Number.isFinite(value) && Number.isInteger(value) && !/e/i.test(text))
      text = BigInt(Math.trunc(value)).toString();
    else text = String(value);
  }
  return text;
}

const brackets: Record<string, string> = { '(': ')', '[': ']', '\\{': '\\}' };

/** Splits at commas outside any brackets or braces. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const character = text[i];
    if (character === '(' || character === '[' || character === '{') depth += 1;
    else if (character === ')' || character === ']' || character === '}') depth -= 1;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `(a,b]` → open `(`, close `]`, items; undefined when the text is not one bracketed list. */
function bracketedList(text: string): { open: string; close: string; items: string[] } | undefined {
  for (const open of Object.keys(brackets)) {
    if (!text.startsWith(open)) continue;
    for (const close of Object.values(brackets)) {
      if (!text.endsWith(close) || text.length < open.length + close.length) continue;
      const inner = text.slice(open.length, text.length - close.length);
      // `(1)+(2)` starts and ends with brackets but is not one list: the inner brackets must balance.
      let depth = 0;
      for (const character of inner) {
        if ('([{'.includes(character)) depth += 1;
        if (')]}'.includes(character)) depth -= 1;
        if (depth < 0) return undefined;
      }
      if (depth !== 0) return undefined;
      return { open, close, items: splitTopLevel(inner, ',') };
    }
  }
  return undefined;
}

function sameValue(a: string, b: string): boolean {
  if (a === b) return true;
  const first = expressionValues(a);
  const second = expressionValues(b);
  if (first === undefined || second === undefined) return false;
  return first.every((value, index) => numbersAgree(value, second[index] ?? Number.NaN));
}

function equivalentNormalized(a: string, b: string): boolean {
  if (a === b) return true;
  const unionA = splitTopLevel(a, '\\cup');
  const unionB = splitTopLevel(b, '\\cup');
  if (unionA.length > 1 || unionB.length > 1) {
    return (
      unionA.length === unionB.length &&
      unionA.every((part, i) => equivalentNormalized(part, unionB[i] ?? ''))
    );
  }
  const listA = bracketedList(a);
  const listB = bracketedList(b);
  if (listA && listB && (listA.items.length > 1 || listB.items.length > 1)) {
    // Tuples and intervals compare item by item, and intervals must agree on open and closed ends.
    return (
      listA.open === listB.open &&
      listA.close === listB.close &&
      listA.items.length === listB.items.length &&
      listA.items.every((item, i) =>
        equivalentNormalized(normalizeAnswer(item), normalizeAnswer(listB.items[i] ?? '')),
      )
    );
  }
  const itemsA = splitTopLevel(a, ',');
  const itemsB = splitTopLevel(b, ',');
  if (itemsA.length > 1 || itemsB.length > 1) {
    // A bare list (`1,-2`: "enter all solutions, separated by commas") is a set of answers: order is free.
    if (itemsA.length !== itemsB.length) return false;
    const unused = itemsB.map((item) => normalizeAnswer(item));
    return itemsA.every((item) => {
      const normalized = normalizeAnswer(item);
      const match = unused.findIndex((candidate) => equivalentNormalized(normalized, candidate));
      if (match < 0) return false;
      unused.splice(match, 1);
      return true;
    });
  }
  return sameValue(a, b);
}

/**
 * Whether a predicted final answer is equivalent to the gold answer: lm-eval's `is_equiv`, or equal canonical
 * spellings (`normalizeAnswer`), or equal values (`0.5` = `\frac12`, `11\sqrt2` = `11\sqrt{2}`, `2x+3` = `3+2x`),
 * or tuples and intervals equal item by item, or bare comma lists equal as sets. An empty prediction is never
 * equivalent.
 */
export function isEquivalentAnswer(gold: string, predicted: string): boolean {
  if (predicted.trim() === '') return false;
  if (hendrycksIsEquiv(gold, predicted)) return true;
  const a = normalizeAnswer(gold);
  const b = normalizeAnswer(predicted);
  if (a === '' || b === '') return false;
  return equivalentNormalized(a, b);
}
