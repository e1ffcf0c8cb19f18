const stateLength = 624;
const shift = 397;

/**
 * The draws of numpy's legacy global generator (`np.random.seed(seed)`, then `np.random.choice(n, n)` or
 * `DataFrame.sample(frac=1.0, replace=True)`): MT19937 seeded by `init_genrand`, integers below `n` by
 * masked rejection on 32-bit outputs (numpy's `random_bounded_uint64_fill`, `use_masked=True`). With the
 * same seed and the same battle order, the bootstrap resamples are the reference's own.
 */
export class NumpyLegacyRandom {
  private readonly state = new Uint32Array(stateLength);
  private position = stateLength;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`numpy seeds are integers from 0 to 2**32 - 1, got ${seed}.`);
    }
    let value = seed >>> 0;
    for (let index = 0; index < stateLength; index++) {
      this.state[index] = value;
      value = (Math.imul(1812433253, value ^ (value >>> 30)) + index + 1) >>> 0;
    }
  }

  /** One 32-bit output (`genrand_int32`). */
  nextUint32(): number {
    const state = this.state;
    if (this.position >= stateLength) {
      for (let index = 0; index < stateLength; index++) {
        const y = (state[index]! & 0x80000000) | (state[(index + 1) % stateLength]! & 0x7fffffff);
        state[index] = state[(index + shift) % stateLength]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.position = 0;
    }
    let y = state[this.position++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `size` integers in [0, high), as `RandomState.randint(0, high, size)` (high ≤ 2**32). */
  randint(high: number, size: number): number[] {
    const range = high - 1;
    if (range <= 0) return new Array<number>(size).fill(0);
    let mask = range;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    const draws: number[] = [];
    for (let index = 0; index < size; index++) {
      let value: number;
      do {
        value = (this.nextUint32() & mask) >>> 0;
      } while (value > range);
      draws.push(value);
    }
    return draws;
  }
}
