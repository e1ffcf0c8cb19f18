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
  const means = bootstrapMeans(differences, resamples, seed);
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
    note: null,
  };
}
