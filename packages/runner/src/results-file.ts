import type { AggregateMetricV1, BackendV1 } from '@evalchemy/core';
import type { RunSettings } from './run-settings.js';
import type { RunState } from './run-state.js';
import type { TaskOutcome } from './task-run.js';

/** What a finished run knows, from which its results file is built. */
export interface FinishedRun {
  settings: RunSettings;
  outcomes: TaskOutcome[];
  state: RunState;
  warningCounts: Record<string, Record<string, number>>;
  judgeBackends: BackendV1[];
  modelInfo: Record<string, unknown>;
  sandboxInfo: Record<string, unknown> | null;
  gitHash: string | null;
  environment: unknown;
  startedAt: Date;
  finishedAt: Date;
}

/** The results file of a run, as written to `results_<timestamp>.json`. */
export function buildResultsFile(run: FinishedRun): Record<string, unknown> {
  const { settings, outcomes, state } = run;
  const backend = settings.backend;
  const totals = state.totals();
  const [firstJudge] = run.judgeBackends;
  return {
    results: Object.fromEntries(outcomes.map((outcome) => [outcome.task, flattenMetrics(outcome.metrics)])),
    primary_metrics: Object.fromEntries(outcomes.map((outcome) => [outcome.task, outcome.primaryMetric])),
    headline_metrics: Object.fromEntries(outcomes.map((outcome) => [outcome.task, outcome.headlineMetrics])),
    'n-samples': Object.fromEntries(
      outcomes.map((outcome) => [
        outcome.task,
        { effective: outcome.samples.total, scored: outcome.samples.scored, failed: outcome.samples.failed },
      ]),
    ),
    sample_failures: Object.fromEntries(
      outcomes
        .filter((outcome) => outcome.samples.failed > 0)
        .map((outcome) => [outcome.task, { failed: outcome.samples.failed, example: outcome.sampleError }]),
    ),
    task_errors: Object.fromEntries(
      outcomes.filter((outcome) => outcome.error).map((outcome) => [outcome.task, outcome.error]),
    ),
    warnings: run.warningCounts,
    cache_error: state.cacheError?.message ?? null,
    config: settings.effectiveConfig,
    versions: settings.versions,
    seeds: { seed: settings.seed, generation_seed: 'seed + generation index' },
    model: {
      backend: backend.id,
      model_id: backend.modelId,
      info: run.modelInfo,
      judge: firstJudge ? { backend: firstJudge.id, model_id: firstJudge.modelId } : null,
      sandbox: run.sandboxInfo,
    },
    usage: {
      requests_sent: totals.requests,
      cache_hits: totals.cacheHits,
      prompt_tokens: totals.promptTokens,
      completion_tokens: totals.completionTokens,
    },
    git_hash: run.gitHash,
    environment: run.environment,
    timing: {
      start: run.startedAt.toISOString(),
      end: run.finishedAt.toISOString(),
      wall_clock_seconds: (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000,
    },
  };
}

/** `{ acc: { value, stderr } }` → `{ acc, acc_stderr }`, as lm-evaluation-harness writes metrics. */
function flattenMetrics(metrics: Record<string, AggregateMetricV1>): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [name, metric] of Object.entries(metrics)) {
    flat[name] = metric.value;
    if (metric.stderr !== undefined) flat[`${name}_stderr`] = metric.stderr;
  }
  return flat;
}
