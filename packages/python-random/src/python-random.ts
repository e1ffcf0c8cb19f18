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

  /** `random.choice(sequence)`: the element at `randbelow(n)`. */
  choice<T>(sequence: readonly T[]): T {
    const n = sequence.length;
    if (n === 0) throw new RangeError('choice from an empty sequence');
    return sequence[this.randbelow(n)]!;
  }

  /**
   * `random.getrandbits(k)` for k ≤ 53: 32-bit outputs, least significant word first, the last one shifted
   * right to keep its top bits (CPython's `_random_Random_getrandbits_impl`).
   */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 53)
      throw new RangeError(`getrandbits takes 0 to 53 bits, got ${k}`);
    if (k === 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - k);
    return high * 0x1_0000_0000 + low;
  }

  /** `random._randbelow(n)` (`_randbelow_with_getrandbits`): `getrandbits(n.bit_length())` until below n. */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(`randbelow takes a non-negative integer, got ${n}`);
    if (n === 0) return 0;
    const bits = n.toString(2).length;
    let r = this.getrandbits(bits);
    while (r >= n) r = this.getrandbits(bits);
    return r;
  }

  /**
   * `random.sample(population, k)` (CPython 3.11+, the same draws as every Python 3 for a sequence): a
   * partial shuffle of a copy when the population is small, else indices drawn until unseen.
   */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n)
      throw new RangeError('Sample larger than population or is negative');
    const result: T[] = new Array(k);
    let setSize = 21;
    if (k > 5) setSize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setSize) {
      const pool = [...population];
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j]!;
        pool[j] = pool[n - i - 1]!;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = population[j]!;
      }
    }
    return result;
  }

  /** `random.shuffle(array)` in place: from the end, swap each position i with `randbelow(i + 1)`. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      [array[i], array[j]] = [array[j]!, array[i]!];
    }
    return array;
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
