import type { BackendProviderV1 } from '@evalchemy/core';
import { ReplayBackend } from './replay-backend.js';
import { type ReplayOptions, replayOptionsSchema } from './replay-options.js';
import { VERSION } from './version.js';

export { createReplayBackend, ReplayBackend } from './replay-backend.js';
export {
  describeKey,
  loadReplayFile,
  mtBenchAnswerSchema,
  type ReplayFile,
  type ReplayKey,
  replayRecordSchema,
} from './replay-file.js';
export { type ReplayOptions, type ReplayOptionsInput, replayOptionsSchema } from './replay-options.js';
export { VERSION } from './version.js';

/** The replay backend plugin: answers from a JSONL file of precomputed responses. */
const replayProvider: BackendProviderV1<ReplayOptions> = {
  specificationVersion: 'v1',
  kind: 'backend',
  id: 'replay',
  version: VERSION,
  optionsSchema: replayOptionsSchema,
  // The file, the model name and the task of FastChat answers all decide which answers are replayed.
  answerNeutralOptions: [],
  createBackend: (options, context) => new ReplayBackend(options, context),
};

export default replayProvider;
