/**
 * The MATH answer comparison of lm-evaluation-harness (`lm_eval/tasks/hendrycks_math/utils.py`: `is_equiv`,
 * `strip_string`, `last_boxed_only_string`, `remove_boxed`), which Evalchemy's MATH500, AIME and AMC23
 * benchmarks call. Re-implemented to behave the same on every input, including where the Python raises: an
 * exception inside `strip_string` makes `is_equiv` fall back to comparing the raw strings, and a failed
 * assertion in `remove_boxed` makes Evalchemy's `extract_answer` return "".
 */

/** Raised where the Python reference raises (an assertion or an index error); callers fall back as it does. */
class ReferenceFailure extends Error {}

/**
 * The last `\boxed{…}` (or `\boxed …`, or `\fbox{…}`) of `text`, braces balanced, as lm-eval's
 * `last_boxed_only_string`; undefined when there is none or its braces never close.
 */
export function lastBoxedOnlyString(text: string): string | undefined {
  const index = text.lastIndexOf('\\boxed');
  // The reference checks the space form first, anywhere in the text, and cuts at the next `$`.
  if (text.includes('\\boxed ')) {
    const parts = text.split('\\boxed ');
    return `\\boxed ${(parts[parts.length - 1] ?? '').split('$')[0]}`;
  }
  let start = index;
  if (start < 0) {
    start = text.lastIndexOf('\\fbox');
    if (start < 0) return undefined;
  }
  let open = 0;
  for (let i = start; i < text.length; i++) {
    const character = text[i];
    if (character === '{') open += 1;
    if (character === '}') {
      open -= 1;
      if (open === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

/** The content of `\boxed{…}` / `\boxed …`, as lm-eval's `remove_boxed`; undefined where it fails its assertions. */
export function removeBoxed(boxed: string): string | undefined {
  if (boxed.includes('\\boxed ')) {
    return boxed.startsWith('\\boxed ') ? boxed.slice('\\boxed '.length) : undefined;
  }
  if (!boxed.startsWith('\\boxed{') || !boxed.endsWith('}')) return undefined;
  return boxed.slice('\\boxed{'.length, -1);
}

/**
 * The final answer of a response as Evalchemy extracts it: `remove_boxed(last_boxed_only_string(text))`, or ""
 * when there is no usable `\boxed{}`.
 */
export function extractBoxedAnswer(text: string): string {
  const boxed = lastBoxedOnlyString(text);
  if (boxed === undefined) return '';
  return removeBoxed(boxed) ?? '';
}

// fix_fracs and fix_sqrt index Python strings, i.e. code points: `Array.from` keeps an astral character whole.
function fixFractions(text: string): string {
  const parts = text.split('\\frac');
  let result = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    result += '\\frac';
    const characters = Array.from(part);
    if (characters.length === 0) throw new ReferenceFailure('index error in fix_fracs');
    if (characters[0] === '{') {
      result += part;
      continue;
    }
    if (characters.length < 2) return text;
    const [a, b] = characters;
    const rest = characters.slice(2).join('');
    result += b !== '{' ? `{${a}}{${b}}${rest}` : `{${a}}${b}${rest}`;
  }
  return result;
}

// Python's int() on a string without spaces: surrounding whitespace, an optional sign, then decimal digits
// (any script's) with single underscores between. The result prints in ASCII, so fix_a_slash_b's check that the
// text is `f"{a}/{b}"` holds only for canonical ASCII integers.
const pythonInteger =
  /^[\t\n\v\f\r\x1c-\x1f\x85\p{Zs}\u2028\u2029]*[+-]?\p{Nd}+(?:_\p{Nd}+)*[\t\n\v\f\r\x1c-\x1f\x85\p{Zs}\u2028\u2029]*$/u;
const canonicalInteger = /^-?(?:0|[1-9][0-9]*)$/;

function fixSlash(text: string): string {
  const parts = text.split('/');
  if (parts.length !== 2) return text;
  const [a = '', b = ''] = parts;
  if (!pythonInteger.test(a) || !pythonInteger.test(b))
    throw new ReferenceFailure('int() failed in fix_a_slash_b');
  if (!canonicalInteger.test(a) || !canonicalInteger.test(b) || a === '-0' || b === '-0') return text;
  return `\\frac{${a}}{${b}}`;
}

function removeRightUnits(text: string): string {
  if (!text.includes('\\text{ ')) return text;
  const parts = text.split('\\text{ ');
  if (parts.length !== 2) throw new ReferenceFailure('assertion in remove_right_units');
  return parts[0] ?? '';
}

function fixSquareRoots(text: string): string {
  if (!text.includes('\\sqrt')) return text;
  const parts = text.split('\\sqrt');
  let result = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    const [first, ...rest] = Array.from(part);
    if (first === undefined) throw new ReferenceFailure('index error in fix_sqrt');
    result += first !== '{' ? `\\sqrt{${first}}${rest.join('')}` : `\\sqrt${part}`;
  }
  return result;
}

function stripStringOrThrow(input: string): string {
  let text = input.replaceAll('\n', '');
  text = text.replaceAll('\\!', '');
  text = text.replaceAll('\\\\', '\\');
  text = text.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac');
  text = text.replaceAll('\\left', '').replaceAll('\\right', '');
  text = text.replaceAll('^{\\circ}', '').replaceAll('^\\circ', '');
  text = text.replaceAll('\\$', '');
  text = removeRightUnits(text);
  text = text.replaceAll('\\%', '');
  text = text.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  if (text.length === 0) return text;
  if (text[0] === '.') text = `0${text}`;
  const sides = text.split('=');
  if (sides.length === 2 && Array.from(sides[0] ?? '').length <= 2) text = sides[1] ?? '';
  text = fixSquareRoots(text);
  text = text.replaceAll(' ', '');
  text = fixFractions(text);
  if (text === '0.5') text = '\\frac{1}{2}';
  return fixSlash(text);
}

/**
 * lm-eval's `strip_string`; undefined where the reference raises (then `is_equiv` compares raw strings).
 * Lengths and indices count code points, as Python's.
 */
export function hendrycksStripString(text: string): string | undefined {
  try {
    return stripStringOrThrow(text);
  } catch (error) {
    if (error instanceof ReferenceFailure) return undefined;
    throw error;
  }
}

/** lm-eval's `is_equiv`: equal after `strip_string`, or equal as raw strings when normalisation fails. */
export function hendrycksIsEquiv(first: string, second: string): boolean {
  const a = hendrycksStripString(first);
  const b = hendrycksStripString(second);
  if (a === undefined || b === undefined) return first === second;
  return a === b;
}
