/**
 * Answer extraction and exact match of lm-evaluation-harness's gsm8k_cot: the `regex` filter
 * (lm_eval/filters/extraction.py, fallback "[invalid]") and `exact_match` (lm_eval/api/metrics.py) with
 * ignore_case, ignore_punctuation false and regexes_to_ignore [",", "\$", "(?s).*#### ", "\.$"].
 */

/** What lm-eval's regex filter returns when nothing matches. */
export const invalidAnswer = '[invalid]';

/**
 * The "strict-match" filter: `The answer is (\-?[0-9\.\,]+).`, first match. Python's `.` also matches "\r"
 * where JavaScript's does not, hence `[^\n]`.
 */
export const strictAnswerPattern = /The answer is (-?[0-9.,]+)[^\n]/g;

/** The "flexible-extract" filter: `(-?[$0-9.,]{2,})|(-?[0-9]+)`, last match (group_select -1). */
export const flexibleAnswerPattern = /(-?[$0-9.,]{2,})|(-?[0-9]+)/g;

/**
 * lm-eval's `RegexFilter` on one response: Python `re.findall` semantics (a one-group pattern yields the group,
 * several groups a tuple of which the first non-empty one is kept), `group_select` indexes the matches (negative
 * from the end), the result is stripped, and no match gives the fallback.
 */
export function applyRegexFilter(
  text: string,
  pattern: RegExp,
  groupSelect = 0,
  fallback = invalidAnswer,
): string {
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return fallback;
  const match = matches[groupSelect < 0 ? matches.length + groupSelect : groupSelect];
  if (match === undefined) return fallback;
  const groups = match.slice(1);
  let value: string;
  if (groups.length === 0) value = match[0];
  else if (groups.length === 1) value = groups[0] ?? '';
  else value = groups.find((group) => group !== undefined && group !== '') ?? fallback;
  return value.trim();
}

/** gsm8k_cot's `regexes_to_ignore`, in order. `(?s).*#### ` and Python's `\.$` (end, or before a final newline) translated. */
const ignoredPatterns: readonly RegExp[] = [/,/g, /\$/g, /[\s\S]*#### /g, /\.(?=\n?$)/g];

/** The normalisation lm-eval's exact_match applies to both prediction and reference for gsm8k_cot. */
export function normalizeGsm8kAnswer(value: string): string {
  let result = value;
  for (const pattern of ignoredPatterns) result = result.replace(pattern, '');
  return result.toLowerCase();
}

/** 1 when prediction and reference agree after normalisation, else 0. */
export function gsm8kExactMatch(prediction: string, reference: string): number {
  return normalizeGsm8kAnswer(prediction) === normalizeGsm8kAnswer(reference) ? 1 : 0;
}

/** gsm8k_cot's `doc_to_target`: the text after the last `####` of the dataset's answer, stripped. */
export function gsm8kGoldAnswer(answer: string): string {
  const parts = answer.split('####');
  return (parts[parts.length - 1] ?? '').trim();
}

/** Both filters' extractions and their exact match against the gold answer. */
export interface Gsm8kVerdict {
  strict: string;
  flexible: string;
  exactMatchStrict: number;
  exactMatchFlexible: number;
}

/** Scores one model response against the gold answer (the number after `####`). */
export function scoreGsm8kCotResponse(response: string, gold: string): Gsm8kVerdict {
  const strict = applyRegexFilter(response, strictAnswerPattern, 0);
  const flexible = applyRegexFilter(response, flexibleAnswerPattern, -1);
  return {
    strict,
    flexible,
    exactMatchStrict: gsm8kExactMatch(strict, gold),
    exactMatchFlexible: gsm8kExactMatch(flexible, gold),
  };
}
