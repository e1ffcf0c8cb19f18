import { describe, expect, it } from 'vitest';
import {
  applyRegexFilter,
  flexibleAnswerPattern,
  gsm8kExactMatch,
  gsm8kGoldAnswer,
  normalizeGsm8kAnswer,
  scoreGsm8kCotResponse,
  strictAnswerPattern,
} from './gsm8k-cot-scorer.js';

// Expected extractions were obtained by running lm-evaluation-harness's RegexFilter and exact_match code
// (lm_eval/filters/extraction.py, lm_eval/api/metrics.py) in Python on the same strings.
describe('strict-match filter ("The answer is (\\-?[0-9\\.\\,]+).", first match)', () => {
  it.each([
    ['So she makes 9 * 2 = $18 every day. The answer is 18.', '18'],
    ['The answer is -5.', '-5'],
    ['The answer is 1,234.50.', '1,234.50'],
    // the greedy group swallows the period, so the trailing "." of the pattern takes the following space
    ['The answer is 3. Then later The answer is 4.', '3.'],
    ['The answer is 5.\n', '5'],
    // Python's "." matches a carriage return
    ['The answer is 5\r', '5'],
  ])('%j → %j', (response, expected) => {
    expect(applyRegexFilter(response, strictAnswerPattern, 0)).toBe(expected);
  });

  it.each([
    ['The answer is $1,234.', 'a dollar sign is not in the class'],
    ['The answer is 5', 'nothing follows the number'],
    ['the answer is 5.', 'the phrase is case-sensitive'],
    ['The answer is: 5.', 'a colon breaks the phrase'],
    ['He has 3 apples and 4 pears, 7 in total.', 'no phrase at all'],
  ])('%j → [invalid] (%s)', (response) => {
    expect(applyRegexFilter(response, strictAnswerPattern, 0)).toBe('[invalid]');
  });
});

describe('flexible-extract filter ("(-?[$0-9.,]{2,})|(-?[0-9]+)", last match)', () => {
  it.each([
    ['So she makes 9 * 2 = $18 every day. The answer is 18.', '18.'],
    ['The answer is $1,234.', '$1,234.'],
    ['He has 3 apples and 4 pears, 7 in total.', '7'],
    ['So 10 - 3 = 7 and then -2', '-2'],
    ['1, 2, 3', '3'],
    ['Total: 12.5 dollars', '12.5'],
    ['#### 72', '72'],
    ['I cannot answer this.', '[invalid]'],
  ])('%j → %j', (response, expected) => {
    expect(applyRegexFilter(response, flexibleAnswerPattern, -1)).toBe(expected);
  });
});

describe('exact_match normalisation (ignore_case, regexes_to_ignore , \\$ (?s).*#### \\.$)', () => {
  it('removes thousands separators, dollar signs and one trailing period', () => {
    expect(normalizeGsm8kAnswer('$1,234.')).toBe('1234');
    expect(normalizeGsm8kAnswer('18..')).toBe('18.');
  });

  it('removes everything up to the last "#### "', () => {
    expect(normalizeGsm8kAnswer('Work.\n#### 3\n#### 72')).toBe('72');
  });

  it('removes a period before a final newline, as Python\'s "$" allows', () => {
    expect(normalizeGsm8kAnswer('5.\n')).toBe('5\n');
  });

  it('keeps decimals: 18.00 is not 18', () => {
    expect(gsm8kExactMatch('$18.00.', '18')).toBe(0);
    expect(gsm8kExactMatch('12.5', '12.5')).toBe(1);
  });

  it('compares case-insensitively and keeps the sign', () => {
    expect(gsm8kExactMatch('[INVALID]', '[invalid]')).toBe(1);
    expect(gsm8kExactMatch('-5', '5')).toBe(0);
  });
});

describe('scoreGsm8kCotResponse', () => {
  it('scores a chain of thought ending in "The answer is 18." on both metrics', () => {
    expect(scoreGsm8kCotResponse('9 * 2 = $18. The answer is 18.', '18')).toEqual({
      strict: '18',
      flexible: '18.',
      exactMatchStrict: 1,
      exactMatchFlexible: 1,
    });
  });

  it('gives flexible credit without the phrase, strict none', () => {
    const verdict = scoreGsm8kCotResponse('$1,234.', '1234');
    expect([verdict.exactMatchStrict, verdict.exactMatchFlexible]).toEqual([0, 1]);
  });

  it('scores an answer without numbers 0 on both', () => {
    const verdict = scoreGsm8kCotResponse('I cannot answer this.', '7');
    expect([verdict.strict, verdict.flexible]).toEqual(['[invalid]', '[invalid]']);
    expect([verdict.exactMatchStrict, verdict.exactMatchFlexible]).toEqual([0, 0]);
  });

  it('takes the gold answer after the last ####, stripped', () => {
    expect(gsm8kGoldAnswer('She makes 9 * 2 = $<<9*2=18>>18.\n#### 18')).toBe('18');
    expect(gsm8kGoldAnswer('#### 1,000 ')).toBe('1,000');
  });
});
