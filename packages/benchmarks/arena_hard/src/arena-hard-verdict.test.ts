import { describe, expect, it } from 'vitest';
import { parseV01Verdict, parseV20Verdict } from './index.js';

describe('v0.1 get_score (gen_judgment.py @3071ef9, pattern \\[\\[([AB<>=]+)\\]\\])', () => {
  it('reads the one label, however often it is repeated', () => {
    expect(parseV01Verdict('... My final verdict is: [[A>>B]]')).toEqual({
      verdict: { label: 'A>>B', preferred: 'A', strength: 2 },
      tryAgain: false,
    });
    expect(parseV01Verdict('[[B>A]] ... so [[B>A]]').verdict).toMatchObject({ label: 'B>A', preferred: 'B' });
  });

  it('asks to try again when there is no label, gives up on two different ones', () => {
    expect(parseV01Verdict('Assistant B is better: [B>A]')).toEqual({ verdict: null, tryAgain: true });
    expect(parseV01Verdict('[[A>B]] no wait [[A=B]]')).toEqual({ verdict: null, tryAgain: false });
  });

  it('is case-sensitive and keeps labels the battles do not know as no preference', () => {
    expect(parseV01Verdict('[[a>b]]').tryAgain).toBe(true);
    expect(parseV01Verdict('[[A<B]]').verdict).toEqual({ label: 'A<B', preferred: null, strength: 1 });
  });
});

describe('v2.0 get_score (gen_judgment.py @196f6b8)', () => {
  it('takes the last [[label]] of the upper-cased judgment, else the last [label]', () => {
    expect(parseV20Verdict('[[A>B]] hmm, actually [[b>>a]]')).toEqual({
      label: 'B>>A',
      preferred: 'B',
      strength: 2,
    });
    expect(parseV20Verdict('Verdict: [A=B]')).toMatchObject({ label: 'A=B', preferred: 'tie' });
    expect(parseV20Verdict('[[A<<B]]')).toMatchObject({ preferred: 'B', strength: 2 });
    expect(parseV20Verdict('B is better')).toBeNull();
  });
});
