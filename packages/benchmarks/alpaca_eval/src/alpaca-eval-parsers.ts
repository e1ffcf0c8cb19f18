import type { TokenLogprobV1 } from '@evalchemy/core';

/**
 * scipy's `logsumexp` over a few values: max + log(sum(exp(x - max))); -Infinity when all are -Infinity.
 */
function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - max);
  return Math.log(sum) + max;
}

/**
 * alpaca_eval's `logprob_parser(numerator_token="m", denominator_tokens=["m", "M"], is_binarize=False)` for
 * a batch of one: `2 - p(m) / (p(m) + p(M))` from the top logprobs of the single answer token, a token missing
 * from the top logprobs counting as probability 0. `null` (alpaca_eval: None/NaN, the row is dropped) when
 * the answer has no logprobs, not exactly one token, or neither m nor M among the top logprobs.
 * With `binarize`, 1 when m is strictly more likely than M, else 2 (`alpaca_eval_clf_gpt4_turbo`).
 */
export function parseLogprobPreference(
  logprobs: readonly TokenLogprobV1[] | undefined,
  binarize = false,
): number | null {
  if (logprobs === undefined || logprobs.length !== 1) return null;
  const byToken = new Map<string, number>();
  for (const alternative of logprobs[0]!.topLogprobs) {
    if (alternative.token === 'm' || alternative.token === 'M')
      byToken.set(alternative.token, alternative.logprob);
  }
  if (byToken.size === 0) return null;
  const numerator = byToken.get('m') ?? Number.NEGATIVE_INFINITY;
  const other = byToken.get('M') ?? Number.NEGATIVE_INFINITY;
  if (binarize) return numerator > other ? 1 : 2;
  const denominator = logSumExp([numerator, other]);
  return 2 - Math.exp(numerator - denominator);
}

/**
 * alpaca_eval's `ranking_parser`: the completion read as a Python literal (`ast.literal_eval`), a list of
 * `{'model': …, 'rank': …}`; the rank of `model_1` (1 or 2) is the preference. `null` when it cannot be read
 * or the rank is neither 1 nor 2.
 */
export function parseRankingPreference(completion: string): number | null {
  if (completion === '') return null;
  let value: unknown;
  try {
    value = parsePythonLiteral(completion);
  } catch {
    return null;
  }
  if (!Array.isArray(value) && !(value instanceof PythonTuple)) return null;
  const items = value instanceof PythonTuple ? value.items : value;
  for (const item of items) {
    if (item instanceof Map && item.get('model') === 'model_1') {
      const rank = item.get('rank');
      // Python: `rank in [1, 2]` is also true for 1.0, 2.0 and True.
      const numeric = rank === true ? 1 : rank === false ? 0 : rank;
      if (numeric === 1 || numeric === 2) return numeric;
      return null;
    }
  }
  return null;
}

class PythonTuple {
  constructor(readonly items: unknown[]) {}
}

/**
 * A reader for the Python literals a ranking answer holds (`ast.literal_eval` of lists, tuples, dicts,
 * strings, numbers, True/False/None). Dicts become Maps keyed by their (string or number) keys.
 */
export function parsePythonLiteral(text: string): unknown {
  let position = 0;
  const skip = () => {
    for (;;) {
      while (position < text.length && /[ \t\n\r\f\v]/.test(text[position]!)) position += 1;
      // literal_eval parses in eval mode: comments are allowed.
      if (text[position] === '#') {
        while (position < text.length && text[position] !== '\n') position += 1;
        continue;
      }
      // A backslash-newline continues the line.
      if (text[position] === '\\' && text[position + 1] === '\n') {
        position += 2;
        continue;
      }
      return;
    }
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at ${position}`);
  };
  const parseString = (): string => {
    let prefix = '';
    while (/[rRbBuU]/.test(text[position]!)) prefix += text[position++];
    if (/b/i.test(prefix)) fail('bytes literal');
    const raw = /r/i.test(prefix);
    const quote = text[position]!;
    const triple = text.startsWith(quote.repeat(3), position);
    const delimiter = triple ? quote.repeat(3) : quote;
    position += delimiter.length;
    let result = '';
    for (;;) {
      if (position >= text.length) fail('unterminated string');
      if (text.startsWith(delimiter, position)) {
        position += delimiter.length;
        return result;
      }
      const char = text[position]!;
      if (!triple && char === '\n') fail('newline in string');
      if (char === '\\') {
        const next = text[position + 1];
        if (next === undefined) fail('unterminated string');
        if (raw) {
          result += char + next;
          position += 2;
          continue;
        }
        position += 2;
        const simple: Record<string, string> = {
          '\n': '',
          '\\': '\\',
          "'": "'",
          '"': '"',
          a: '\x07',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
          v: '\v',
        };
        if (next! in simple) {
          result += simple[next!];
        } else if (next === 'x' || next === 'u' || next === 'U') {
          const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
          const hex = text.slice(position, position + length);
          if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) fail('bad escape');
          result += String.fromCodePoint(Number.parseInt(hex, 16));
          position += length;
        } else if (/[0-7]/.test(next!)) {
          let octal = next!;
          while (octal.length < 3 && /[0-7]/.test(text[position] ?? '')) octal += text[position++];
          result += String.fromCodePoint(Number.parseInt(octal, 8));
        } else {
          result += `\\${next}`;
        }
        continue;
      }
      result += char;
      position += 1;
    }
  };
  const parseValue = (): unknown => {
    skip();
    const char = text[position];
    if (char === undefined) fail('unexpected end');
    if (char === '[' || char === '(') {
      const close = char === '[' ? ']' : ')';
      position += 1;
      const items: unknown[] = [];
      let sawComma = false;
      for (;;) {
        skip();
        if (text[position] === close) {
          position += 1;
          break;
        }
        items.push(parseValue());
        skip();
        if (text[position] === ',') {
          position += 1;
          sawComma = true;
        } else if (text[position] !== close) fail('expected , or close');
      }
      if (char === '(') return items.length === 1 && !sawComma ? items[0] : new PythonTuple(items);
      return items;
    }
    if (char === '{') {
      position += 1;
      const map = new Map<unknown, unknown>();
      for (;;) {
        skip();
        if (text[position] === '}') {
          position += 1;
          break;
        }
        const key = parseValue();
        skip();
        if (text[position] !== ':') fail('expected :');
        position += 1;
        map.set(key, parseValue());
        skip();
        if (text[position] === ',') position += 1;
        else if (text[position] !== '}') fail('expected , or }');
      }
      return map;
    }
    if (/[rRbBuU]?['"]/.test(text.slice(position, position + 2)) || char === "'" || char === '"') {
      // Adjacent string literals concatenate.
      let result = parseString();
      for (;;) {
        const save = position;
        skip();
        if (/^[rRuU]?['"]/.test(text.slice(position, position + 2))) result += parseString();
        else {
          position = save;
          return result;
        }
      }
    }
    const word = /^(True|False|None)\b/.exec(text.slice(position));
    if (word !== null) {
      position += word[1]!.length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const number = /^[+-]?\s*(\d[\d_]*(\.[\d_]*)?([eE][+-]?\d+)?|\.\d[\d_]*([eE][+-]?\d+)?)/.exec(
      text.slice(position),
    );
    if (number !== null) {
      position += number[0].length;
      return Number(number[0].replace(/[\s_]/g, ''));
    }
    return fail('unexpected character');
  };
  const value = parseValue();
  skip();
  if (position !== text.length) fail('trailing text');
  return value;
}
