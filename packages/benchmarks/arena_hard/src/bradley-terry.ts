import { NumpyLegacyRandom } from './numpy-random.js';

/** Outcome of one battle, baseline as `model_a`, the evaluated model as `model_b` (show_result's battles). */
export type BattleWinner = 'model_a' | 'model_b' | 'tie';

/** Style of one answer: arena-hard-auto's `conv_metadata` (token_len and markdown element counts). */
export interface AnswerStyle {
  /** tiktoken `cl100k_base` tokens of the answer. */
  tokenLength: number;
  /** Markdown headers (h1-h6), lists (ordered and unordered) and bold spans, outside code blocks. */
  headerCount: number;
  listCount: number;
  boldCount: number;
}

/** One battle row, as show_result's `get_battles_from_row` emits it (weighted verdicts repeat the row). */
export interface Battle {
  winner: BattleWinner;
  /** The baseline's and the model's answer style, for style control. */
  style?: { baseline: AnswerStyle; model: AnswerStyle };
}

const scale = 400;
const base = 10;
const initialRating = 1000;
/** compute_mle_elo anchors the baseline at 1000; fit_bt (style control) at 1114. */
const plainAnchor = 1000;
const styleAnchor = 1114;
const logBase = Math.log(base);

/**
 * Python's `round(value, digits)`: the double's exact decimal value rounded half to even (JavaScript's
 * `toFixed` rounds exact halves up).
 */
export function pythonRound(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const exact = Math.abs(value).toFixed(100);
  const point = exact.indexOf('.');
  const kept = exact.slice(0, point + 1 + digits);
  const rest = exact.slice(point + 1 + digits);
  let rounded = Number(kept);
  const unit = 10 ** -digits;
  const half = /^50*$/.test(rest);
  const lastDigit = Number(kept.replace('.', '').at(-1));
  if (rest[0]! > '5' || (rest[0] === '5' && !half) || (half && lastDigit % 2 === 1)) {
    rounded = Number((Number(kept) + unit).toFixed(digits));
  }
  return value < 0 ? -rounded : rounded;
}

function lerp(low: number, high: number, fraction: number): number {
  if (low === high) return low;
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    if (fraction === 0) return low;
    if (fraction === 1) return high;
    return low === Number.NEGATIVE_INFINITY ? low : high === Number.POSITIVE_INFINITY ? high : Number.NaN;
  }
  // numpy's _lerp: the second form from the upper end when fraction >= 0.5.
  const difference = high - low;
  return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction;
}

/** `np.percentile(values, percent)` with numpy's default linear method. */
export function numpyPercentile(values: readonly number[], percent: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = (sorted.length - 1) * (percent / 100);
  const below = Math.floor(index);
  const above = Math.min(below + 1, sorted.length - 1);
  return lerp(sorted[below]!, sorted[above]!, index - below);
}

/** pandas `groupby(...).quantile(q)` (linear): `low + (high - low) * fraction`. */
export function pandasQuantile(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = quantile * (sorted.length - 1);
  const below = Math.floor(index);
  const fraction = index - below;
  if (fraction === 0 || below + 1 >= sorted.length) return sorted[below]!;
  return sorted[below]! + (sorted[below + 1]! - sorted[below]!) * fraction;
}

/** show_result's `predict_win_rate`: the chance that a model rated `rating` beats one rated `baselineRating`. */
export function winRateAgainst(rating: number, baselineRating: number): number {
  return 1 / (1 + base ** ((baselineRating - rating) / scale));
}

/**
 * The evaluated model's rating from `compute_mle_elo` on battles that all pit the baseline (model_a)
 * against one model (model_b): scikit-learn's unpenalised logistic regression on the battles written twice
 * (a tie counts once for each side), scale 400, base 10, initial rating 1000, baseline anchored at 1000.
 * With two models the maximum-likelihood fit has a closed form, which the reference's lbfgs approaches
 * (tol 1e-8): the baseline's coefficient is minus the model's, their difference the logit of the share
 * of rows the baseline wins, divided by ln 10.
 */
export function plainModelRating(battles: readonly Battle[]): number {
  let baselineRows = 0;
  for (const battle of battles) {
    if (battle.winner === 'model_a') baselineRows += 2;
    else if (battle.winner === 'tie') baselineRows += 1;
  }
  const share = baselineRows / (2 * battles.length);
  const difference = Math.log(share / (1 - share)) / logBase;
  const baselineElo = scale * (difference / 2) + initialRating;
  const modelElo = scale * (-difference / 2) + initialRating;
  return modelElo + (plainAnchor - baselineElo);
}

/** The style features of show_result's style control, standardised over the battles. */
export interface StyleMatrix {
  /** Per battle: token, header, list and bold ratio differences (baseline minus model), standardised. */
  features: number[][];
  winners: BattleWinner[];
  /** Features (0 tokens, 1 headers, 2 lists, 3 bold) equal in every battle, left at 0 (see below). */
  constantFeatures: number[];
}

/**
 * `construct_style_matrices` with its defaults: per element, (baseline − model) / (baseline + model + 1),
 * then centred and divided by the population standard deviation over the battles.
 */
export function constructStyleMatrix(battles: readonly Battle[]): StyleMatrix {
  const raw = battles.map((battle) => {
    if (battle.style === undefined)
      throw new Error('style control needs the style of both answers of every battle');
    const { baseline, model } = battle.style;
    const pairs: [number, number][] = [
      [baseline.tokenLength, model.tokenLength],
      [baseline.headerCount, model.headerCount],
      [baseline.listCount, model.listCount],
      [baseline.boldCount, model.boldCount],
    ];
    return pairs.map(([a, b]) => (a - b) / (a + b + 1));
  });
  const columns = 4;
  const means: number[] = [];
  const deviations: number[] = [];
  for (let column = 0; column < columns; column++) {
    // numpy's mean and std over the duplicated rows: the duplicates change neither, only the summation.
    const values = raw.flatMap((row) => [row[column]!, row[column]!]);
    const mean = pairwiseSum(values) / values.length;
    const variance = pairwiseSum(values.map((value) => Math.abs(value - mean) ** 2)) / values.length;
    means.push(mean);
    deviations.push(Math.sqrt(variance));
  }
  // A feature equal in every battle has no spread: the reference divides by 0 and its fit fails on the NaN
  // features; here the feature is left at 0, so that it takes no part in the fit (its coefficient stays 0).
  const constant = deviations.map((deviation) => !(deviation > 0));
  return {
    features: raw.map((row) =>
      row.map((value, column) => (constant[column] ? 0 : (value - means[column]!) / deviations[column]!)),
    ),
    winners: battles.map((battle) => battle.winner),
    constantFeatures: constant.flatMap((isConstant, column) => (isConstant ? [column] : [])),
  };
}

/** numpy's pairwise summation (blocks of 8 unrolled, split in halves above 128 elements). */
function pairwiseSum(values: readonly number[], start = 0, length = values.length): number {
  if (length < 8) {
    let sum = 0;
    for (let index = start; index < start + length; index++) sum += values[index]!;
    return sum;
  }
  if (length <= 128) {
    const partial = [0, 1, 2, 3, 4, 5, 6, 7].map((offset) => values[start + offset]!);
    let index = 8;
    for (; index < length - (length % 8); index += 8) {
      for (let offset = 0; offset < 8; offset++)
        partial[offset] = partial[offset]! + values[start + index + offset]!;
    }
    let sum =
      partial[0]! +
      partial[1]! +
      (partial[2]! + partial[3]!) +
      (partial[4]! + partial[5]! + (partial[6]! + partial[7]!));
    for (; index < length; index++) sum += values[start + index]!;
    return sum;
  }
  let half = Math.floor(length / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, length - half);
}

interface WeightedRow {
  features: readonly number[];
  /** 1 when the baseline wins the row. */
  outcome: number;
  weight: number;
}

/**
 * Rows of the style fit for a set of battles (by index, repeats allowed): a decisive battle gives two
 * identical rows, a tie one row the baseline wins and one it loses, as the reference's duplicated matrix.
 */
function styleRows(matrix: StyleMatrix, indices: readonly number[]): WeightedRow[] {
  const counts = new Map<number, number>();
  for (const index of indices) counts.set(index, (counts.get(index) ?? 0) + 1);
  const rows: WeightedRow[] = [];
  for (const [index, count] of counts) {
    const features = [logBase, ...matrix.features[index]!];
    const winner = matrix.winners[index];
    if (winner === 'tie') {
      rows.push({ features, outcome: 1, weight: count }, { features, outcome: 0, weight: count });
    } else {
      rows.push({ features, outcome: winner === 'model_a' ? 1 : 0, weight: 2 * count });
    }
  }
  return rows;
}

function solve(matrix: number[][], vector: number[]): number[] {
  const size = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) {
      if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    }
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    for (let row = column + 1; row < size; row++) {
      const factor = a[row]![column]! / a[column]![column]!;
      for (let k = column; k <= size; k++) a[row]![k] = a[row]![k]! - factor * a[column]![k]!;
    }
  }
  const solution = new Array<number>(size).fill(0);
  for (let row = size - 1; row >= 0; row--) {
    let sum = a[row]![size]!;
    for (let k = row + 1; k < size; k++) sum -= a[row]![k]! * solution[k]!;
    solution[row] = sum / a[row]![row]!;
  }
  return solution;
}

const logSigmoid = (z: number) => (z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z)));
const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * `fit_bt`: scikit-learn's `LogisticRegression(fit_intercept=False)` (L2 penalty, C = 1) on the model
 * columns and the style features, solved exactly by Newton's method. The baseline's and the model's
 * columns are opposite in every row, so the penalty splits their difference evenly (each ±δ/2); the fit
 * runs on δ with penalty δ²/4 and the style coefficients with ½‖s‖². Returns the model's rating with the
 * baseline anchored at 1114 and the style coefficients.
 */
export function fitStyleBradleyTerry(
  matrix: StyleMatrix,
  indices: readonly number[] = matrix.winners.map((_, index) => index),
): { modelRating: number; styleCoefficients: number[] } {
  const rows = styleRows(matrix, indices);
  const size = 5;
  const penalty = [0.5, 1, 1, 1, 1];
  let theta = new Array<number>(size).fill(0);
  const objective = (candidate: number[]) => {
    let value = 0;
    for (const row of rows) {
      const z = row.features.reduce((sum, feature, index) => sum + feature * candidate[index]!, 0);
      value -= row.weight * (row.outcome * logSigmoid(z) + (1 - row.outcome) * logSigmoid(-z));
    }
    return (
      value + 0.5 * candidate.reduce((sum, coefficient, index) => sum + penalty[index]! * coefficient ** 2, 0)
    );
  };
  let current = objective(theta);
  for (let iteration = 0; iteration < 100; iteration++) {
    const gradient = theta.map((coefficient, index) => penalty[index]! * coefficient);
    const hessian = penalty.map((value, row) => penalty.map((_, column) => (row === column ? value : 0)));
    for (const row of rows) {
      const z = row.features.reduce((sum, feature, index) => sum + feature * theta[index]!, 0);
      const probability = sigmoid(z);
      const curvature = row.weight * probability * (1 - probability);
      for (let i = 0; i < size; i++) {
        gradient[i] = gradient[i]! + row.weight * (probability - row.outcome) * row.features[i]!;
        for (let j = 0; j < size; j++)
          hessian[i]![j] = hessian[i]![j]! + curvature * row.features[i]! * row.features[j]!;
      }
    }
    const step = solve(hessian, gradient);
    let length = 1;
    let candidate = theta.map((coefficient, index) => coefficient - step[index]!);
    let value = objective(candidate);
    while (value > current && length > 1e-10) {
      length /= 2;
      candidate = theta.map((coefficient, index) => coefficient - length * step[index]!);
      value = objective(candidate);
    }
    const moved = Math.max(...step.map((entry) => Math.abs(entry * length)));
    theta = candidate;
    current = value;
    if (moved < 1e-13) break;
  }
  const difference = theta[0]!;
  const baselineElo = scale * (difference / 2) + initialRating;
  const modelElo = scale * (-difference / 2) + initialRating;
  return { modelRating: modelElo + (styleAnchor - baselineElo), styleCoefficients: theta.slice(1) };
}

/** A score and its bootstrap interval, as win rates against the baseline in percent. */
export interface WinRateEstimate {
  score: number;
  lower: number;
  upper: number;
}

/**
 * show_result (arena-hard-auto v0.1): the model's Bradley-Terry rating, `rounds` bootstrap resamples of the
 * battles (numpy's legacy generator seeded with `seed`, as `np.random.seed(42)` in utils_math), the 2.5th
 * and 97.5th percentiles of the resampled ratings, each turned into a win rate against the baseline and
 * rounded to two decimals as `get_win_rate_column`.
 */
export function plainWinRate(battles: readonly Battle[], rounds: number, seed: number): WinRateEstimate {
  const random = new NumpyLegacyRandom(seed);
  const ratings: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const indices = random.randint(battles.length, battles.length);
    ratings.push(plainModelRating(indices.map((index) => battles[index]!)));
  }
  return toWinRates(plainModelRating(battles), ratings, plainAnchor);
}

/**
 * show_result `--style-control`: `fit_bt` on the style matrix, and `get_bootstrap_result_style_control`
 * (battle indices drawn with `np.random.choice(k, k)`, the standardisation kept from the full set).
 */
export function styleControlledWinRate(
  matrix: StyleMatrix,
  rounds: number,
  seed: number,
): WinRateEstimate & { styleCoefficients: number[] } {
  const random = new NumpyLegacyRandom(seed);
  const count = matrix.winners.length;
  const ratings: number[] = [];
  for (let round = 0; round < rounds; round++) {
    ratings.push(fitStyleBradleyTerry(matrix, random.randint(count, count)).modelRating);
  }
  const fit = fitStyleBradleyTerry(matrix);
  return { ...toWinRates(fit.modelRating, ratings, styleAnchor), styleCoefficients: fit.styleCoefficients };
}

function toWinRates(rating: number, bootstrap: readonly number[], anchor: number): WinRateEstimate {
  const asPercent = (value: number) => pythonRound(winRateAgainst(value, anchor) * 100, 2);
  return {
    score: asPercent(rating),
    lower: asPercent(numpyPercentile(bootstrap, 2.5)),
    upper: asPercent(numpyPercentile(bootstrap, 97.5)),
  };
}

/**
 * show_result (arena-hard-auto v2.0) without style control: each battle scores the model 1, 0.5 or 0;
 * `rounds` resamples of the battles (pandas `sample(frac=1.0, replace=True)`), the score the mean of the
 * resampled means and the interval their 5th and 95th quantiles, in percent, rounded to one decimal.
 */
export function meanScoreWinRate(scores: readonly number[], rounds: number, seed: number): WinRateEstimate {
  const random = new NumpyLegacyRandom(seed);
  const means: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const indices = random.randint(scores.length, scores.length);
    means.push(indices.reduce((sum, index) => sum + scores[index]!, 0) / indices.length);
  }
  const percent = (value: number) => pythonRound(value * 100, 1);
  return {
    score: percent(means.reduce((sum, value) => sum + value, 0) / means.length),
    lower: percent(pandasQuantile(means, 0.05)),
    upper: percent(pandasQuantile(means, 0.95)),
  };
}
