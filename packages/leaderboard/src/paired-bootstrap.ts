/*
 * The paired bootstrap that the comparison page shows between two runs of one task.
 *
 * Input: the samples both runs scored, each with its primary-metric value in run A (`a`) and run B (`b`). With
 * the per-sample differences d_i = b_i − a_i and their mean d̄ (the `difference`, B − A):
 *
 * - Interval: draw `resamples` bootstrap samples of n indices uniformly with replacement (one seeded PRNG,
 *   mulberry32), take the mean difference m*_r of each; the 95 % interval is the 2.5th and 97.5th percentile of
 *   the m*_r (linear interpolation between order statistics, numpy's default: the q-quantile of sorted x_0…x_{B−1}
 *   is x_h interpolated at h = (B − 1)·q).
 * - p-value (two-sided): the paired bootstrap under the null hypothesis of no difference resamples the centred
 *   differences d_i − d̄. The mean of a resample of the centred differences is m*_r − d̄ for the same draw of
 *   indices, so the same draws serve both: p = (1 + #{r : |m*_r − d̄| ≥ |d̄|}) / (B + 1). It is never 0: its
 *   smallest value is 1 / (B + 1).
 *
 * Speed: drawing n indices per resample costs B·n steps (0.5 s for 5 000 samples on a busy 2-core machine). When
 * the differences take few distinct values (a 0/1 metric gives −1, 0 and 1) and n is large, a resample is drawn as
 * its counts of each value instead, a multinomial draw made of conditional binomial draws (exact inversion from
 * the mode): the same distribution of resampled means, in B·(k − 1)·O(√n) steps. Both ways are seeded and
 * deterministic; they give different draws, so the way is part of the result (`method`).
 */

/** One sample both runs scored: its value in run A and in run B. */
export interface ScorePair {
  a: number;
  b: number;
}

export interface PairedBootstrapOptions {
  /** Bootstrap resamples; default 10 000. */
  resamples?: number;
  /** Seed of the PRNG: the same pairs, resamples and seed give the same result. Default 0. */
  seed?: number;
}

/** What the paired bootstrap found; `n` is 0 (and every number null) when no sample was scored by both runs. */
export interface PairedBootstrapResult {
  /** Samples both runs scored. */
  n: number;
  /** Mean of run A's values, of run B's values; null when n = 0. */
  meanA: number | null;
  meanB: number | null;
  /** Mean of the per-sample differences b − a (= meanB − meanA); null when n = 0. */
  difference: number | null;
  /** 95 % percentile bootstrap interval of the mean difference; null when n = 0. */
  interval: [number, number] | null;
  /** Two-sided paired-bootstrap p-value of "no difference"; null when n = 0. */
  pValue: number | null;
  resamples: number;
  seed: number;
  /**
   * How resamples were drawn: `indices` (n uniform indices each), `counts` (a multinomial draw of the counts of
   * each distinct difference: few distinct values, n ≥ 256); null when n = 0.
   */
  method: 'indices' | 'counts' | null;
  /** Why there is no estimate (n = 0), else null. */
  note: string | null;
}

export const noPairedSamplesNote = 'no samples both runs scored';

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The q-quantile (0 ≤ q ≤ 1) of ascending `sorted`, interpolated linearly at h = (length − 1)·q. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const low = Math.floor(h);
  const high = Math.min(low + 1, sorted.length - 1);
  const lowValue = sorted[low] as number;
  return lowValue + (h - low) * ((sorted[high] as number) - lowValue);
}

/** The resampled means of the differences, in draw order (exported for tests that recompute the interval). */
export function bootstrapMeans(
  differences: ArrayLike<number>,
  resamples: number,
  seed: number,
): Float64Array {
  const n = differences.length;
  const random = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[Math.floor(random() * n)] as number;
    means[r] = sum / n;
  }
  return means;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < 9; i++) sum += (c[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** One Binomial(trials, p) draw by inversion, searching outward from the mode (O(√(trials·p·(1−p))) steps). */
export function binomialDraw(trials: number, p: number, random: () => number): number {
  if (trials === 0 || p <= 0) return 0;
  if (p >= 1) return trials;
  const mode = Math.min(trials, Math.floor((trials + 1) * p));
  const ratio = p / (1 - p);
  const atMode = Math.exp(
    logGamma(trials + 1) -
      logGamma(mode + 1) -
      logGamma(trials - mode + 1) +
      mode * Math.log(p) +
      (trials - mode) * Math.log1p(-p),
  );
  const u = random();
  let cumulative = atMode;
  if (u < cumulative) return mode;
  // pmf(x+1) = pmf(x)·(trials−x)/(x+1)·p/(1−p); pmf(x−1) = pmf(x)·x/(trials−x+1)·(1−p)/p.
  let up = mode;
  let upMass = atMode;
  let down = mode;
  let downMass = atMode;
  while (up < trials || down > 0) {
    if (up < trials) {
      upMass *= ((trials - up) / (up + 1)) * ratio;
      up++;
      cumulative += upMass;
      if (u < cumulative) return up;
    }
    if (down > 0) {
      downMass *= down / (trials - down + 1) / ratio;
      down--;
      cumulative += downMass;
      if (u < cumulative) return down;
    }
  }
  // Only rounding leaves u above the total mass: the last value reached.
  return up < trials ? up : down;
}

/** Differences with at most this many distinct values, and at least `countsFromSamples` of them, are resampled as counts. */
const countsMaxDistinct = 32;
const countsFromSamples = 256;

/** The resampled means drawn as multinomial counts of each distinct difference (see the top of this file). */
export function bootstrapMeansByCounts(
  differences: ArrayLike<number>,
  resamples: number,
  seed: number,
): Float64Array {
  const n = differences.length;
  const tally = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const d = differences[i] as number;
    tally.set(d, (tally.get(d) ?? 0) + 1);
  }
  const values = [...tally.keys()].sort((x, y) => x - y);
  const counts = values.map((value) => tally.get(value) as number);
  const random = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let left = n;
    let leftWeight = n;
    let sum = 0;
    for (let j = 0; j < values.length - 1 && left > 0; j++) {
      const weight = counts[j] as number;
      const drawn = binomialDraw(left, weight / leftWeight, random);
      sum += drawn * (values[j] as number);
      left -= drawn;
      leftWeight -= weight;
    }
    sum += left * (values[values.length - 1] as number);
    means[r] = sum / n;
  }
  return means;
}

/** The paired bootstrap of B − A over `pairs`: see the comment at the top of this file. */
export function pairedBootstrap(
  pairs: readonly ScorePair[],
  options: PairedBootstrapOptions = {},
): PairedBootstrapResult {
  const resamples = options.resamples ?? 10_000;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  }
  const n = pairs.length;
  if (n === 0) {
    return {
      n: 0,
      meanA: null,
      meanB: null,
      difference: null,
      interval: null,
      pValue: null,
      resamples,
      seed,
      method: null,
      note: noPairedSamplesNote,
    };
  }
  let sumA = 0;
  let sumB = 0;
  const differences = new Float64Array(n);
  pairs.forEach((pair, i) => {
    sumA += pair.a;
    sumB += pair.b;
    differences[i] = pair.b - pair.a;
  });
  const difference = differences.reduce((sum, d) => sum + d, 0) / n;
  const distinct = new Set(differences).size;
  const method: PairedBootstrapResult['method'] =
    n >= countsFromSamples && distinct <= countsMaxDistinct ? 'counts' : 'indices';
  const means =
    method === 'counts'
      ? bootstrapMeansByCounts(differences, resamples, seed)
      : bootstrapMeans(differences, resamples, seed);
  // Sums of equal terms in another order differ in the last bits: a resample as extreme as the observed mean
  // must not be missed for that.
  const tolerance = 1e-12 * Math.max(1, Math.abs(difference));
  let extreme = 0;
  for (const mean of means) if (Math.abs(mean - difference) >= Math.abs(difference) - tolerance) extreme++;
  means.sort();
  return {
    n,
    meanA: sumA / n,
    meanB: sumB / n,
    difference,
    interval: [quantileOfSorted(means, 0.025), quantileOfSorted(means, 0.975)],
    pValue: (1 + extreme) / (resamples + 1),
    resamples,
    seed,
    method,
    note: null,
  };
}
