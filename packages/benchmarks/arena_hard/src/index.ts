import { createArenaHard } from './arena-hard-benchmark.js';

export { answerStyle, removeCodeBlocks, tokenLength } from './answer-style.js';
export {
  ArenaHardBenchmark,
  type ArenaHardSettings,
  createArenaHard,
  DEFAULT_JUDGE_MODEL,
  DEFAULT_JUDGE_MODEL_V2,
  GENERATION_PARAMETERS,
} from './arena-hard-benchmark.js';
export {
  type ArenaHardQuestion,
  type ArenaHardVersion,
  type ArenaHardVersionFiles,
  arenaHardV01,
  arenaHardV20,
  arenaHardVersions,
  loadQuestions,
} from './arena-hard-data.js';
export {
  CONTINUE_JUDGMENT_PROMPT,
  formatJudgePrompt,
  JUDGE_PROMPT_TEMPLATE,
  JUDGE_SYSTEM_PROMPT,
  judgeMessages,
} from './arena-hard-judge-prompt.js';
export {
  type ArenaHardOptionDefaults,
  type ArenaHardOptions,
  arenaHardOptionsSchema,
  createArenaHardOptionsSchema,
} from './arena-hard-options.js';
export {
  aggregateArenaHard,
  type BattleRecord,
  DEFAULT_JUDGE_MAX_TOKENS,
  type GameRecord,
  scoreArenaHardSample,
} from './arena-hard-scorer.js';
export { type GameVerdict, parseV01Verdict, parseV20Verdict, type V01Score } from './arena-hard-verdict.js';
export {
  type AnswerStyle,
  type Battle,
  type BattleWinner,
  constructStyleMatrix,
  fitStyleBradleyTerry,
  meanScoreWinRate,
  numpyPercentile,
  pandasQuantile,
  plainModelRating,
  plainWinRate,
  pythonRound,
  type StyleMatrix,
  styleControlledWinRate,
  type WinRateEstimate,
  winRateAgainst,
} from './bradley-terry.js';
export { NumpyLegacyRandom } from './numpy-random.js';
export { VERSION } from './version.js';

/** The arena_hard plugin: an instance with default options. */
const arenaHard = createArenaHard();
export default arenaHard;
