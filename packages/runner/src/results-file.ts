import {
  type AggregateMetricV1,
  type BackendV1,
  type JudgeAuditRecordV1,
  type ResultsFileV1,
  stderrKey,
  type TaskRecordV1,
  type UsageRecordV1,
} from '@evalchemy/core';
import { rateLimitRecord } from './adaptive-limit.js';
import { type PricedModel, priceOf, roundDollars } from './prices.js';
import { judgesOf, type RunSettings, type TaskSelection } from './run-settings.js';
import { emptyUsage, type RequestUsage, type RunState, sumUsage } from './run-state.js';
import { finiteOrNull } from './sample-record.js';
import { taskIdentity } from './task-identity.js';
import type { TaskOutcome, VerdictCounts } from './task-run.js';

/** What a finished run knows, from which its results file is built. */
export interface FinishedRun {
  runId: string;
  settings: RunSettings;
  outcomes: TaskOutcome[];
  state: RunState;
  warningCounts: Record<string, Record<string, number>>;
  judgeBackends: BackendV1[];
  modelInfo: Record<string, unknown>;
  sandboxInfo: Record<string, unknown> | null;
  gitHash: string | null;
  environment: ResultsFileV1['environment'];
  startedAt: Date;
  finishedAt: Date;
}

/** The results file of a run, as written to `results_<timestamp>.json` (`resultsFileSchema`). */
export function buildResultsFile(run: FinishedRun): ResultsFileV1 {
  const { settings, outcomes, state } = run;
  const backend = settings.backend;
  const [firstJudge] = run.judgeBackends;
  const sampleFailures: ResultsFileV1['sample_failures'] = {};
  const taskErrors: ResultsFileV1['task_errors'] = {};
  for (const outcome of outcomes) {
    if (outcome.samples.failed > 0 && outcome.sampleError !== undefined)
      sampleFailures[outcome.task] = { failed: outcome.samples.failed, example: outcome.sampleError };
    if (outcome.error !== undefined) taskErrors[outcome.task] = outcome.error;
  }
  return {
    format_version: 1,
    run_id: run.runId,
    ...(settings.shard !== undefined
      ? { shard: { index: settings.shard.index, count: settings.shard.count } }
      : {}),
    results: Object.fromEntries(outcomes.map((outcome) => [outcome.task, flattenMetrics(outcome.metrics)])),
    primary_metrics: Object.fromEntries(outcomes.map((outcome) => [outcome.task, outcome.primaryMetric])),
    headline_metrics: Object.fromEntries(outcomes.map((outcome) => [outcome.task, outcome.headlineMetrics])),
    'n-samples': Object.fromEntries(
      outcomes.map((outcome) => [
        outcome.task,
        { effective: outcome.samples.total, scored: outcome.samples.scored, failed: outcome.samples.failed },
      ]),
    ),
    sample_failures: sampleFailures,
    task_errors: taskErrors,
    warnings: run.warningCounts,
    cache_error: state.cacheError?.message ?? null,
    config: settings.effectiveConfig,
    versions: settings.versions,
    seeds: { seed: settings.seed, generation_seed: 'seed + generation index' },
    model: {
      backend: backend.id,
      model_id: backend.modelId,
      info: run.modelInfo,
      price: priceRecord(priceOf(backend, settings.judgePrices)),
      judge: firstJudge ? { backend: firstJudge.id, model_id: firstJudge.modelId } : null,
      sandbox: run.sandboxInfo,
    },
    usage: usageRecord(state.totals()),
    rate_limits: [...state.rateLimits].map(([of, facts]) =>
      rateLimitRecord(facts, of, of === backend ? 'model' : 'judge'),
    ),
    budget: state.budget
      ? {
          max_cost_usd: state.budget.maxCostUsd,
          spent_usd: roundDollars(state.budget.spentUsd),
          reached: state.budget.reached,
          requests_not_sent: state.budget.requestsNotSent,
        }
      : null,
    git_hash: run.gitHash,
    environment: run.environment,
    timing: {
      start: run.startedAt.toISOString(),
      end: run.finishedAt.toISOString(),
      wall_clock_seconds: (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000,
    },
    tasks: Object.fromEntries(settings.tasks.map((task) => [task.benchmark.id, taskRecord(run, task)])),
  };
}

/** `tasks.<task>`: what decides the task's numbers, and what it used. */
function taskRecord(run: FinishedRun, task: TaskSelection): TaskRecordV1 {
  const outcome = run.outcomes.find((candidate) => candidate.task === task.benchmark.id);
  const datasets = outcome?.datasets ?? [];
  const usage = run.state.usage.get(task.benchmark.id);
  const judges = judgesOf(run.settings, task);
  const roles = Object.keys(judges);
  const judgeUsage = roles.map((role) => usage?.judges[role] ?? emptyUsage());
  return {
    identity: taskIdentity(run.settings, task, datasets),
    version: task.benchmark.version,
    options: task.options,
    datasets,
    usage: {
      model: usageRecord(usage?.model ?? emptyUsage()),
      ...(roles.length > 0 ? { judge: usageRecord(sumUsage(judgeUsage)) } : {}),
      ...(roles.length > 1
        ? { judges: Object.fromEntries(roles.map((role, at) => [role, usageRecord(judgeUsage[at]!)])) }
        : {}),
    },
    ...(roles.length > 0
      ? {
          judge_audit: Object.fromEntries(
            roles.map((role, at) => [
              role,
              judgeAudit(judges[role]!, judgeUsage[at]!, outcome?.judgeAudit[role], run.settings),
            ]),
          ),
        }
      : {}),
  };
}

/** One judge role's audit: who judged, requests, tokens and cost, and the verdict counts the scorer reported. */
function judgeAudit(
  judge: BackendV1,
  usage: RequestUsage,
  verdicts: VerdictCounts | undefined,
  settings: RunSettings,
): JudgeAuditRecordV1 {
  const swappedPairs = verdicts?.swappedPairs ?? 0;
  const consistentPairs = verdicts?.consistentPairs ?? 0;
  const { cost_usd, ...counts } = usageRecord(usage);
  return {
    backend: judge.id,
    model_id: judge.modelId,
    ...counts,
    cost_usd: cost_usd ?? null,
    price: priceRecord(priceOf(judge, settings.judgePrices)),
    verdicts: verdicts?.verdicts ?? 0,
    unparsable_verdicts: verdicts?.unparsable ?? 0,
    swapped_pairs: swappedPairs,
    consistent_pairs: consistentPairs,
    position_consistency: swappedPairs > 0 ? consistentPairs / swappedPairs : null,
  };
}

function usageRecord(usage: RequestUsage): UsageRecordV1 {
  return {
    requests_sent: usage.requests,
    cache_hits: usage.cacheHits,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    cached_prompt_tokens: usage.cachedPromptTokens,
    cost_usd: usage.unpricedRequests > 0 ? null : roundDollars(usage.costUsd),
  };
}

function priceRecord(priced: PricedModel | undefined): NonNullable<JudgeAuditRecordV1['price']> | null {
  if (priced === undefined) return null;
  const { price, source } = priced;
  return {
    input_per_million_tokens: price.input,
    ...(price.cachedInput !== undefined ? { cached_input_per_million_tokens: price.cachedInput } : {}),
    output_per_million_tokens: price.output,
    source,
  };
}

/** `{ acc: { value, stderr } }` → `{ acc, acc_stderr }`, as lm-evaluation-harness writes metrics. */
export function flattenMetrics(metrics: Record<string, AggregateMetricV1>): Record<string, number | null> {
  const flat: Record<string, number> = {};
  for (const [name, metric] of Object.entries(metrics)) {
    flat[name] = metric.value;
    if (metric.stderr !== undefined) flat[stderrKey(name)] = metric.stderr;
  }
  return finiteOrNull(flat);
}
