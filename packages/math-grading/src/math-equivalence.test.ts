import { describe, expect, it } from 'vitest';
import { hendrycksIsEquiv } from './hendrycks-equivalence.js';
import { isEquivalentAnswer, normalizeAnswer } from './math-equivalence.js';

// Gold answers below are real MATH-500 / AIME / AMC23 answers (unique_id or id in the comment).
describe('isEquivalentAnswer', () => {
  it('accepts \\dfrac, \\frac shorthand and a slash for the same fraction', () => {
    expect(isEquivalentAnswer('\\dfrac{17}{50}', '\\frac{17}{50}')).toBe(true); // prealgebra/1655
    expect(isEquivalentAnswer('\\dfrac{17}{50}', '17/50')).toBe(true);
    expect(isEquivalentAnswer('\\frac43', '\\frac{4}{3}')).toBe(true); // intermediate_algebra/515
    expect(isEquivalentAnswer('\\frac9{19}', '9/19')).toBe(true); // algebra/2257
    expect(isEquivalentAnswer('\\frac43', '\\frac{3}{4}')).toBe(false);
  });

  it('compares numbers by value: 0.5 = \\frac12, decimals, leading zeros', () => {
    expect(isEquivalentAnswer('\\frac14', '0.25')).toBe(true); // counting_and_probability/14
    expect(isEquivalentAnswer('\\frac{1}{2}', '0.5')).toBe(true);
    expect(isEquivalentAnswer('\\frac{1}{2}', '\\frac12')).toBe(true);
    expect(isEquivalentAnswer('.0000672', '0.0000672')).toBe(true); // number_theory/598
    expect(isEquivalentAnswer('\\frac{14}{3}', '4.6667')).toBe(false); // a rounded value is not the value
  });

  it('grades AIME three-digit answers with or without leading zeros', () => {
    expect(isEquivalentAnswer('025', '25')).toBe(true); // aime24 id 67
    expect(isEquivalentAnswer('073', '073')).toBe(true); // aime24 id 75
    expect(isEquivalentAnswer('25', '025')).toBe(true);
    expect(isEquivalentAnswer('025', '250')).toBe(false);
    expect(isEquivalentAnswer('27', '27.0')).toBe(true); // amc23 stores answers as floats
  });

  it('drops thousands separators', () => {
    expect(isEquivalentAnswer('10,\\!080', '10080')).toBe(true); // counting_and_probability/508
    expect(isEquivalentAnswer('11,\\! 111,\\! 111,\\! 100', '11111111100')).toBe(true); // number_theory/417
    expect(isEquivalentAnswer('58,500', '58{,}500')).toBe(true); // counting_and_probability/737
  });

  it('drops units, dollar signs, degrees and percent signs', () => {
    expect(isEquivalentAnswer('864 \\mbox{ inches}^2', '864')).toBe(true); // geometry/473
    expect(isEquivalentAnswer('15\\mbox{ cm}^2', '15 cm')).toBe(true); // prealgebra/1114
    expect(isEquivalentAnswer('\\frac{270}7\\text{ degrees}', '\\frac{270}{7}')).toBe(true); // prealgebra/1003
    expect(isEquivalentAnswer('\\$18.90', '18.9')).toBe(true); // algebra/2780
    expect(isEquivalentAnswer('\\$32,\\!348', '32348')).toBe(true); // algebra/2626
    expect(isEquivalentAnswer('90^\\circ', '90')).toBe(true); // precalculus/927
    expect(isEquivalentAnswer('145^\\circ', '145°')).toBe(true); // geometry/183
    expect(isEquivalentAnswer('25\\%', '25')).toBe(true);
  });

  it('unwraps \\text{} words and multiple-choice letters', () => {
    expect(isEquivalentAnswer('\\text{Evelyn}', 'Evelyn')).toBe(true); // algebra/1349
    expect(isEquivalentAnswer('\\text{Evelyn}', 'Evlyne')).toBe(false); // a word is not a product of letters
    expect(isEquivalentAnswer('\\text{(C)}', 'C')).toBe(true); // precalculus/819
    expect(isEquivalentAnswer('\\text{(C)}', '(C)')).toBe(true);
    expect(isEquivalentAnswer('\\text{(C)}', 'D')).toBe(false);
  });

  it('takes the value of `x = 5` and compares equations side by side', () => {
    expect(isEquivalentAnswer('x=5', '5')).toBe(true); // algebra/2193
    expect(isEquivalentAnswer('5', 'x = 5')).toBe(true);
    expect(isEquivalentAnswer('y = 2x + 3', '3 + 2x')).toBe(true); // precalculus/323
    expect(isEquivalentAnswer('y = -2x', 'y=-2x')).toBe(true); // precalculus/356
    expect(isEquivalentAnswer('y = 2x + 3', '2x - 3')).toBe(false);
  });

  it('compares radicals and \\pi expressions by value', () => {
    expect(isEquivalentAnswer('11\\sqrt2', '11\\sqrt{2}')).toBe(true); // prealgebra/1302
    expect(isEquivalentAnswer('11\\sqrt2', '\\sqrt{242}')).toBe(true);
    expect(isEquivalentAnswer('-\\frac{\\pi}{6}', '-\\pi/6')).toBe(true); // precalculus/1105
    expect(isEquivalentAnswer('18+2\\pi', '2\\pi + 18')).toBe(true); // geometry/686
    expect(isEquivalentAnswer('288 \\pi', '288')).toBe(false); // precalculus/1056
  });

  it('compares tuples and intervals item by item, ends included', () => {
    expect(isEquivalentAnswer('\\left( 3, \\frac{\\pi}{2} \\right)', '(3, \\pi/2)')).toBe(true); // precalculus/807
    expect(isEquivalentAnswer('(3,4]', '(3, 4]')).toBe(true); // intermediate_algebra/558
    expect(isEquivalentAnswer('(3,4]', '(3,4)')).toBe(false);
    expect(isEquivalentAnswer('(6,31,-1)', '(6,-1,31)')).toBe(false); // intermediate_algebra/956
    expect(isEquivalentAnswer('(-\\infty, 2) \\cup (3, \\infty)', '(-\\infty,2)\\cup(3,\\infty)')).toBe(true); // algebra/2043
    expect(isEquivalentAnswer('(0,9) \\cup (9,36)', '(0,9) \\cup (9,37)')).toBe(false); // intermediate_algebra/1992
  });

  it('treats a bare comma list as a set of solutions', () => {
    expect(isEquivalentAnswer('1,-2', '-2, 1')).toBe(true); // math500 answer "1,-2"
    expect(isEquivalentAnswer('3, 5, 7', '7,5,3')).toBe(true);
    expect(isEquivalentAnswer('3, 5, 7', '3, 5')).toBe(false);
  });

  it('never accepts an empty prediction', () => {
    expect(isEquivalentAnswer('0', '')).toBe(false);
    expect(isEquivalentAnswer('0', '   ')).toBe(false);
  });
});

describe('normalizeAnswer', () => {
  it('removes math delimiters and a second \\boxed', () => {
    expect(normalizeAnswer('$\\boxed{\\dfrac{33}{100}}$')).toBe('\\frac{33}{100}'); // prealgebra/1742
  });
});

describe('hendrycksIsEquiv (lm-eval reference)', () => {
  it('normalises as lm-eval strip_string does', () => {
    expect(hendrycksIsEquiv('\\frac43', '\\frac{4}{3}')).toBe(true);
    expect(hendrycksIsEquiv('0.5', '\\frac{1}{2}')).toBe(true);
    expect(hendrycksIsEquiv('x=5', '5')).toBe(true);
    expect(hendrycksIsEquiv('025', '25')).toBe(false);
  });

  it('falls back to raw comparison where strip_string raises in Python', () => {
    // int("a") raises in fix_a_slash_b, so these compare as raw strings.
    expect(hendrycksIsEquiv('a/b', 'a/b')).toBe(true);
    expect(hendrycksIsEquiv('a/b', ' a/b')).toBe(false);
    // Two "\text{ " make remove_right_units's assertion fail.
    expect(hendrycksIsEquiv('1\\text{ m}\\text{ s}', '1')).toBe(false);
  });
});
