import { describe, expect, it } from 'vitest';
import { normalizeHelloAnswer, scoreHelloResponse } from './hello-scorer.js';

// What a new benchmark changes here: pairs of (response, expected verdict), ideally produced by running the
// reference implementation on the same strings, including the edge cases where it surprises.
describe('normalizeHelloAnswer', () => {
  it.each([
    [' 5.\n', '5'],
    ['Thirteen', 'thirteen'],
    ['1  2\t3', '1 2 3'],
    ['12..', '12.'],
  ])('%j → %j', (text, expected) => {
    expect(normalizeHelloAnswer(text)).toBe(expected);
  });
});

describe('scoreHelloResponse', () => {
  it('matches a bare number with surrounding whitespace and a final period', () => {
    expect(scoreHelloResponse(' 13.\n', '13')).toEqual({ extracted: '13', exactMatch: 1 });
  });

  it('gives no credit to a sentence around the right number', () => {
    expect(scoreHelloResponse('The answer is 13.', '13')).toEqual({
      extracted: 'the answer is 13',
      exactMatch: 0,
    });
  });

  it('gives no credit to an empty response or a different number', () => {
    expect(scoreHelloResponse('', '5').exactMatch).toBe(0);
    expect(scoreHelloResponse('-5', '5').exactMatch).toBe(0);
  });
});
