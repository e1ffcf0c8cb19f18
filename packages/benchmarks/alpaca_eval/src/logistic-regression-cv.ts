import { pairwiseSum } from './alpaca-eval-metrics.js';

// What alpaca_eval's `fit_LogisticRegressionCV(..., is_ytrue_proba=True, n_splits=5)` runs in scikit-learn:
// LogisticRegressionCV(cv=GroupKFold(5), Cs=10, penalty="l1", solver="liblinear", fit_intercept=False,
// random_state=123, tol=1e-4, max_iter=100, refit=True) on the rows duplicated once with label 1 (sample
// weight p·w) and once with label 0 (weight (1−p)·w), scored by alpaca_eval's weighted log loss of the soft
// label. Reimplemented step by step so the coefficients come out the same: liblinear's L1-regularised
// logistic regression (newGLMNET, `solve_l1r_lr` as scikit-learn ships it, with its per-instance weights and
// its Mersenne-Twister `bounded_rand_int`), numpy's argsort and scikit-learn's GroupKFold.

/** `np.logspace(-4, 4, 10)`, LogisticRegressionCV's default `Cs=10`, as numpy computes them. */
export const defaultCs: readonly number[] = [
  9.999999999999999e-5, 0.000774263682681127, 0.005994842503189409, 0.046415888336127774, 0.3593813663804626,
  2.782559402207126, 21.54434690031882, 166.81005372000556, 1291.5496650148827, 10000.0,
];

/**
 * The seed scikit-learn's `_fit_liblinear` hands liblinear for `random_state=123`:
 * `np.random.RandomState(123).randint(np.iinfo("i").max)` (computed once with numpy 1.24: 843828734).
 */
export const liblinearSeed = 843828734;

/** `std::mt19937` seeded with `seed` (scikit-learn's `newrand.h`), and its `bounded_rand_int`. */
class Mt19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i += 1) {
      const previous = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
  }

  next(): number {
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

  /** Lemire's bounded integer in [0, range), as scikit-learn's `bounded_rand_int`. */
  boundedInt(range: number): number {
    const r = BigInt(range >>> 0);
    let m = BigInt(this.next()) * r;
    let low = Number(m & 0xffffffffn);
    if (low < range) {
      let t = (2 ** 32 - range) % 2 ** 32;
      if (t >= range) {
        t -= range;
        if (t >= range) t %= range;
      }
      while (low < t) {
        m = BigInt(this.next()) * r;
        low = Number(m & 0xffffffffn);
      }
    }
    return Number(m >> 32n);
  }
}

/** One column of the transposed problem: the instances (0-based) with a non-zero value, in order. */
interface Column {
  index: number[];
  value: number[];
}

/**
 * liblinear's `solve_l1r_lr` (scikit-learn's copy): coordinate-descent Newton for
 * min ‖w‖₁ + Σᵢ Cᵢ log(1 + exp(−yᵢ wᵀxᵢ)).
 */
function solveL1rLr(
  columns: readonly Column[],
  y: readonly number[],
  C: readonly number[],
  eps: number,
  maxNewtonIter: number,
  random: Mt19937,
): number[] {
  const l = y.length;
  const wSize = columns.length;
  const maxIter = 1000;
  const maxNumLinesearch = 20;
  const nu = 1e-12;
  const sigma = 0.01;
  let innerEps = 1;
  let gnorm1Init = -1;
  let gmaxOld = Number.POSITIVE_INFINITY;
  let qpNoChange = 0;
  let newtonIter = 0;
  let iter = 0;

  const w = new Array<number>(wSize).fill(0);
  const index = Array.from({ length: wSize }, (_, j) => j);
  const hdiag = new Array<number>(wSize).fill(0);
  const grad = new Array<number>(wSize).fill(0);
  const wpd = new Array<number>(wSize).fill(0);
  const xjnegSum = new Array<number>(wSize).fill(0);
  const xTd = new Array<number>(l).fill(0);
  const expWTx = new Array<number>(l).fill(0);
  const expWTxNew = new Array<number>(l).fill(0);
  const tau = new Array<number>(l).fill(0);
  const D = new Array<number>(l).fill(0);

  let wNorm = 0;
  for (let j = 0; j < wSize; j += 1) {
    wNorm += Math.abs(w[j]!);
    wpd[j] = w[j]!;
    xjnegSum[j] = 0;
    const column = columns[j]!;
    for (let k = 0; k < column.index.length; k += 1) {
      const ind = column.index[k]!;
      const value = column.value[k]!;
      expWTx[ind] = expWTx[ind]! + w[j]! * value;
      if (y[ind] === -1) xjnegSum[j] = xjnegSum[j]! + C[ind]! * value;
    }
  }
  for (let i = 0; i < l; i += 1) {
    expWTx[i] = Math.exp(expWTx[i]!);
    const tauTmp = 1 / (1 + expWTx[i]!);
    tau[i] = C[i]! * tauTmp;
    D[i] = C[i]! * expWTx[i]! * tauTmp * tauTmp;
  }

  while (newtonIter < maxNewtonIter) {
    let gmaxNew = 0;
    let gnorm1New = 0;
    let activeSize = wSize;
    for (let s = 0; s < activeSize; s += 1) {
      const j = index[s]!;
      hdiag[j] = nu;
      grad[j] = 0;
      let tmp = 0;
      const column = columns[j]!;
      for (let k = 0; k < column.index.length; k += 1) {
        const ind = column.index[k]!;
        const value = column.value[k]!;
        hdiag[j] = hdiag[j]! + value * value * D[ind]!;
        tmp += value * tau[ind]!;
      }
      grad[j] = -tmp + xjnegSum[j]!;
      const gp = grad[j]! + 1;
      const gn = grad[j]! - 1;
      let violation = 0;
      if (w[j] === 0) {
        if (gp < 0) violation = -gp;
        else if (gn > 0) violation = gn;
        else if (gp > gmaxOld / l && gn < -gmaxOld / l) {
          activeSize -= 1;
          [index[s], index[activeSize]] = [index[activeSize]!, index[s]!];
          s -= 1;
          continue;
        }
      } else if (w[j]! > 0) violation = Math.abs(gp);
      else violation = Math.abs(gn);
      gmaxNew = Math.max(gmaxNew, violation);
      gnorm1New += violation;
    }
    if (newtonIter === 0) gnorm1Init = gnorm1New;
    if (gnorm1New <= eps * gnorm1Init || qpNoChange >= 10) break;
    qpNoChange += 1;

    iter = 0;
    let qpGmaxOld = Number.POSITIVE_INFINITY;
    let qpActiveSize = activeSize;
    xTd.fill(0);
    while (iter < maxIter) {
      let qpGmaxNew = 0;
      let qpGnorm1New = 0;
      for (let j = 0; j < qpActiveSize; j += 1) {
        const i = j + random.boundedInt(qpActiveSize - j);
        [index[i], index[j]] = [index[j]!, index[i]!];
      }
      for (let s = 0; s < qpActiveSize; s += 1) {
        const j = index[s]!;
        const H = hdiag[j]!;
        const column = columns[j]!;
        let G = grad[j]! + (wpd[j]! - w[j]!) * nu;
        for (let k = 0; k < column.index.length; k += 1) {
          const ind = column.index[k]!;
          G += column.value[k]! * D[ind]! * xTd[ind]!;
        }
        const gp = G + 1;
        const gn = G - 1;
        let violation = 0;
        if (wpd[j] === 0) {
          if (gp < 0) violation = -gp;
          else if (gn > 0) violation = gn;
          else if (gp > qpGmaxOld / l && gn < -qpGmaxOld / l) {
            qpActiveSize -= 1;
            [index[s], index[qpActiveSize]] = [index[qpActiveSize]!, index[s]!];
            s -= 1;
            continue;
          }
        } else if (wpd[j]! > 0) violation = Math.abs(gp);
        else violation = Math.abs(gn);

        let z: number;
        if (gp < H * wpd[j]!) z = -gp / H;
        else if (gn > H * wpd[j]!) z = -gn / H;
        else z = -wpd[j]!;
        if (Math.abs(z) < 1.0e-12) continue;
        z = Math.min(Math.max(z, -10.0), 10.0);

        qpNoChange = 0;
        qpGmaxNew = Math.max(qpGmaxNew, violation);
        qpGnorm1New += violation;
        wpd[j] = wpd[j]! + z;
        for (let k = 0; k < column.index.length; k += 1) {
          const ind = column.index[k]!;
          xTd[ind] = xTd[ind]! + column.value[k]! * z;
        }
      }
      iter += 1;
      if (qpGnorm1New <= innerEps * gnorm1Init) {
        if (qpActiveSize === activeSize) break;
        qpActiveSize = activeSize;
        qpGmaxOld = Number.POSITIVE_INFINITY;
        continue;
      }
      qpGmaxOld = qpGmaxNew;
    }

    let delta = 0;
    let wNormNew = 0;
    for (let j = 0; j < wSize; j += 1) {
      delta += grad[j]! * (wpd[j]! - w[j]!);
      if (wpd[j] !== 0) wNormNew += Math.abs(wpd[j]!);
    }
    delta += wNormNew - wNorm;
    let negsumXTd = 0;
    for (let i = 0; i < l; i += 1) if (y[i] === -1) negsumXTd += C[i]! * xTd[i]!;

    let numLinesearch = 0;
    for (; numLinesearch < maxNumLinesearch; numLinesearch += 1) {
      let cond = wNormNew - wNorm + negsumXTd - sigma * delta;
      for (let i = 0; i < l; i += 1) {
        const expXTd = Math.exp(xTd[i]!);
        expWTxNew[i] = expWTx[i]! * expXTd;
        cond += C[i]! * Math.log((1 + expWTxNew[i]!) / (expXTd + expWTxNew[i]!));
      }
      if (cond <= 0) {
        wNorm = wNormNew;
        for (let j = 0; j < wSize; j += 1) w[j] = wpd[j]!;
        for (let i = 0; i < l; i += 1) {
          expWTx[i] = expWTxNew[i]!;
          const tauTmp = 1 / (1 + expWTx[i]!);
          tau[i] = C[i]! * tauTmp;
          D[i] = C[i]! * expWTx[i]! * tauTmp * tauTmp;
        }
        break;
      }
      wNormNew = 0;
      for (let j = 0; j < wSize; j += 1) {
        wpd[j] = (w[j]! + wpd[j]!) * 0.5;
        if (wpd[j] !== 0) wNormNew += Math.abs(wpd[j]!);
      }
      delta *= 0.5;
      negsumXTd *= 0.5;
      for (let i = 0; i < l; i += 1) xTd[i] = xTd[i]! * 0.5;
    }
    if (numLinesearch >= maxNumLinesearch) {
      expWTx.fill(0);
      for (let j = 0; j < wSize; j += 1) {
        if (w[j] === 0) continue;
        const column = columns[j]!;
        for (let k = 0; k < column.index.length; k += 1) {
          const ind = column.index[k]!;
          expWTx[ind] = expWTx[ind]! + w[j]! * column.value[k]!;
        }
      }
      for (let i = 0; i < l; i += 1) expWTx[i] = Math.exp(expWTx[i]!);
    }
    if (iter === 1) innerEps *= 0.25;
    newtonIter += 1;
    gmaxOld = gmaxNew;
  }
  return w;
}

/**
 * scikit-learn's `_fit_liblinear` for binary L1 logistic regression without intercept: labels 0/1 (label 1
 * is liblinear's positive class), instance weights (zero-weight instances removed, as liblinear does), C,
 * tolerance and Newton-iteration cap. Returns the coefficients of label 1.
 */
export function fitLiblinearL1(
  features: readonly (readonly number[])[],
  labels: readonly number[],
  sampleWeight: readonly number[],
  C: number,
  settings: { tol?: number; maxIter?: number; seed?: number } = {},
): number[] {
  const tol = settings.tol ?? 1e-4;
  const maxIter = settings.maxIter ?? 100;
  const random = new Mt19937(settings.seed ?? liblinearSeed);
  const kept: number[] = [];
  for (let i = 0; i < labels.length; i += 1) if (sampleWeight[i]! > 0) kept.push(i);
  // group_classes: the lower label's instances first (−1), then the other's (+1), each in input order.
  const order = [...kept.filter((i) => labels[i] === 0), ...kept.filter((i) => labels[i] !== 0)];
  const l = order.length;
  const nFeatures = features[0]?.length ?? 0;
  const y = order.map((i) => (labels[i] === 0 ? -1 : 1));
  const Cs = order.map((i) => sampleWeight[i]! * C);
  const columns: Column[] = Array.from({ length: nFeatures }, () => ({ index: [], value: [] }));
  order.forEach((i, position) => {
    const row = features[i]!;
    for (let j = 0; j < nFeatures; j += 1) {
      if (row[j] !== 0) {
        columns[j]!.index.push(position);
        columns[j]!.value.push(row[j]!);
      }
    }
  });
  const positives = y.filter((label) => label > 0).length;
  const eps = (tol * Math.max(Math.min(positives, l - positives), 1)) / l;
  return solveL1rLr(columns, y, Cs, eps, maxIter, random);
}

/**
 * numpy's default `argsort` (introsort `aquicksort`, without the AVX-512 dispatch of numpy ≥ 1.25 on CPUs
 * that have it) of an integer array.
 */
export function numpyArgsort(values: readonly number[]): number[] {
  const n = values.length;
  const tosort = Array.from({ length: n }, (_, i) => i);
  if (n < 2) return tosort;
  const v = values;
  const swap = (a: number, b: number) => {
    const t = tosort[a]!;
    tosort[a] = tosort[b]!;
    tosort[b] = t;
  };
  const stack: number[] = [];
  const depthStack: number[] = [];
  let pl = 0;
  let pr = n - 1;
  let cdepth = Math.floor(Math.log2(n)) * 2;
  for (;;) {
    if (cdepth < 0) {
      // Heapsort fallback of the sub-range (never reached for the group sizes GroupKFold sorts).
      const slice = tosort.slice(pl, pr + 1).sort((a, b) => v[a]! - v[b]! || a - b);
      for (let k = 0; k < slice.length; k += 1) tosort[pl + k] = slice[k]!;
    } else {
      while (pr - pl > 16) {
        const pm = pl + ((pr - pl) >> 1);
        if (v[tosort[pm]!]! < v[tosort[pl]!]!) swap(pm, pl);
        if (v[tosort[pr]!]! < v[tosort[pm]!]!) swap(pr, pm);
        if (v[tosort[pm]!]! < v[tosort[pl]!]!) swap(pm, pl);
        const vp = v[tosort[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do pi += 1;
          while (v[tosort[pi]!]! < vp);
          do pj -= 1;
          while (vp < v[tosort[pj]!]!);
          if (pi >= pj) break;
          swap(pi, pj);
        }
        const pk = pr - 1;
        swap(pi, pk);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        cdepth -= 1;
        depthStack.push(cdepth);
      }
      for (let pi = pl + 1; pi <= pr; pi += 1) {
        const vi = tosort[pi]!;
        const vpi = v[vi]!;
        let pj = pi;
        let pk = pi - 1;
        while (pj > pl && vpi < v[tosort[pk]!]!) {
          tosort[pj] = tosort[pk]!;
          pj -= 1;
          pk -= 1;
        }
        tosort[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depthStack.pop()!;
  }
  return tosort;
}

/** scikit-learn's GroupKFold: the fold (0 … folds−1) of each sample. */
export function groupKFold(groups: readonly number[], folds: number): number[] {
  const unique = [...new Set(groups)].sort((a, b) => a - b);
  const position = new Map(unique.map((group, index) => [group, index]));
  const inverse = groups.map((group) => position.get(group)!);
  const sizes = new Array<number>(unique.length).fill(0);
  for (const group of inverse) sizes[group] = sizes[group]! + 1;
  const indices = numpyArgsort(sizes).reverse();
  const perFold = new Array<number>(folds).fill(0);
  const groupToFold = new Array<number>(unique.length).fill(0);
  for (const group of indices) {
    let lightest = 0;
    for (let f = 1; f < folds; f += 1) if (perFold[f]! < perFold[lightest]!) lightest = f;
    perFold[lightest] = perFold[lightest]! + sizes[group]!;
    groupToFold[group] = lightest;
  }
  return inverse.map((group) => groupToFold[group]!);
}

function expit(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function dot(row: readonly number[], w: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < row.length; j += 1) sum += row[j]! * w[j]!;
  return sum;
}

/** alpaca_eval's `logloss` of soft labels, weighted: −mean(w·(y log p + (1−y) log(1−p))), p clipped to 1e−15. */
function weightedLogLoss(
  yTrue: readonly number[],
  yPred: readonly number[],
  weight: readonly number[],
): number {
  const terms = yTrue.map((y, i) => {
    const p = Math.min(Math.max(yPred[i]!, 1e-15), 1 - 1e-15);
    return (y * Math.log(p) + (1 - y) * Math.log(1 - p)) * weight[i]!;
  });
  return -(pairwiseSum(terms) / terms.length);
}

/** Settings of `fitLogisticRegressionCV`. */
export interface LogisticRegressionCVSettings {
  /** GroupKFold splits (alpaca_eval: 5). */
  folds: number;
}

/** What the cross-validation chose, with the refitted coefficients. */
export interface LogisticRegressionCVResult {
  coefficients: number[];
  /** The C with the best summed fold score. */
  C: number;
  /** Fold × C scores (negative weighted log loss). */
  scores: number[][];
}

/**
 * alpaca_eval's `fit_LogisticRegressionCV` with soft labels `targets` (in [0, 1]) and row weights `weights`:
 * returns the refitted coefficients (no intercept) and the cross-validation's choices.
 */
export function fitLogisticRegressionCVDetailed(
  features: readonly (readonly number[])[],
  targets: readonly number[],
  weights: readonly number[],
  settings: LogisticRegressionCVSettings,
): LogisticRegressionCVResult {
  const m = features.length;
  // data_dup: every row once with label 1 (true prob p) and once with label 0 (true prob 1 − p).
  const X = [...features, ...features];
  const labels = [...new Array<number>(m).fill(1), ...new Array<number>(m).fill(0)];
  const trueProb = [...targets, ...targets.map((p) => 1 - p)];
  const trueWeight = [...weights, ...weights];
  const sampleWeight = trueProb.map((p, i) => p * trueWeight[i]!);
  const groups = [...features.keys(), ...features.keys()];
  const fold = groupKFold(groups, settings.folds);

  const scores: number[][] = [];
  for (let f = 0; f < settings.folds; f += 1) {
    const train: number[] = [];
    const test: number[] = [];
    fold.forEach((assigned, i) => {
      (assigned === f ? test : train).push(i);
    });
    const foldScores: number[] = [];
    for (const C of defaultCs) {
      const w = fitLiblinearL1(
        train.map((i) => X[i]!),
        train.map((i) => labels[i]!),
        train.map((i) => sampleWeight[i]!),
        C,
      );
      // logloss_continuous: y_test is ±1; the soft label is true_prob for +1 and 1 − true_prob for −1.
      const yTrue = test.map((i) => (labels[i] === 1 ? trueProb[i]! : 1 - trueProb[i]!));
      const yPred = test.map((i) => expit(dot(X[i]!, w)));
      foldScores.push(
        -weightedLogLoss(
          yTrue,
          yPred,
          test.map((i) => trueWeight[i]!),
        ),
      );
    }
    scores.push(foldScores);
  }
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < defaultCs.length; c += 1) {
    let total = 0;
    for (const foldScores of scores) total += foldScores[c]!;
    if (total > bestScore) {
      bestScore = total;
      best = c;
    }
  }
  const C = defaultCs[best]!;
  return { coefficients: fitLiblinearL1(X, labels, sampleWeight, C), C, scores };
}

/** The refitted coefficients of `fitLogisticRegressionCVDetailed`. */
export function fitLogisticRegressionCV(
  features: readonly (readonly number[])[],
  targets: readonly number[],
  weights: readonly number[],
  settings: LogisticRegressionCVSettings,
): number[] {
  return fitLogisticRegressionCVDetailed(features, targets, weights, settings).coefficients;
}
