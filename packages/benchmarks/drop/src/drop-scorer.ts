import { maxWeightAssignment } from './max-weight-assignment.js';

/** One DROP question, with every gold answer as its list of spans (a number or date is one span). */
export interface DropQuestion {
  /** DROP's `query_id`. */
  queryId: string;
  /** DROP's `section_id` (e.g. `nfl_2201`, `history_1240`). */
  sectionId: string;
  passage: string;
  question: string;
  /**
   * Gold answers, deduplicated, in lm-eval's order: the original answer first, then the validated answers
   * when the data has them. Each is a list of spans.
   */
  answers: string[][];
}

/** Exact match and F1 of one prediction, as lm-eval's DROP `process_results`. */
export interface DropScore {
  em: number;
  f1: number;
}

/** lm-eval's `drop` prompt (`doc_to_text`): the passage, a space, the question. */
export function dropPrompt(question: DropQuestion): string {
  return `${question.passage} ${question.question}`;
}

// Python's str.isspace() characters: what str.split() and float() treat as whitespace.
const PYTHON_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PYTHON_SPACES = new RegExp(`[${PYTHON_SPACE}]+`, 'gu');
const PYTHON_TRIM = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, 'gu');
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
// Python's float() syntax (PEP 515 underscores between digits). Python also accepts non-ASCII decimal digits;
// DROP's answers and English model output do not use them.
const DIGITS = '\\d(?:_?\\d)*';
const DECIMAL = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
// Python's `\b(a|an|the)\b` with re.UNICODE: a word character is a letter, a number or `_`.
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

function pythonStrip(text: string): string {
  return text.replace(PYTHON_TRIM, '');
}

function pythonSplit(text: string): string[] {
  return text.split(PYTHON_SPACES).filter((part) => part !== '');
}

/** Python's `float(text)`, or `undefined` where Python raises ValueError. */
export function parsePythonFloat(text: string): number | undefined {
  const trimmed = pythonStrip(text);
  const special = SPECIAL.exec(trimmed);
  if (special !== null) {
    if (special[2]?.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!DECIMAL.test(trimmed)) return undefined;
  return Number(trimmed.replaceAll('_', ''));
}

/** Python's `str(float)` (repr): shortest round-trip digits, fixed notation for exponents -4..15. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that round-trip, like Python's repr.
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1) || '0';
    return `${sign}${whole}.${fraction}`;
  }
  const scientific = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentDigits = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign}${scientific}e${exponent < 0 ? '-' : '+'}${exponentDigits}`;
}

function isNumber(text: string): boolean {
  return parsePythonFloat(text) !== undefined;
}

function normalizeToken(token: string): string {
  let text = token.toLowerCase();
  // Punctuation stays in anything Python parses as a float ("3.5"), and goes elsewhere ("2,000" → "2000").
  if (!isNumber(text)) text = [...text].filter((character) => !PUNCTUATION.has(character)).join('');
  const number = parsePythonFloat(text);
  if (number !== undefined) text = pythonFloatRepr(number);
  text = text.replace(ARTICLES, ' ');
  return pythonSplit(text).join(' ');
}

/**
 * lm-eval's DROP `_normalize`: split on spaces and hyphens; per token lowercase, strip ASCII punctuation
 * unless the token is a number, write numbers as Python floats ("2,000" → "2000.0"), drop articles and
 * collapse whitespace; join the non-empty tokens with spaces.
 */
export function normalizeDropAnswer(answer: string): string {
  return answer
    .split(/[ -]/)
    .map(normalizeToken)
    .filter((token) => pythonStrip(token) !== '')
    .join(' ');
}

/** lm-eval's `_answer_to_bags`: each span normalised, and its set of words. */
export function dropAnswerToBags(spans: readonly string[]): { normalized: string[]; bags: Set<string>[] } {
  const normalized = spans.map(normalizeDropAnswer);
  return { normalized, bags: normalized.map((span) => new Set(pythonSplit(span))) };
}

function bagF1(predicted: Set<string>, gold: Set<string>): number {
  let intersection = 0;
  for (const word of gold) if (predicted.has(word)) intersection++;
  const precision = predicted.size === 0 ? 1 : intersection / predicted.size;
  const recall = gold.size === 0 ? 1 : intersection / gold.size;
  return precision === 0 && recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** lm-eval's `_match_numbers_if_present`: a gold bag with numbers needs one of them in the prediction. */
function numbersMatch(gold: Set<string>, predicted: Set<string>): boolean {
  const goldNumbers = [...gold].filter(isNumber);
  if (goldNumbers.length === 0) return true;
  return goldNumbers.some((number) => predicted.has(number));
}

/** NumPy's `round(x, 2)`: scale, round half to even, unscale. */
function roundTwoDecimals(value: number): number {
  const scaled = value * 100;
  let rounded = Math.round(scaled);
  if (rounded - scaled === 0.5 && rounded % 2 !== 0) rounded -= 1;
  return rounded / 100;
}

/**
 * lm-eval's DROP `get_metrics` for one gold answer: exact match of the normalised span sets, and F1 as the
 * mean over `max(gold, predicted)` spans of the per-span bag F1 under the best one-to-one alignment (a pair
 * whose gold span has numbers and shares none with the predicted span scores 0), rounded to 2 decimals.
 */
export function dropMetrics(predicted: readonly string[], gold: readonly string[]): DropScore {
  const predictedBags = dropAnswerToBags(predicted);
  const goldBags = dropAnswerToBags(gold);
  const predictedSet = new Set(predictedBags.normalized);
  const goldSet = new Set(goldBags.normalized);
  const em =
    predictedBags.normalized.length === goldBags.normalized.length &&
    predictedSet.size === goldSet.size &&
    [...predictedSet].every((span) => goldSet.has(span))
      ? 1
      : 0;
  const scores = goldBags.bags.map((goldBag) =>
    predictedBags.bags.map((predictedBag) =>
      numbersMatch(goldBag, predictedBag) ? bagF1(predictedBag, goldBag) : 0,
    ),
  );
  const assignment = maxWeightAssignment(scores);
  const perBag = new Array<number>(Math.max(gold.length, predicted.length)).fill(0);
  assignment.forEach((column, row) => {
    if (column !== undefined) perBag[row] = scores[row]?.[column] ?? 0;
  });
  const mean =
    perBag.length === 0 ? Number.NaN : perBag.reduce((sum, value) => sum + value, 0) / perBag.length;
  return { em, f1: roundTwoDecimals(mean) };
}

/**
 * lm-eval's DROP `process_results`: the prediction (one span) against every gold answer whose first span is
 * not blank; the best exact match and the best F1, each 0 when no gold answer counts.
 */
export function scoreDropPrediction(prediction: string, answers: readonly (readonly string[])[]): DropScore {
  let em = 0;
  let f1 = 0;
  for (const gold of answers) {
    if (pythonStrip(gold[0] ?? '') === '') continue;
    const metrics = dropMetrics([prediction], gold);
    em = Math.max(em, metrics.em);
    f1 = Math.max(f1, metrics.f1);
  }
  return { em, f1 };
}
