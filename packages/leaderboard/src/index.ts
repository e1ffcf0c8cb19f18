export type * from './leaderboard.js';
