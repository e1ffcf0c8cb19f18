export * from './backend-options.js';
export * from './dataset-rows.js';
export * from './errors.js';
export * from './judge-roles.js';
export * from './manifest.js';
export * from './options.js';
export * from './results-file.js';
export * from './stats.js';
export type * from './v1/index.js';
