import { ArcBenchmark, type ArcChallengeSettings } from '@evalchemy/benchmark-arc_challenge';
import type { DatasetFileV1 } from '@evalchemy/core';
import { VERSION } from './version.js';

/**
 * The ARC-Easy test split on the Hub, at the revision arc_challenge pins. There is no offline copy in
 * shared/datasets and no published sha256: the Hub hash is recorded on first download; an offline copy must be
 * this same parquet file.
 */
export const arcEasyTestFile: DatasetFileV1 = {
  hub: {
    repository: 'allenai/ai2_arc',
    revision: '210d026faf9955653af8916fad021475a3f00453',
    path: 'ARC-Easy/test-00000-of-00001.parquet',
  },
  offlinePath: 'ai2_arc/ARC-Easy/test-00000-of-00001.parquet',
  sha256: { offline: '' },
};

/** Settings of `createArcEasy`. */
export type ArcEasySettings = ArcChallengeSettings;

/**
 * ARC-Easy as lm-evaluation-harness's `arc_easy`: arc_challenge's prompt, scoring and chat fallback (one
 * implementation, in @evalchemy/benchmark-arc_challenge) on the ARC-Easy set.
 */
export class ArcEasyBenchmark extends ArcBenchmark {
  constructor(settings: ArcEasySettings = {}) {
    super({
      id: 'arc_easy',
      description: 'ARC-Easy test (2376 questions), acc and acc_norm as lm-eval arc_easy.',
      packageVersion: VERSION,
      dataset: settings.dataset ?? arcEasyTestFile,
    });
  }
}

/** An arc_easy benchmark; `settings.dataset` replaces the pinned data file (tests, mirrors). */
export function createArcEasy(settings: ArcEasySettings = {}): ArcEasyBenchmark {
  return new ArcEasyBenchmark(settings);
}
