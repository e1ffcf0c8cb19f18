import { createMixEval, type MixEvalBenchmark, type MixEvalSettings } from '@evalchemy/benchmark-mixeval';
import { VERSION } from './version.js';

export {
  DEFAULT_JUDGE_MODEL,
  type MixEvalOptionDefaults,
  type MixEvalOptions,
  type MixEvalSampleData,
  mixEvalOptionsSchema,
} from '@evalchemy/benchmark-mixeval';
export { VERSION };

/** Settings of `createMixEvalHard`: MixEval's, without the choice of item set. */
export type MixEvalHardSettings = Omit<MixEvalSettings, 'benchmark' | 'packageVersion'>;

/**
 * MixEval-Hard: @evalchemy/benchmark-mixeval's benchmark on the MixEval-Hard items, under the id
 * `mixeval_hard` and this package's version.
 */
export function createMixEvalHard(settings: MixEvalHardSettings = {}): MixEvalBenchmark {
  return createMixEval({ ...settings, benchmark: 'mixeval_hard', packageVersion: VERSION });
}

/** The mixeval_hard plugin: an instance with default options. */
const mixEvalHard = createMixEvalHard();
export default mixEvalHard;
