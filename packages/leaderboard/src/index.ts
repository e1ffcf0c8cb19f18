export type { DifferenceBin, RunComparison, TaskComparison } from './compare-runs.js';
export { compareRuns } from './compare-runs.js';
export type * from './leaderboard.js';
export type {
  LeaderboardAppOptions,
  LeaderboardServer,
  ServeLeaderboardOptions,
} from './leaderboard-server.js';
export { createLeaderboardApp, serveLeaderboard } from './leaderboard-server.js';
export type { PairedBootstrapOptions, PairedBootstrapResult, ScorePair } from './paired-bootstrap.js';
export { pairedBootstrap } from './paired-bootstrap.js';
