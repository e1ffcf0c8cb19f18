import { execFileSync } from 'node:child_process';
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

  it('draws getrandbits, samples and shuffles as CPython', () => {
    // python3 -c "import random; r=random.Random(3); print([r.getrandbits(k) for k in (1,13,32,33,53)], r._randbelow(1000))"
    const bits = new PythonRandom(3);
    expect([1, 13, 32, 33, 53].map((k) => bits.getrandbits(k))).toEqual([
      0, 4854, 2337446730, 560161641, 5439631553944565,
    ]);
    expect(bits.randbelow(1000)).toBe(485);
    // r=random.Random(1234); [r.sample(range(7473), 5) for _ in range(3)]: lm-eval's few-shot draws for gsm8k
    const fewshot = new PythonRandom(1234);
    const indices = Array.from({ length: 7473 }, (_, index) => index);
    expect([1, 2, 3].map(() => fewshot.sample(indices, 5))).toEqual([
      [6374, 3610, 957, 61, 742],
      [7462, 6610, 4769, 286, 5501],
      [5677, 687, 806, 6279, 2905],
    ]);
    // r=random.Random(7); r.sample('abcdefghij', 4), r.sample(list(range(100)), 10): the small-pool branch, then a set of k > 5
    const small = new PythonRandom(7);
    expect(small.sample([...'abcdefghij'], 4)).toEqual(['f', 'c', 'g', 'j']);
    expect(
      small.sample(
        Array.from({ length: 100 }, (_, index) => index),
        10,
      ),
    ).toEqual([6, 9, 68, 12, 46, 74, 7, 64, 27, 4]);
    // a=list(range(10)); random.Random(42).shuffle(a)
    expect(new PythonRandom(42).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual([
      7, 3, 2, 8, 5, 6, 9, 4, 0, 1,
    ]);
  });

  it('agrees with the python3 on this machine on a thousand samples and shuffles', () => {
    const script =
      'import random, json\n' +
      'out = []\n' +
      'for seed in range(40):\n' +
      '    r = random.Random(seed)\n' +
      '    n = [1, 2, 5, 20, 21, 22, 37, 38, 100, 500][seed % 10]\n' +
      '    for k in sorted({0, 1, min(n, 5), min(n, 6), min(n, 13), n // 2, n}):\n' +
      '        out.append(r.sample(range(n), k))\n' +
      '    a = list(range(n)); r.shuffle(a); out.append(a)\n' +
      'print(json.dumps(out))\n';
    const expected = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })) as number[][];
    const actual: number[][] = [];
    for (let seed = 0; seed < 40; seed++) {
      const random = new PythonRandom(seed);
      const n = [1, 2, 5, 20, 21, 22, 37, 38, 100, 500][seed % 10]!;
      const population = Array.from({ length: n }, (_, index) => index);
      const ks = [...new Set([0, 1, Math.min(n, 5), Math.min(n, 6), Math.min(n, 13), Math.floor(n / 2), n])];
      for (const k of ks.sort((a, b) => a - b)) actual.push(random.sample(population, k));
      actual.push(random.shuffle([...population]));
    }
    expect(actual).toEqual(expected);
  });

  it('refuses a seed Python would read differently (negative, fractional, unsafe)', () => {
    expect(() => new PythonRandom(-1)).toThrow('non-negative safe integer');
    expect(() => new PythonRandom(1.5)).toThrow('non-negative safe integer');
    expect(() => new PythonRandom(2 ** 60)).toThrow('non-negative safe integer');
  });
});
