export type * from './backend.js';
export type * from './benchmark.js';
export type * from './dataset.js';
export type * from './generation.js';
export type * from './judge.js';
export type * from './logger.js';
export type * from './sandbox.js';
