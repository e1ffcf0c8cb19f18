import { hendrycksIsEquiv, hendrycksStripString } from '@evalchemy/math-grading';
import { describe, expect, it } from 'vitest';
import {
  aggregateHendrycksMath,
  hendrycksMathGoldAnswer,
  hendrycksMathResponseAnswer,
  scoreHendrycksMathResponse,
} from './index.js';

// Every expected value below was computed by running lm-eval's own lm_eval/tasks/hendrycks_math/utils.py
// (EleutherAI/lm-evaluation-harness 4e7e0d47f33bc71070c1d38394bafbb52b117163) on the same strings with Python
// 3: [model answer, gold, is_equiv, strip_string of the answer (undefined where it raises)].
const isEquivCases: [string, string, boolean, string | undefined][] = [
  ['\\frac12', '\\frac{1}{2}', true, '\\frac{1}{2}'],
  ['\\dfrac{1}{2}', '\\frac{1}{2}', true, '\\frac{1}{2}'],
  ['\\tfrac{3}{4}', '\\frac34', true, '\\frac{3}{4}'],
  ['0.5', '\\frac{1}{2}', true, '\\frac{1}{2}'],
  ['.5', '\\frac{1}{2}', true, '\\frac{1}{2}'],
  ['0.50', '\\frac{1}{2}', false, '0.50'],
  ['1/2', '\\frac{1}{2}', true, '\\frac{1}{2}'],
  ['10 \\text{ cm}', '10', true, '10'],
  ['10\\text{cm}', '10', false, '10\\text{cm}'],
  ['5\\text{ m} + 2\\text{ m}', '5', false, undefined],
  ['\\!1,\\!000', '1,000', true, '1,000'],
  ['x = 5', '5', true, '5'],
  ['xyz = 5', '5', false, 'xyz=5'],
  ['k=\\frac{1}{2}', '0.5', true, '\\frac{1}{2}'],
  ['90^\\circ', '90', true, '90'],
  ['50\\%', '50', true, '50'],
  ['\\$10', '10', true, '10'],
  ['\\left( 1, 2 \\right)', '(1,2)', true, '(1,2)'],
  ['\\sqrt3', '\\sqrt{3}', true, '\\sqrt{3}'],
  ['2\\sqrt{2}', '2\\sqrt2', true, '2\\sqrt{2}'],
  ['\\frac', '\\frac', true, undefined],
  ['\\frac1', '\\frac1', true, '\\frac1'],
  ['\\sqrt', '\\sqrt', true, undefined],
  ['a/b', '\\frac{a}{b}', false, undefined],
  ['a/b', 'a/b', true, undefined],
  ['-3/4', '\\frac{-3}{4}', true, '\\frac{-3}{4}'],
  ['03/4', '\\frac{3}{4}', false, '03/4'],
  ['+3/4', '\\frac{3}{4}', false, '+3/4'],
  ['1_0/4', '\\frac{10}{4}', false, '1_0/4'],
  ['\u0663/4', '\u0663/4', true, '\u0663/4'],
  ['\t3/4', '\\frac{3}{4}', false, '\t3/4'],
  ['1\n000', '1000', true, '1000'],
  ['\\\\frac{1}{2}', '\\frac{1}{2}', true, '\\frac{1}{2}'],
  ['', '', true, ''],
  ['{.5}', '{0.5}', true, '{0.5}'],
  ['x .5', 'x0.5', true, 'x0.5'],
  // Python indexes code points: an astral character is one character to fix_sqrt, fix_fracs and the "k =" rule.
  ['\\sqrt\u{1d465}', '\\sqrt{\u{1d465}}', true, '\\sqrt{\u{1d465}}'],
  ['\\frac\u{1d465}\u{1d466}', '\\frac{\u{1d465}}{\u{1d466}}', true, '\\frac{\u{1d465}}{\u{1d466}}'],
  ['\u{1d465}\u{1d466}=3', '3', true, '3'],
  ['\u{1d465}\u{1d466}\u{1d467}=3', '3', false, '\u{1d465}\u{1d466}\u{1d467}=3'],
];

describe("lm-eval's is_equiv and strip_string", () => {
  for (const [answer, gold, equivalent, stripped] of isEquivCases) {
    it(`${JSON.stringify(answer)} vs ${JSON.stringify(gold)}: ${equivalent}`, () => {
      expect(hendrycksIsEquiv(answer, gold)).toBe(equivalent);
      expect(hendrycksStripString(answer)).toBe(stripped);
    });
  }
});

describe("lm-eval's process_results", () => {
  // Gold "\frac{1}{2}"; results from lm-eval's process_results on the same generations.
  const cases: [string, number][] = [
    ['The answer is $\\frac12$.', 1],
    ['$x$ and $\\frac{1}{2}$', 0],
    ['1/2', 1],
    [' 0.5\n\n', 1],
    ['\\boxed{\\frac12}', 0],
    ['$\\frac{1}{2}', 0],
  ];
  for (const [response, exactMatch] of cases) {
    it(`scores ${JSON.stringify(response)} ${exactMatch}`, () => {
      expect(scoreHendrycksMathResponse(response, '\\frac{1}{2}').exactMatch).toBe(exactMatch);
    });
  }

  it('reads between the first and the last $, else the whole generation', () => {
    expect(hendrycksMathResponseAnswer('$x$ and $\\frac{1}{2}$')).toBe('x$ and $\\frac{1}{2}');
    expect(hendrycksMathResponseAnswer('cost: $5')).toBe('cost: $5');
  });

  it("takes the gold answer from the solution's last box, as process_docs", () => {
    expect(hendrycksMathGoldAnswer('a \\boxed{1} b \\boxed{\\frac{1}{2}} c')).toBe('\\frac{1}{2}');
    expect(hendrycksMathGoldAnswer('so $\\boxed 5$ x')).toBe('5');
    expect(hendrycksMathGoldAnswer('\\fbox{3}')).toBeUndefined();
    expect(hendrycksMathGoldAnswer('no box')).toBeUndefined();
  });
});

describe('the hendrycks_math group', () => {
  const scored = (subject: string, values: number[]) =>
    values.map((value, index) => ({
      id: `${subject}/${index}`,
      metadata: { subject },
      metrics: { exact_match: value },
    }));

  it('weights the subjects by size and pools their standard errors, as lm-eval (weight_by_size: true)', () => {
    const metrics = aggregateHendrycksMath([
      ...scored('hendrycks_math_algebra', [1, 1, 1, 0]),
      ...scored('hendrycks_math_geometry', [0, 0]),
    ]);
    // 3 of 6 problems (the unweighted mean of the subjects would be 0.375); lm-eval's pooled_sample_stderr
    // of (0.25, 4) and (0, 2) is sqrt(((3 * 0.25^2 * 4) + 0) / (6 - 2) / 6).
    expect(metrics.exact_match?.value).toBe(0.5);
    expect(metrics.exact_match?.stderr).toBeCloseTo(0.17677669529663687, 12);
    expect(metrics.exact_match_hendrycks_math_algebra).toEqual({ value: 0.75, stderr: 0.25 });
    expect(metrics.exact_match_hendrycks_math_geometry).toEqual({ value: 0, stderr: 0 });
    expect(Object.keys(metrics)).toEqual([
      'exact_match',
      'exact_match_hendrycks_math_algebra',
      'exact_match_hendrycks_math_geometry',
    ]);
  });
});
