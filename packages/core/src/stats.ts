/**
 * Statistics shared by the runner's default aggregation and by benchmarks with their own (pass@k, repeats).
 * Pure functions; kept in core so that every plugin computes them the same way.
 */

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sample standard deviation (n − 1 in the denominator), as lm-evaluation-harness's `sample_stddev`. */
export function sampleStandardDeviation(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const average = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - average) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** Standard error of the mean, as lm-evaluation-harness's `mean_stderr`: sample stddev / √n. */
export function standardErrorOfMean(values: readonly number[]): number {
  return sampleStandardDeviation(values) / Math.sqrt(values.length);
}

/**
 * Unbiased pass@k estimator of Chen et al. (2021): 1 − C(n−c, k) / C(n, k) for n samples of which c are
 * correct, computed as a product for numerical stability.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass@${k} needs at least ${k} samples, got ${n}`);
  if (n - c < k) return 1;
  let failAll = 1;
  for (let i = n - c + 1; i <= n; i++) failAll *= 1 - k / i;
  return 1 - failAll;
}
