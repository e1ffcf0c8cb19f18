// The parsing rules of MixEval's model parser (mix_eval/utils/metric_utils.py and common_utils.py).

const doubleBracketScore = /\[\[(\d+\.?\d*)\]\]/;
const singleBracketScore = /\[(\d+\.?\d*)\]/;
const doubleBracketOption = /\[\[([A-Z])\]\]/;
const singleBracketOption = /\[([A-Z])\]/;

/**
 * The correctness score in a free-form judgment, as MixEval's `get_score_from_judge`: the first `[[x]]`,
 * else the first `[x]`, read as a Python literal; -1 when there is none. A number Python cannot read as a
 * literal (`[[05]]`: a decimal integer with a leading zero) makes MixEval raise; here it is -1 (unparsable).
 */
export function parseJudgeScore(judgment: string): number {
  const match = doubleBracketScore.exec(judgment) ?? singleBracketScore.exec(judgment);
  if (match === null) return -1;
  const literal = match[1]!;
  if (/^0+[1-9]\d*$/.test(literal)) return -1;
  return Number(literal);
}

/** Whether MixEval accepts a free-form score: `0 <= score <= 1`; anything else is parsed again. */
export function isValidJudgeScore(score: number): boolean {
  return score >= 0 && score <= 1;
}

/**
 * The option letter in a multiple-choice judgment, as MixEval's `get_option_from_judge`: the first `[[X]]`,
 * else the first `[X]` (one upper-case letter); `undefined` when there is none. The letter is not checked
 * against the item's options, as in MixEval: `[[E]]` for four options is a wrong answer, not a parse failure.
 */
export function parseJudgeOption(judgment: string): string | undefined {
  const match = doubleBracketOption.exec(judgment) ?? singleBracketOption.exec(judgment);
  return match === null ? undefined : match[1];
}

/** MixEval's `is_meaningful`: the text holds a letter or digit of one of these scripts. */
const meaningful =
  /[\u0030-\u0039\u0041-\u005A\u0061-\u007A\u00C0-\u00FF\u0100-\u017F\u0180-\u024F\u0370-\u03FF\u0400-\u04FF\u0500-\u052F\u2C00-\u2C5F\uA640-\uA69F\uAC00-\uD7AF\u4E00-\u9FFF]/;

/**
 * The answer of a base model that went on writing further questions, as MixEval's
 * `extract_basemodel_response_3e` (free-form: up to the first `\n\n\nQuestion`) and
 * `extract_basemodel_response_2e` (multiple-choice: up to the first blank line); the whole response when
 * that part holds no letter or digit.
 */
export function extractBaseModelResponse(response: string, split: 'free-form' | 'multiple-choice'): string {
  const head = response.split(split === 'free-form' ? '\n\n\nQuestion' : '\n\n')[0]!;
  return meaningful.test(head) ? head : response;
}

/**
 * Python's `round(value, digits)` for a finite float: to the nearest multiple of 10^-digits of the float's
 * exact value, ties (exact midpoints only) to even. `toFixed` rounds ties up, so exact midpoints are told
 * apart from the float's full decimal expansion.
 */
export function pythonRound(value: number, digits: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const sign = value < 0 ? -1 : 1;
  const magnitude = Math.abs(value);
  const rounded = Number(magnitude.toFixed(digits));
  const exact = magnitude.toFixed(100);
  const point = exact.indexOf('.');
  const tail = exact.slice(point + 1 + digits);
  if (/^50*$/.test(tail)) {
    // An exact midpoint: toFixed went up; Python goes to the even neighbour.
    const kept = exact.slice(0, point + 1 + digits).replace('.', '');
    const lastDigit = Number(kept.at(-1));
    if (lastDigit % 2 === 0) return sign * Number(exact.slice(0, point + 1 + digits));
  }
  return sign * rounded;
}
