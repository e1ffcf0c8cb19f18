export type { DifferenceBin, RunComparison, TaskComparison } from './compare-runs.js';
export { compareRuns } from './compare-runs.js';
export type * from './leaderboard.js';
export { LeaderboardConnectionError } from './leaderboard-connection-error.js';
export {
  displayUrl,
  type LeaderboardLocationOptions,
  resolveLeaderboardLocation,
} from './leaderboard-location.js';
export type {
  LeaderboardAppOptions,
  LeaderboardServer,
  ServeLeaderboardOptions,
} from './leaderboard-server.js';
export { createLeaderboardApp, serveLeaderboard } from './leaderboard-server.js';
export { type OpenLeaderboardOptions, openLeaderboard } from './open-leaderboard.js';
export type { PairedBootstrapOptions, PairedBootstrapResult, ScorePair } from './paired-bootstrap.js';
export { pairedBootstrap } from './paired-bootstrap.js';
export type { LeaderboardLockHolder } from './pglite-lock.js';
export { findResultsFiles, readRunFiles } from './read-run-files.js';
export { answerText, promptText } from './sample-text.js';
