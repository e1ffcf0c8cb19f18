import { describe, expect, it } from 'vitest';
import { PythonRandom } from './index.js';

const draws = (seed: number | string, count: number) => {
  const random = new PythonRandom(seed);
  return Array.from({ length: count }, () => random.random());
};

describe('PythonRandom', () => {
  it('draws what CPython draws after random.seed(n), n of one or two 32-bit words', () => {
    // python3 -c "import random; random.seed(42); s=[random.random() for _ in range(1024)]; print(s[:3], s[1023])"
    const fortyTwo = draws(42, 1024);
    expect(fortyTwo.slice(0, 3)).toEqual([0.6394267984578837, 0.025010755222666936, 0.27502931836911926]);
    expect(fortyTwo[1023]).toBe(0.3285595534322304);
    // random.seed(0): 0.8444218515250481, 0.7579544029403025; random.seed(2**40 + 5): 0.5043802970418443, 0.2686044399723282
    expect(draws(0, 2)).toEqual([0.8444218515250481, 0.7579544029403025]);
    expect(draws(2 ** 40 + 5, 2)).toEqual([0.5043802970418443, 0.2686044399723282]);
  });

  it('seeds from a string as random.Random(str) does, UTF-8 bytes and their SHA-512', () => {
    // python3 -c "import random; r = random.Random('abc'); print(r.random(), r.random())"
    expect(draws('abc', 2)).toEqual([0.7720246314157545, 0.5581691373899791]);
    // random.Random('é€😀').random() == 0.09991527733819439
    expect(draws('é€😀', 1)).toEqual([0.09991527733819439]);
  });

  it('chooses, draws choices and Gaussians as CPython', () => {
    // python3 -c "import random; r=random.Random(0); print([r.choice('abcde') for _ in range(5)])"
    const choosing = new PythonRandom(0);
    expect(Array.from({ length: 5 }, () => choosing.choice(['a', 'b', 'c', 'd', 'e']))).toEqual([
      'd',
      'd',
      'a',
      'c',
      'e',
    ]);
    // random.Random('abc').choices([False, True], k=3) == [True, True, True]
    expect(new PythonRandom('abc').choices([false, true], 3)).toEqual([true, true, true]);
    // r = random.Random(0); r.gauss(0, 1) three times: the second is the first pair's cached value
    const gaussian = new PythonRandom(0);
    expect([gaussian.gauss(0, 1), gaussian.gauss(0, 1), gaussian.gauss(0, 1)]).toEqual([
      0.9417154046806644, -1.3965781047011498, -0.6797144480784211,
    ]);
  });

  it('samples as CPython random.sample, by set (large population) and by pool (small), in turn', () => {
    // CPython 3.11: r = random.Random(1234); [r.sample(range(1744), 4) for _ in range(3)]; and so on.
    const range = (n: number) => Array.from({ length: n }, (_, index) => index);
    const large = new PythonRandom(1234);
    expect([1, 2, 3].map(() => large.sample(range(1744), 4))).toEqual([
      [1593, 902, 239, 15],
      [185, 1652, 1192, 71],
      [1375, 1419, 171, 201],
    ]);
    const small = new PythonRandom(1234);
    expect([1, 2, 3].map(() => small.sample(range(10), 4))).toEqual([
      [7, 1, 0, 9],
      [9, 0, 1, 8],
      [5, 3, 0, 7],
    ]);
    // k > 5 enlarges the set size: 100 items > 85 by set, then 30 items <= 85 by pool.
    const mixed = new PythonRandom(1234);
    expect(mixed.sample(range(100), 8)).toEqual([99, 56, 14, 0, 11, 74, 4, 85]);
    expect(mixed.sample(range(30), 7)).toEqual([22, 2, 3, 24, 11, 7, 0]);
    expect(() => mixed.sample(range(3), 4)).toThrow(RangeError);
  });

  it('refuses a seed Python would read differently (negative, fractional, unsafe)', () => {
    expect(() => new PythonRandom(-1)).toThrow('non-negative safe integer');
    expect(() => new PythonRandom(1.5)).toThrow('non-negative safe integer');
    expect(() => new PythonRandom(2 ** 60)).toThrow('non-negative safe integer');
  });
});
