import { describe, expect, it } from 'vitest';
import { syntheticSamples } from './__fixtures__/synthetic.js';
import { arenaHardOptionsSchema } from './arena-hard-options.js';
import {
  type AnswerStyle,
  aggregateArenaHard,
  type Battle,
  constructStyleMatrix,
  fitStyleBradleyTerry,
  NumpyLegacyRandom,
  numpyPercentile,
  plainModelRating,
  pythonRound,
} from './index.js';

describe("numpy's legacy generator", () => {
  it('draws what np.random.seed(42) then randint and choice draw', () => {
    // /usr/bin/python3 (numpy 1.24.2): np.random.seed(42); np.random.randint(0,10,8) → [6,3,7,4,6,9,2,6];
    // np.random.randint(0,1000,3) → [330,458,87]; np.random.choice(list(range(7)), size=5) → [4,3,2,5,4].
    const random = new NumpyLegacyRandom(42);
    expect(random.randint(10, 8)).toEqual([6, 3, 7, 4, 6, 9, 2, 6]);
    expect(random.randint(1000, 3)).toEqual([330, 458, 87]);
    expect(random.randint(7, 5)).toEqual([4, 3, 2, 5, 4]);
  });
});

describe("Python's round and numpy's percentile", () => {
  it('rounds exact halves to even and other values by their binary value', () => {
    expect(pythonRound(0.125, 2)).toBe(0.12);
    expect(pythonRound(0.375, 2)).toBe(0.38);
    expect(pythonRound(2.675, 2)).toBe(2.67); // 2.67499999… in binary
    expect(pythonRound(40.875, 2)).toBe(40.88);
    expect(pythonRound(-1.005, 2)).toBe(-1); // -1.00499999…
  });

  it('interpolates linearly between order statistics', () => {
    // np.percentile([1, 2, 3, 4], 2.5) = 1.075; np.percentile([1, 2, 3, 4], 97.5) = 3.925
    expect(numpyPercentile([4, 1, 3, 2], 2.5)).toBeCloseTo(1.075, 12);
    expect(numpyPercentile([4, 1, 3, 2], 97.5)).toBeCloseTo(3.925, 12);
  });
});

// Expected numbers: lmarena/arena-hard-auto@3071ef9 (the last v0.1 commit) run once on the synthetic
// judgments (src/__fixtures__/synthetic-judgments.json; the data files written by make_synthetic.py) with
// Debian's python3-numpy 1.24.2, python3-pandas 1.5.3, python3-sklearn 1.2.1:
//   python3 show_result.py --judge-name judge --output                  → leaderboard CSV row
//     test-model,40.88,33.0,47.19,"(-7.88, +6.31)",676.0
//   python3 show_result.py --judge-name judge --output --style-control  → test-model,40.7,32.65,46.73,…
//     "Style Coefficients: {'sum_assistant_a_tokens': -0.105, 'header_count_a': 0.018, 'list_count_a': 0.003, 'bold_count_a': 0.296}"
// and reference-check/raw.py calling the same utils_math functions as show_result's __main__ for full precision:
//   battles 159; compute_mle_elo: test-model 935.9142012175693 (gpt-4-0314 1000.0); bootstrap (100 rounds)
//   percentiles 2.5 / 97.5: 876.9944096723495 / 980.4216174175056; first bootstrap ratings
//   864.6174025464657, 908.3408046572217, 886.9120851789812.
//   style control: fit_bt test-model 1048.611055355495 (gpt-4-0314 1114.0); coefficients
//   [-0.10451549383564768, 0.017773254132619584, 0.0027702831307336766, 0.2964500930871765]; bootstrap
//   percentiles 988.1834528634291 / 1091.2605907518503.
describe('show_result v0.1 on the synthetic judgments', () => {
  const samples = syntheticSamples(42);
  const battles: Battle[] = samples.flatMap((sample) => {
    const details = sample.details as { battles: { winner: Battle['winner']; count: number }[] };
    return details.battles.flatMap((battle) =>
      new Array<Battle>(battle.count).fill({ winner: battle.winner }),
    );
  });

  it('builds the same battles and the same Bradley-Terry rating', () => {
    expect(battles).toHaveLength(159);
    expect(plainModelRating(battles)).toBeCloseTo(935.9142012175693, 6);
  });

  it('draws the same bootstrap resamples', () => {
    const random = new NumpyLegacyRandom(42);
    const firstRounds = [0, 1, 2].map(() =>
      plainModelRating(random.randint(battles.length, battles.length).map((index) => battles[index]!)),
    );
    expect(firstRounds[0]).toBeCloseTo(864.6174025464657, 6);
    expect(firstRounds[1]).toBeCloseTo(908.3408046572217, 6);
    expect(firstRounds[2]).toBeCloseTo(886.9120851789812, 6);
  });

  it('reports the leaderboard numbers of the reference to the last digit', () => {
    const options = arenaHardOptionsSchema.parse({ bootstrap_seed: 42 });
    const metrics = aggregateArenaHard(samples, options);
    expect(metrics).toMatchObject({
      score: 40.88,
      ci_lower: 33.0,
      ci_upper: 47.19,
      avg_tokens: 676,
      battles: 159,
    });
  });

  it('takes the seed from the samples (the run seed) when bootstrap_seed is unset', () => {
    const options = arenaHardOptionsSchema.parse({});
    expect(aggregateArenaHard(syntheticSamples(42), options)).toMatchObject({
      ci_lower: 33.0,
      ci_upper: 47.19,
    });
    const other = aggregateArenaHard(syntheticSamples(7), options);
    expect(other.score).toBe(40.88);
    expect([other.ci_lower, other.ci_upper]).not.toEqual([33.0, 47.19]);
  });

  it('with style control: the fit_bt optimum, its coefficients and the reference leaderboard row', () => {
    const styled: Battle[] = samples.flatMap((sample) => {
      const details = sample.details as {
        battles: { winner: Battle['winner']; count: number }[];
        style: { model: AnswerStyle; baseline: AnswerStyle };
      };
      return details.battles.flatMap((battle) =>
        new Array<Battle>(battle.count).fill({
          winner: battle.winner,
          style: { baseline: details.style.baseline, model: details.style.model },
        }),
      );
    });
    const matrix = constructStyleMatrix(styled);
    expect(matrix.constantFeatures).toEqual([]);
    const fit = fitStyleBradleyTerry(matrix);
    // The reference's lbfgs stops at scikit-learn's default tol 1e-4: its optimum agrees to about 1e-4.
    expect(fit.modelRating).toBeCloseTo(1048.611055355495, 2);
    const reference = [-0.10451549383564768, 0.017773254132619584, 0.0027702831307336766, 0.2964500930871765];
    for (const [index, coefficient] of fit.styleCoefficients.entries()) {
      expect(coefficient).toBeCloseTo(reference[index]!, 4);
    }
    const metrics = aggregateArenaHard(
      samples,
      arenaHardOptionsSchema.parse({ bootstrap_seed: 42, style_control: true }),
    );
    expect(metrics).toMatchObject({
      score: 40.88,
      ci_lower: 33.0,
      ci_upper: 47.19,
      score_style_controlled: 40.7,
      ci_lower_style_controlled: 32.65,
      ci_upper_style_controlled: 46.73,
    });
  });
});

describe('style control when a feature does not vary', () => {
  it('leaves the feature out of the fit (coefficient 0) and says how many were left out', () => {
    const samples = syntheticSamples(42).map((sample) => {
      const details = sample.details as { style: { model: AnswerStyle; baseline: AnswerStyle } };
      // No bold anywhere: the reference's standardisation divides by 0 and its fit fails.
      details.style.model.boldCount = 0;
      details.style.baseline.boldCount = 0;
      return sample;
    });
    const metrics = aggregateArenaHard(
      samples,
      arenaHardOptionsSchema.parse({ bootstrap_seed: 42, style_control: true }),
    );
    expect(metrics.style_coefficient_bold_count).toBe(0);
    expect(metrics.style_constant_features).toBe(1);
    expect(metrics.score_style_controlled).toEqual(expect.any(Number));
    expect(metrics.score_style_controlled).not.toBe(40.7);
  });
});
