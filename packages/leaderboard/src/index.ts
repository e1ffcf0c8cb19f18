export type * from './leaderboard.js';
export { LeaderboardConnectionError } from './leaderboard-connection-error.js';
export {
  displayUrl,
  type LeaderboardLocationOptions,
  resolveLeaderboardLocation,
} from './leaderboard-location.js';
export { type OpenLeaderboardOptions, openLeaderboard } from './open-leaderboard.js';
export type { LeaderboardLockHolder } from './pglite-lock.js';
export { findResultsFiles, readRunFiles } from './read-run-files.js';
export { answerText, promptText } from './sample-text.js';
