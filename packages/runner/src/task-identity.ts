import { createHash } from 'node:crypto';
import type { BackendV1, DatasetRecordV1 } from '@evalchemy/core';
import { modelIdentity } from './request-path.js';
import { judgesOf, type RunSettings, requestedLimitOf, type TaskSelection } from './run-settings.js';
import { stableStringify } from './stable-json.js';

/**
 * The results file's `tasks.<task>.identity`: sha256 (hex) of the canonical JSON of everything that decides
 * the task's numbers. Performance settings (concurrency, the answer-neutral backend options) and the output
 * path are left out, so that runs that must agree get one identity; credentials never enter it.
 */
export function taskIdentity(
  settings: RunSettings,
  task: TaskSelection,
  datasets: readonly DatasetRecordV1[],
): string {
  const { benchmark } = task;
  const backend = (backend: BackendV1) => ({
    backend: backend.id,
    ...modelIdentity(backend),
    options: settings.answerOptions?.get(backend) ?? {},
  });
  const decisive = {
    task: benchmark.id,
    version: benchmark.version,
    options: task.options ?? null,
    datasets: datasets.map((file) => file.sha256).sort(),
    model: backend(settings.backend),
    overrides: {
      limit: requestedLimitOf(settings, task) ?? null,
      max_tokens: settings.maxTokens ?? null,
      seed: settings.seed,
      system_instruction: settings.systemInstruction ?? null,
      // Only when given, so that the identities of runs without it stay what they were.
      ...(settings.generation !== undefined && Object.keys(settings.generation).length > 0
        ? { generation: settings.generation }
        : {}),
    },
    judges: Object.fromEntries(
      Object.entries(judgesOf(settings, task)).map(([role, judge]) => [role, backend(judge)]),
    ),
  };
  return createHash('sha256').update(stableStringify(decisive)).digest('hex');
}
