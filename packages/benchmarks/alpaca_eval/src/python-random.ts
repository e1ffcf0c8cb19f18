import { createHash } from 'node:crypto';

/**
 * The part of CPython's `random.Random` alpaca_eval relies on: seeding from a string (version 2: the UTF-8
 * bytes followed by their SHA-512 digest, read as one big-endian integer, fed to MT19937's `init_by_array`)
 * and `random()` (53 bits from two 32-bit draws). alpaca_eval's `utils.random_seeded_choice` seeds one such
 * generator per row to decide whether the two outputs are shown switched.
 */
export class PythonRandom {
  private readonly state = new Uint32Array(624);
  private index = 625;

  constructor(seed: string) {
    const text = Buffer.from(seed, 'utf8');
    const bytes = Buffer.concat([text, createHash('sha512').update(text).digest()]);
    // Little-endian 32-bit words of the big-endian integer; leading zero bytes do not count (CPython sizes the
    // key by the integer's bit length).
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    const significant = bytes.subarray(start);
    const words = Math.max(1, Math.ceil(significant.length / 4));
    const key = new Uint32Array(words);
    for (let word = 0; word < words; word += 1) {
      let value = 0;
      for (let byte = 3; byte >= 0; byte -= 1) {
        const position = significant.length - 1 - (word * 4 + byte);
        value = (value * 256 + (position >= 0 ? significant[position]! : 0)) >>> 0;
      }
      key[word] = value;
    }
    this.initByArray(key);
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i += 1) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
    this.index = 624;
  }

  private initByArray(key: Uint32Array): void {
    const mt = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k -= 1) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(previous, 1664525)) + key[j]! + j) >>> 0;
      i += 1;
      j += 1;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k -= 1) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(previous, 1566083941)) - i) >>> 0;
      i += 1;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private nextUint32(): number {
    const mt = this.state;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k += 1) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index]!;
    this.index += 1;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: a float in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `random.choices(choices, k=1)[0]` without weights. */
  choice<T>(choices: readonly T[]): T {
    return choices[Math.floor(this.random() * choices.length)]!;
  }
}
