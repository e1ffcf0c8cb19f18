// numpy's float64 `np.tanh`, which numpy computes with its own SIMD kernel wherever the CPU has FMA (AVX2+FMA3,
// AVX-512, NEON, VSX): Intel SVML's algorithm converted to numpy's universal intrinsics
// (numpy/_core/src/umath/loops_hyperbolic.dispatch.c.src, `simd_tanh_f64`). |x| falls in one of 16
// intervals; on each, tanh is a degree-16 polynomial in y = |x| − b evaluated by fused multiply-adds. The
// table below is numpy's (`lut18x16`, bit patterns), one row per interval: b, c0 … c16. The C library's
// tanh (and Math.tanh) differ from it in the last bit for about a third of inputs, which would change the
// GLM's length feature.

const table: readonly (readonly bigint[])[] = [
  [
    0x0n,
    0x0n,
    0x3ff0000000000000n,
    0xbbf0b3ea3fdfaa19n,
    0xbfd5555555555555n,
    0xbce6863ee44ed636n,
    0x3fc1111111112ab5n,
    0xbda1ea19ddddb3b4n,
    0xbfaba1ba1990520bn,
    0xbe351ca7f096011fn,
    0x3f9664f94e6ac14en,
    0xbea8c4c1fd7852fen,
    0xbf822404577aa9ddn,
    0xbefdd99a221ed573n,
    0x3f6e3be689423841n,
    0xbf2a1306713a4f3an,
    0xbf55d7e76dc56871n,
    0x3f35e67ab76a26e7n,
  ],
  [
    0x3fcc000000000000n,
    0x3fcb8fd0416a7c92n,
    0x3fee842ca3f08532n,
    0xbfca48aaeb53bc21n,
    0xbfd183afc292ba11n,
    0x3fc04dcd0476c75en,
    0x3fb5c19efdfc08adn,
    0xbfb0b8df995ce4dfn,
    0xbf96e37bba52f6fcn,
    0x3f9eaaf3320c3851n,
    0xbf94d3343bae39ddn,
    0xbfccce16b1046f13n,
    0x403d8b07f7a82aa3n,
    0x4070593a3735bab4n,
    0xc0d263511f5baac1n,
    0xc1045e509116b066n,
    0x41528c38809c90c7n,
    0x41848ee0627d8206n,
  ],
  [
    0x3fd4000000000000n,
    0x3fd35f98a0ea650en,
    0x3fed11574af58f1bn,
    0xbfd19921f4329916n,
    0xbfcc1a4b039c9bfan,
    0x3fc43d3449a80f08n,
    0x3fa74c98dc34fbacn,
    0xbfb2955cf41e8164n,
    0x3ecff7df18455399n,
    0x3f9cf823fe761fc1n,
    0xbf7bc748e60df843n,
    0xbf81a16f224bb7b6n,
    0xbf9f44ab92fbab0an,
    0xbfccab654e44835en,
    0x40169f73b15ebe5cn,
    0x4041fab9250984cen,
    0xc076d57fb5190b02n,
    0xc0a216d618b489ecn,
  ],
  [
    0x3fdc000000000000n,
    0x3fda5729ee488037n,
    0x3fea945b9c24e4f9n,
    0xbfd5e0f09bef8011n,
    0xbfc16e1e6d8d0be6n,
    0x3fc5c26f3699b7e7n,
    0xbf790d6a8eff0a77n,
    0xbfaf9d05c309f7c6n,
    0x3f97362834d33a4en,
    0x3f9022271754ff1fn,
    0xbf8c89372b43ba85n,
    0xbf62cbf00406bc09n,
    0x3fb2eac604473d6an,
    0x3fd13ed80037dbacn,
    0xc025c1dd41cd6cb5n,
    0xc0458d090ec3de95n,
    0x4085f09f888f8adan,
    0x40a5b89107c8af4fn,
  ],
  [
    0x3fe4000000000000n,
    0x3fe1bf47eabb8f95n,
    0x3fe6284c3374f815n,
    0xbfd893b59c35c882n,
    0xbf92426c751e48a2n,
    0x3fc1a686f6ab2533n,
    0xbfac3c021789a786n,
    0xbf987d27ccff4291n,
    0x3f9e7f8380184b45n,
    0xbf731fe77c9c60afn,
    0xbf8129a092de747an,
    0x3f75b29bb02cf69bn,
    0x3f45f87d903aaac8n,
    0xbf6045b9076cc487n,
    0xbf58fd89fe05e0d1n,
    0xbf74949d60113d63n,
    0x3fa246332a2fcba5n,
    0x3fb69d8374520edan,
  ],
  [
    0x3fec000000000000n,
    0x3fe686650b8c2015n,
    0x3fe02500a09f8d6en,
    0xbfd6ba7cb7576538n,
    0x3fb4f152b2bad124n,
    0x3faf203c316ce730n,
    0xbfae2196b7326859n,
    0x3f8b2ca62572b098n,
    0x3f869543e7c420d4n,
    0xbf84a6046865ec7dn,
    0x3f60c85b4d538746n,
    0x3f607df0f9f90c17n,
    0xbf5e104671036300n,
    0x3f2085ee7e8ac170n,
    0x3f73f7af01d5af7an,
    0x3f7c9fd6200d0aden,
    0xbfb29d851a896fcdn,
    0xbfbded519f981716n,
  ],
  [
    0x3ff4000000000000n,
    0x3feb2523bb6b2deen,
    0x3fd1f25131e3a8c0n,
    0xbfce7291743d7555n,
    0x3fbbba40cbef72ben,
    0xbf89c7a02788557cn,
    0xbf93a7a011ff8c2an,
    0x3f8f1cf6c7f5b00an,
    0xbf7326bd4914222an,
    0xbf4ca3f1f2b9192bn,
    0x3f5be9392199ec18n,
    0xbf4b852a6e0758d5n,
    0x3f19bc98ddf0f340n,
    0x3f23524622610430n,
    0xbf1e40bdead17e6bn,
    0x3f02cd40e0ad0a9fn,
    0x3ed9065ae369b212n,
    0xbef02d288b5b3371n,
  ],
  [
    0x3ffc000000000000n,
    0x3fee1fbf97e33527n,
    0x3fbd22ca1c24a139n,
    0xbfbb6d85a01efb80n,
    0x3fb01ba038be6a3dn,
    0xbf98157e26e0d541n,
    0x3f6e4709c7e8430en,
    0x3f60379811e43dd5n,
    0xbf5fc15b0a9d98fan,
    0x3f4c77dee0afd227n,
    0xbf2a0c68a4489f10n,
    0xbf0078c63d1b8445n,
    0x3f0d4304bc9246e8n,
    0xbeff12a6626911b4n,
    0x3ee224cd6c4513e5n,
    0xbe858ab8e019f311n,
    0xbeb8e1ba4c98a030n,
    0x3eb290981209c1a6n,
  ],
  [
    0x4004000000000000n,
    0x3fef9258260a71c2n,
    0x3f9b3afe1fba5c76n,
    0xbf9addae58c7141an,
    0x3f916df44871efc8n,
    0xbf807b55c1c7d278n,
    0x3f67682afa611151n,
    0xbf4793826f78537en,
    0x3f14cffcfa69fbb6n,
    0x3f04055bce68597an,
    0xbf00462601dc2faan,
    0x3eec12eadd55be7an,
    0xbed13c415f7b9d41n,
    0x3eab9008bca408afn,
    0xbe24b645e68eeaa3n,
    0xbe792fa6323b7cf8n,
    0x3e6ffd0766ad4016n,
    0xbe567e924bf5ff6en,
  ],
  [
    0x400c000000000000n,
    0x3feff112c63a9077n,
    0x3f6dd37d19b22b21n,
    0xbf6dc59376c7aa19n,
    0x3f63c6869dfc8870n,
    0xbf53a18d5843190fn,
    0x3f3ef2ee77717cbfn,
    0xbf2405695e36240fn,
    0x3f057e48e5b79d10n,
    0xbee2bf0cb4a71647n,
    0x3eb7b6a219dea9f4n,
    0xbe6fa600f593181bn,
    0xbe722b8d9720cdb0n,
    0x3e634df71865f620n,
    0xbe4abfebfb72bc83n,
    0x3e2df04d67876402n,
    0xbe0c63c29f505f5bn,
    0x3de3f7f7de6b0eb6n,
  ],
  [
    0x4014000000000000n,
    0x3fefff419668df11n,
    0x3f27ccec13a9ef96n,
    0xbf27cc5e74677410n,
    0x3f1fb9aef915d828n,
    0xbf0fb6bbc89b1a5bn,
    0x3ef95a4482f180b7n,
    0xbee0e08de39ce756n,
    0x3ec33b66d7d77264n,
    0xbea31eaafe73efd5n,
    0x3e80cbcc8d4c5c8an,
    0xbe5a3c935dce3f7dn,
    0x3e322666d739bec0n,
    0xbe05bb1bcf83ca73n,
    0x3dd51c38f8695ed3n,
    0xbd95c72be95e4d2cn,
    0xbd7fab216b9e0e49n,
    0x3d69ed18bae3ebbcn,
  ],
  [
    0x401c000000000000n,
    0x3feffffc832750f2n,
    0x3ecbe6c3f33250aen,
    0xbecbe6c0e8b4cc87n,
    0x3ec299d1e27c6e11n,
    0xbeb299c9c684a963n,
    0x3e9dc2c27da3b603n,
    0xbe83d709ba5f714en,
    0x3e66ac4e578b9b10n,
    0xbe46abb02c4368edn,
    0x3e2425bb231a5e29n,
    0xbe001c6d95e3ae96n,
    0x3dd76a553d7e7918n,
    0xbdaf2ac143fb6762n,
    0x3d8313ac38c6832bn,
    0xbd55a89c30203106n,
    0x3d2826b62056aa27n,
    0xbcf7534c4f3dfa71n,
  ],
  [
    0x4024000000000000n,
    0x3feffffffdc96f35n,
    0x3e41b4865394f75fn,
    0xbe41b486526b0565n,
    0x3e379b5ddcca334cn,
    0xbe279b5dd4fb3d01n,
    0x3e12e2afd9f7433en,
    0xbdf92e3fc5ee63e0n,
    0x3ddcc74b8d3d5c42n,
    0xbdbcc749ca8079ddn,
    0x3d9992a4beac8662n,
    0xbd74755a00ea1fd3n,
    0x3d4de0fa59416a39n,
    0xbd23eae52a3dbf57n,
    0x3cf7787935626685n,
    0xbccad6b3bb9eff65n,
    0x3ca313e31762f523n,
    0xbc730b73f1eaff20n,
  ],
  [
    0x402c000000000000n,
    0x3fefffffffffcf58n,
    0x3d8853f01bda5f28n,
    0xbd8853f01bef63a4n,
    0x3d8037f57bc62c9an,
    0xbd7037f57ae72aa6n,
    0x3d59f320348679ban,
    0xbd414cc030f2110en,
    0x3d23c589137f92b4n,
    0xbd03c5883836b9d2n,
    0x3ce191ba5ed3fb67n,
    0xbcbc1c6c063bb7acn,
    0x3c948716cf3681b4n,
    0xbc6b5e3e9ca0955en,
    0x3c401ffc49c6bc29n,
    0xbc12705ccd3dd884n,
    0x3bea37aa21895319n,
    0xbbba2cff8135d462n,
  ],
  [
    0x4034000000000000n,
    0x3ff0000000000000n,
    0x3c73953c0197ef58n,
    0xbc73955be519be31n,
    0x3c6a2d4b50a2cff7n,
    0xbc5a2ca2bba78e86n,
    0x3c44b61d9bbcc940n,
    0xbc2ba022e8d82a87n,
    0x3c107f8e2c8707a1n,
    0xbbf07a5416264aecn,
    0x3bc892450bad44c4n,
    0xbba3be9a4460fe00n,
    0x3b873f9f2d2fda99n,
    0xbb5eca68e2c1ba2en,
    0xbabf0b21acfa52abn,
    0xba8e0a4c47ae75f5n,
    0x3ae5c7f1fd871496n,
    0xbab5a71b5f7d9035n,
  ],
  [
    0x0n,
    0x3ff0000000000000n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
    0x0n,
  ],
];

const view = new DataView(new ArrayBuffer(8));

function fromBits(bits: bigint): number {
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

function toBits(value: number): bigint {
  view.setFloat64(0, value);
  return view.getBigUint64(0);
}

const coefficients: readonly (readonly number[])[] = table.map((row) => row.map(fromBits));

/** value = mantissa · 2^exponent, exactly (finite doubles only). */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const bits = toBits(value);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biased === 0) return { mantissa: sign * fraction, exponent: -1074 };
  return { mantissa: sign * (fraction | 0x10000000000000n), exponent: biased - 1075 };
}

function bitLength(value: bigint): number {
  return value.toString(2).length;
}

/** a·b + c rounded once to the nearest double (ties to even), as a hardware fused multiply-add. */
export function fusedMultiplyAdd(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  const x = decompose(a);
  const y = decompose(b);
  const z = decompose(c);
  const productExponent = x.exponent + y.exponent;
  const exponent = Math.min(productExponent, z.exponent);
  const sum =
    ((x.mantissa * y.mantissa) << BigInt(productExponent - exponent)) +
    (z.mantissa << BigInt(z.exponent - exponent));
  if (sum === 0n) return a * b + c;
  const negative = sum < 0n;
  let magnitude = negative ? -sum : sum;
  let scale = exponent;
  const length = bitLength(magnitude);
  let shift = length - 53;
  // Results below the normal range keep fewer bits; not reached by tanh's coefficients, but kept exact.
  if (scale + shift < -1074) shift = -1074 - scale;
  if (shift > 0) {
    const remainder = magnitude & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    magnitude >>= BigInt(shift);
    if (remainder > half || (remainder === half && (magnitude & 1n) === 1n)) magnitude += 1n;
    scale += shift;
  }
  let result = Number(magnitude);
  // Multiply by 2^scale in steps that stay exact.
  while (scale > 0) {
    const step = Math.min(scale, 1000);
    result *= 2 ** step;
    scale -= step;
  }
  while (scale < 0) {
    const step = Math.max(scale, -1000);
    result *= 2 ** step;
    scale -= step;
  }
  return negative ? -result : result;
}

/** numpy's `np.tanh` of one float64, bit for bit with its SIMD kernel. */
export function numpyTanh(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const bits = toBits(x);
  const high = Number((bits >> 32n) & 0x7ff80000n);
  // |x| > HUGE_THRESHOLD (and infinities): ±1.
  const sign = bits >> 63n === 1n;
  if (high > 0x7fe00000) return sign ? -1 : 1;
  const index = Math.min(Math.max(high - 0x3fc00000, 0), 0x780000) >>> 19;
  const row = coefficients[index]!;
  const y = Math.abs(x) - row[0]!;
  let r = fusedMultiplyAdd(row[17]!, y, row[16]!);
  for (let k = 15; k >= 1; k -= 1) r = fusedMultiplyAdd(r, y, row[k]!);
  // numpy ORs the sign bit of x into the result.
  return sign ? -Math.abs(r) : r === 0 ? 0 : r;
}
