import { createHash } from 'node:crypto';

const stateSize = 624;
const twoPi = 2 * Math.PI;

/**
 * CPython 3's `random.Random`: MT19937 seeded by `init_by_array` as `random.seed(n)` does for an integer n
 * (the key is n's 32-bit words, least significant first) and for a string (seed version 2: the UTF-8 bytes
 * followed by their SHA-512 digest, read as one big-endian integer). The same seed gives the same numbers as
 * Python.
 */
export class PythonRandom {
  private readonly state = new Uint32Array(stateSize);
  private index = stateSize + 1;
  private gaussNext: number | undefined;

  constructor(seed: number | string) {
    this.initByArray(typeof seed === 'string' ? stringKey(seed) : integerKey(seed));
  }

  /** `random.random()`: a float in [0, 1) with 53 random bits, from two 32-bit outputs. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `random.choice(sequence)`: an index below n by `getrandbits` with rejection (`_randbelow_with_getrandbits`). */
  choice<T>(sequence: readonly T[]): T {
    const n = sequence.length;
    if (n === 0) throw new RangeError('choice from an empty sequence');
    return sequence[this.randomBelow(n)]!;
  }

  /** `_randbelow_with_getrandbits(n)` for 0 < n < 2^32: `getrandbits(n.bit_length())` until below n. */
  private randomBelow(n: number): number {
    const bits = 32 - Math.clz32(n);
    let r = this.nextUint32() >>> (32 - bits);
    while (r >= n) r = this.nextUint32() >>> (32 - bits);
    return r;
  }

  /**
   * `random.sample(population, k)`: k distinct items in selection order, by CPython's two strategies (a pool
   * for a population no bigger than the set it would need, else a set of drawn indices with redraws).
   */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError('Sample larger than population or is negative');
    }
    let setSize = 21;
    if (k > 5) setSize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    const result: T[] = [];
    if (n <= setSize) {
      const pool = [...population];
      for (let i = 0; i < k; i++) {
        const j = this.randomBelow(n - i);
        result.push(pool[j]!);
        pool[j] = pool[n - i - 1]!;
      }
      return result;
    }
    const selected = new Set<number>();
    for (let i = 0; i < k; i++) {
      let j = this.randomBelow(n);
      while (selected.has(j)) j = this.randomBelow(n);
      selected.add(j);
      result.push(population[j]!);
    }
    return result;
  }

  /** `random.choices(population, k=k)` without weights: `population[floor(random() * n)]`, k times. */
  choices<T>(population: readonly T[], k: number): T[] {
    return Array.from({ length: k }, () => population[Math.floor(this.random() * population.length)]!);
  }

  /** `random.gauss(mu, sigma)`, with Python's cached second value. */
  gauss(mu: number, sigma: number): number {
    let z = this.gaussNext;
    this.gaussNext = undefined;
    if (z === undefined) {
      const x2pi = this.random() * twoPi;
      const g2rad = Math.sqrt(-2 * Math.log(1 - this.random()));
      z = Math.cos(x2pi) * g2rad;
      this.gaussNext = Math.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < stateSize; i++) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
    this.index = stateSize;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(stateSize, key.length); k > 0; k--) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(previous, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= stateSize) {
        mt[0] = mt[stateSize - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = stateSize - 1; k > 0; k--) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(previous, 1566083941)) - i) >>> 0;
      i++;
      if (i >= stateSize) {
        mt[0] = mt[stateSize - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private nextUint32(): number {
    const mt = this.state;
    if (this.index >= stateSize) {
      for (let k = 0; k < stateSize; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % stateSize]! & 0x7fffffff);
        mt[k] = (mt[(k + 397) % stateSize]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
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
}

/** `init_by_array`'s key for an integer seed: its 32-bit words, least significant first (0 → [0]). */
function integerKey(seed: number): number[] {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const key: number[] = [];
  let rest = seed;
  do {
    key.push(rest % 0x1_0000_0000);
    rest = Math.floor(rest / 0x1_0000_0000);
  } while (rest > 0);
  return key;
}

/** The key for a string seed (version 2): the big-endian integer of its UTF-8 bytes and their SHA-512. */
function stringKey(seed: string): number[] {
  const text = Buffer.from(seed, 'utf8');
  const bytes = Buffer.concat([text, createHash('sha512').update(text).digest()]);
  // CPython sizes the key by the integer's bit length: leading zero bytes do not count.
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const significant = bytes.subarray(start);
  const words = Math.max(1, Math.ceil(significant.length / 4));
  const key: number[] = [];
  for (let word = 0; word < words; word += 1) {
    let value = 0;
    for (let byte = 3; byte >= 0; byte -= 1) {
      const position = significant.length - 1 - (word * 4 + byte);
      value = (value * 256 + (position >= 0 ? significant[position]! : 0)) >>> 0;
    }
    key.push(value);
  }
  return key;
}
