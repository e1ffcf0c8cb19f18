/**
 * Python's `random.Random` (MT19937) for the calls `langdetect` makes: `seed(int)`, `random()`, `gauss()`
 * and `choice()`. With the same seed it yields the same numbers as CPython 3, so language detection
 * matches Python's `langdetect` with `DetectorFactory.seed` set.
 */
const TWO_PI = 2 * Math.PI;

export class PythonRandom {
  private readonly state = new Uint32Array(624);
  private index = 625;
  private gaussNext: number | undefined;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** `Random.seed(n)` for a non-negative integer below 2^32 (CPython's `init_by_array` with one key word). */
  seed(seed: number): void {
    this.initGenrand(19650218);
    const key = [seed >>> 0];
    const mt = this.state;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(previous, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(previous, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.gaussNext = undefined;
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(previous, 1812433253) + i) >>> 0;
    }
    this.index = 624;
  }

  private nextUint32(): number {
    const mt = this.state;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = (mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: 53-bit float in [0, 1). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `random.getrandbits(k)` for 0 < k <= 32. */
  private getRandomBits(bits: number): number {
    return this.nextUint32() >>> (32 - bits);
  }

  /** `random.choice(sequence)` (CPython 3's `_randbelow_with_getrandbits`). */
  choice<T>(sequence: readonly T[]): T {
    const n = sequence.length;
    const bits = 32 - Math.clz32(n);
    let r = this.getRandomBits(bits);
    while (r >= n) r = this.getRandomBits(bits);
    return sequence[r]!;
  }

  /** `random.gauss(mu, sigma)`, with Python's cached second value. */
  gauss(mu: number, sigma: number): number {
    let z = this.gaussNext;
    this.gaussNext = undefined;
    if (z === undefined) {
      const x2pi = this.random() * TWO_PI;
      const g2rad = Math.sqrt(-2 * Math.log(1 - this.random()));
      z = Math.cos(x2pi) * g2rad;
      this.gaussNext = Math.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }
}
