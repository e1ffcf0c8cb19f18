import { describe, expect, it } from 'vitest';
import { fusedMultiplyAdd, numpyTanh } from './numpy-tanh.js';

describe("numpy's float64 tanh", () => {
  it('matches np.tanh bit for bit where the C library differs', () => {
    // python3 -c "import numpy as np; print([repr(v) for v in np.tanh([...])])" with numpy 1.24.2 (AVX-512
    // kernel; the AVX2 / NEON kernels run the same table and FMA chain). For these inputs math.tanh (glibc)
    // and Math.tanh give a different last bit.
    const cases: [number, number][] = CASES;
    for (const [x, expected] of cases) {
      expect(Object.is(numpyTanh(x), expected), `tanh(${x})`).toBe(true);
      expect(Object.is(numpyTanh(-x), -expected), `tanh(${-x})`).toBe(true);
    }
  });

  it('keeps the special values', () => {
    expect(Object.is(numpyTanh(0), 0)).toBe(true);
    expect(Object.is(numpyTanh(-0), -0)).toBe(true);
    expect(numpyTanh(Number.POSITIVE_INFINITY)).toBe(1);
    expect(numpyTanh(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(numpyTanh(1e300)).toBe(1);
    expect(numpyTanh(Number.NaN)).toBeNaN();
  });

  it('rounds a·b + c once', () => {
    // (1 + 2^-52)(1 − 2^-52) − 1 = −2^-104 exactly; unfused it rounds to 0.
    expect(fusedMultiplyAdd(1 + 2 ** -52, 1 - 2 ** -52, -1)).toBe(-(2 ** -104));
    expect((1 + 2 ** -52) * (1 - 2 ** -52) - 1).toBe(0);
    expect(fusedMultiplyAdd(0.1, 10, -1)).toBe(5.551115123125783e-17);
  });
});

// Inputs in [0, 6) where np.tanh (numpy 1.24.2) and math.tanh differ, with np.tanh's value.
const CASES: [number, number][] = [
  [0.8312364750867314, 0.6811393758924864],
  [0.4848878830980061, 0.4501496019604478],
  [3.699900256101711, 0.9987779976797962],
  [0.24537459290886932, 0.2405658109771422],
  [2.274117626372614, 0.9790500350044247],
  [4.220882353762482, 0.99956875456403],
  [4.645256803413067, 0.9998154257465365],
  [1.687106490507413, 0.9337776691989493],
  [5.318398386475664, 0.9999519694652146],
  [5.276239130401061, 0.9999477440714533],
  [2.2728984137985018, 0.9789994248097839],
  [5.4384637557297175, 0.9999622225887439],
];
