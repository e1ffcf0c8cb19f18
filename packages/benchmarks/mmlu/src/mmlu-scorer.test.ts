import type { ScoredSampleV1 } from '@evalchemy/core';
import { describe, expect, it } from 'vitest';
import { aggregateMmlu, argmaxIndex, extractMmluLetter, lmEvalGenerativeAnswer } from './mmlu-scorer.js';
import { mmluCategories, mmluCategoryOf, mmluSubjects } from './mmlu-subjects.js';

describe('category mapping', () => {
  it("puts each of the 57 subjects in one of lm-eval's four groups, with lm-eval's group sizes", () => {
    expect(mmluSubjects).toHaveLength(57);
    const sizes = Object.fromEntries(
      mmluCategories.map((category) => [
        category,
        mmluSubjects.filter((s) => mmluCategoryOf(s) === category).length,
      ]),
    );
    expect(sizes).toEqual({ stem: 19, other: 13, social_sciences: 12, humanities: 13 });
    expect(mmluCategoryOf('high_school_us_history')).toBe('humanities');
    expect(mmluCategoryOf('econometrics')).toBe('social_sciences');
    expect(mmluCategoryOf('college_medicine')).toBe('other');
    expect(mmluCategoryOf('computer_security')).toBe('stem');
  });
});

describe('log-likelihood choice', () => {
  it('picks the highest log-likelihood, the first one on ties (np.argmax)', () => {
    expect(argmaxIndex([-3.2, -1.1, -2.0, -5])).toBe(1);
    expect(argmaxIndex([-1, -2, -1, -3])).toBe(0);
  });
});

describe('generated letters', () => {
  it("reads lm-eval's first-line answer, ignoring case and punctuation", () => {
    expect(lmEvalGenerativeAnswer('  B.\nBecause...')).toBe('b');
    expect(lmEvalGenerativeAnswer('(c)')).toBe('c');
    expect(extractMmluLetter('d')).toBe('D');
    expect(extractMmluLetter('B.')).toBe('B');
  });

  it('falls back to the first standalone capital A–D', () => {
    expect(extractMmluLetter('The answer is (B).')).toBe('B');
    expect(extractMmluLetter('**C** is correct')).toBe('C');
    expect(extractMmluLetter('Answer: D) Paris')).toBe('D');
  });

  it('ignores letters inside words and lowercase prose', () => {
    expect(extractMmluLetter('Because DNA is a polymer')).toBeUndefined();
    expect(extractMmluLetter('I do not know.')).toBeUndefined();
    expect(extractMmluLetter('')).toBeUndefined();
  });
});

describe('aggregation', () => {
  const values: Record<string, number[]> = {
    abstract_algebra: [1, 0, 1, 1],
    anatomy: [0, 0, 1],
    astronomy: [1, 1, 1, 0, 0],
    formal_logic: [1, 0],
  };
  const samples: ScoredSampleV1[] = Object.entries(values).flatMap(([subject, list]) =>
    list.map((acc, index) => ({ id: `${subject}/${index}`, metadata: { subject }, metrics: { acc } })),
  );

  it('micro-averages acc over questions and per category, with per-subject means', () => {
    const all = Object.values(values).flat();
    const result = aggregateMmlu(samples);
    expect(result.acc?.value).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 12);
    expect(result.acc_stem?.value).toBeCloseTo(7 / 12, 12);
    expect(result.acc_humanities?.value).toBe(0.5);
    expect(result.acc_abstract_algebra?.value).toBe(0.75);
    expect(result.acc_other).toBeUndefined();
  });

  // Reference values: lm-eval's mean_stderr per subject and pooled_sample_stderr (lm_eval/api/metrics.py)
  // run in Python on the same 0/1 lists.
  it("gives lm-eval's pooled standard errors", () => {
    const result = aggregateMmlu(samples);
    expect(result.acc?.stderr).toBeCloseTo(0.14920423841803143, 12);
    expect(result.acc_stem?.stderr).toBeCloseTo(0.15565473029024335, 12);
    expect(result.acc_formal_logic?.stderr).toBeCloseTo(0.5, 12);
  });
});
