import { describe, expect, it } from 'vitest';
import { extractBoxedAnswer, lastBoxedOnlyString } from './hendrycks-equivalence.js';

describe('extractBoxedAnswer', () => {
  it('takes the last \\boxed{} with nested braces', () => {
    expect(extractBoxedAnswer('First \\boxed{1}, finally \\boxed{\\frac{14}{3}}.')).toBe('\\frac{14}{3}');
  });
  it('reads the space form up to the next $', () => {
    expect(extractBoxedAnswer('so $\\boxed 5$ is it')).toBe('5');
  });
  it('returns "" without a box, with unbalanced braces, or for \\fbox (as Evalchemy)', () => {
    expect(extractBoxedAnswer('The answer is 5.')).toBe('');
    expect(extractBoxedAnswer('\\boxed{\\frac{1}{2}')).toBe('');
    expect(lastBoxedOnlyString('\\fbox{7}')).toBe('\\fbox{7}');
    expect(extractBoxedAnswer('\\fbox{7}')).toBe('');
  });
});
