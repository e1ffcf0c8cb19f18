import { createGpqaDiamond } from './gpqa_diamond-benchmark.js';

export {
  createGpqaDiamond,
  GpqaDiamondBenchmark,
  type GpqaDiamondItem,
  type GpqaDiamondSettings,
} from './gpqa_diamond-benchmark.js';
export {
  type GpqaQuestion,
  gpqaDiamondCsvSha256,
  gpqaDiamondDataset,
  loadGpqaQuestions,
} from './gpqa_diamond-data.js';
export { type GpqaDiamondOptions, gpqa_diamondOptionsSchema } from './gpqa_diamond-options.js';
export { extractChoiceLetter, gpqaPrompt, shuffledOrder } from './gpqa_diamond-scorer.js';
export { VERSION } from './version.js';

/** The `gpqa_diamond` benchmark with default settings: the plugin object the CLI loads. */
export default createGpqaDiamond();
