/**
 * Python `str` and `re` semantics that IFEval's checkers rely on and JavaScript does not share: which
 * characters are whitespace, what `\w`, `\d`, `\b`, `.`, `^`/`$` match, and `isupper`/`islower`.
 */

/** Characters for which Python's `str.isspace()` is true (and so `\s` in a `str` pattern). */
export const PYTHON_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WORD = '\\p{L}\\p{Nd}\\p{Nl}\\p{No}_';
const whitespaceSet = new RegExp(`[${PYTHON_WHITESPACE}]`, 'u');

/** Python's `str.isspace()` for one character. */
export function isPythonSpace(character: string): boolean {
  return whitespaceSet.test(character);
}

/** Python's `str.strip(chars)`; without `chars`, Python's whitespace (not JavaScript's `trim`, which also drops U+FEFF). */
export function pyStrip(text: string, chars?: string): string {
  return pyRstrip(pyLstrip(text, chars), chars);
}

/** Python's `str.lstrip(chars)`. */
export function pyLstrip(text: string, chars?: string): string {
  const characters = Array.from(text);
  let start = 0;
  while (start < characters.length && stripped(characters[start]!, chars)) start++;
  return characters.slice(start).join('');
}

/** Python's `str.rstrip(chars)`. */
export function pyRstrip(text: string, chars?: string): string {
  const characters = Array.from(text);
  let end = characters.length;
  while (end > 0 && stripped(characters[end - 1]!, chars)) end--;
  return characters.slice(0, end).join('');
}

function stripped(character: string, chars: string | undefined): boolean {
  return chars === undefined ? isPythonSpace(character) : chars.includes(character);
}

/** Python's `str.split()` without arguments: runs of whitespace separate, empty strings are dropped. */
export function pySplitWhitespace(text: string): string[] {
  return text.split(new RegExp(`[${PYTHON_WHITESPACE}]+`, 'u')).filter((part) => part.length > 0);
}

const lowercase = /\p{Lowercase}/u;
const uppercase = /\p{Uppercase}/u;
const titlecase = /\p{Lt}/u;

/** Python's `str.isupper()`: at least one cased character and no lowercase or titlecase one. */
export function pyIsUpper(text: string): boolean {
  let cased = false;
  for (const character of text) {
    if (lowercase.test(character) || titlecase.test(character)) return false;
    if (uppercase.test(character)) cased = true;
  }
  return cased;
}

/** Python's `str.islower()`: at least one cased character and no uppercase or titlecase one. */
export function pyIsLower(text: string): boolean {
  let cased = false;
  for (const character of text) {
    if (uppercase.test(character) || titlecase.test(character)) return false;
    if (lowercase.test(character)) cased = true;
  }
  return cased;
}

/** Number of Unicode code points (Python's `len`). */
export function pyLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/**
 * Translates a Python `re` pattern (as IFEval builds them, often with a user keyword spliced in) into a
 * JavaScript `RegExp` with Python's meaning: `.` stops only at `\n`, `\s`/`\w`/`\d`/`\b` are Unicode-aware,
 * `$` also matches before a final newline, and in multiline mode only `\n` separates lines.
 */
export function pyRegex(
  pattern: string,
  options: { ignoreCase?: boolean; multiline?: boolean } = {},
): RegExp {
  let out = '';
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index]!;
    if (character === '\\') {
      const next = pattern[index + 1];
      index++;
      if (next === undefined)
        throw new SyntaxError(`bad escape (end of pattern) in ${JSON.stringify(pattern)}`);
      if (next === 's') out += inClass ? PYTHON_WHITESPACE : `[${PYTHON_WHITESPACE}]`;
      else if (next === 'S') out += `[^${PYTHON_WHITESPACE}]`;
      else if (next === 'w') out += inClass ? WORD : `[${WORD}]`;
      else if (next === 'W') out += `[^${WORD}]`;
      else if (next === 'd') out += inClass ? '\\p{Nd}' : '\\p{Nd}';
      else if (next === 'D') out += '\\P{Nd}';
      else if (next === 'b' && !inClass) out += `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
      else if (next === 'B' && !inClass) out += `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;
      else if (/[A-Za-z0-9]/.test(next)) out += `\\${next}`;
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (character === ']') inClass = false;
      out += character === '[' ? '\\[' : character;
      continue;
    }
    if (character === '[') {
      inClass = true;
      out += character;
      if (pattern[index + 1] === '^') {
        out += '^';
        index++;
      }
      if (pattern[index + 1] === ']') {
        out += '\\]';
        index++;
      }
      continue;
    }
    if (character === '.') out += '[^\\n]';
    else if (character === '^') out += options.multiline ? '(?<![^\\n])' : '^';
    else if (character === '$') out += options.multiline ? '(?![^\\n])' : '(?=\\n?(?![\\s\\S]))';
    else if (character === '{' && !/^\{\d*(,\d*)?\}/.test(pattern.slice(index))) out += '\\{';
    else if (character === '}' && !/\{\d*(,\d*)?$/.test(pattern.slice(0, index))) out += '\\}';
    else out += character;
  }
  return new RegExp(out, `gu${options.ignoreCase ? 'i' : ''}`);
}

/** All non-overlapping matches of `regex`, as Python's `re.findall` without groups. */
export function pyFindAll(regex: RegExp, text: string): string[] {
  return Array.from(text.matchAll(regex), (match) => match[0]);
}

/** Whether Python's `json.loads` accepts `text` (it also takes `NaN`, `Infinity` and `-Infinity`). */
export function pyJsonParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Python's decoder accepts these three constants where a value may stand; replace them outside strings.
    const replaced = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) =>
      token.startsWith('"') ? token : '0',
    );
    if (replaced === text) return false;
    try {
      JSON.parse(replaced);
      return true;
    } catch {
      return false;
    }
  }
}
