import type { Leaderboard, RunDetail, RunSummary } from './leaderboard.js';
import { type PairedBootstrapResult, pairedBootstrap } from './paired-bootstrap.js';

/** One bar of the histogram of per-sample differences b − a: `count` differences in [from, to] (one value: from = to). */
export interface DifferenceBin {
  from: number;
  to: number;
  count: number;
}

/** One task both runs have. */
export interface TaskComparison {
  task: string;
  /** The task's primary metric (run A's; `metricB` when run B's differs). */
  metric: string;
  metricB: string | null;
  /** Whether both runs ran the task with one identity (same options, data, limit, seed, judges): comparable. */
  sameIdentity: boolean;
  /** The metric's corpus value as each results file gives it (over every sample that run scored). */
  resultA: number | null;
  resultB: number | null;
  /** The paired bootstrap over the samples both runs scored (`n`, means, B − A, interval, p-value). */
  bootstrap: PairedBootstrapResult;
  /** Histogram of the per-sample differences b − a; empty when n = 0. */
  histogram: DifferenceBin[];
}

/** Two runs compared task by task. */
export interface RunComparison {
  a: RunSummary;
  b: RunSummary;
  tasks: TaskComparison[];
  /** Tasks only run A has, only run B has. */
  onlyA: string[];
  onlyB: string[];
}

/** Distinct values up to this many get a bar each (0/1 metrics give −1, 0, 1); more are put in equal bins. */
const maxDistinctBars = 21;
const binCount = 20;

/** The histogram of `values`: a bar per distinct value when there are few, else `binCount` equal-width bins. */
export function histogramOf(values: readonly number[]): DifferenceBin[] {
  if (values.length === 0) return [];
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  if (counts.size <= maxDistinctBars) {
    return [...counts.entries()]
      .sort(([x], [y]) => x - y)
      .map(([value, count]) => ({ from: value, to: value, count }));
  }
  const low = Math.min(...values);
  const high = Math.max(...values);
  const width = (high - low) / binCount;
  const bins = Array.from({ length: binCount }, (_, i) => ({
    from: low + i * width,
    to: i === binCount - 1 ? high : low + (i + 1) * width,
    count: 0,
  }));
  for (const value of values) {
    const bin = bins[Math.min(binCount - 1, Math.floor((value - low) / width))];
    if (bin) bin.count++;
  }
  return bins;
}

function summary(run: RunDetail): RunSummary {
  const { results: _results, ...rest } = run;
  return rest;
}

function primaryMetricOf(run: RunDetail, task: string): string | undefined {
  return run.results.primary_metrics[task];
}

/**
 * Compares run B with run A on every task both have a primary metric for: the paired bootstrap of B − A over
 * the samples both scored, with `resamples` and `seed` as `pairedBootstrap` takes them.
 */
export async function compareRuns(
  leaderboard: Leaderboard,
  a: RunDetail,
  b: RunDetail,
  options: { resamples?: number; seed?: number } = {},
): Promise<RunComparison> {
  const tasksA = Object.keys(a.results.primary_metrics).sort();
  const tasksB = new Set(Object.keys(b.results.primary_metrics));
  const shared = tasksA.filter((task) => tasksB.has(task));
  const tasks = await Promise.all(
    shared.map(async (task): Promise<TaskComparison> => {
      const metric = primaryMetricOf(a, task) ?? '';
      const metricB = primaryMetricOf(b, task) ?? '';
      const pairs = await leaderboard.pairedScores(a.runId, b.runId, task);
      return {
        task,
        metric,
        metricB: metricB === metric ? null : metricB,
        sameIdentity: a.results.tasks[task]?.identity === b.results.tasks[task]?.identity,
        resultA: a.results.results[task]?.[metric] ?? null,
        resultB: b.results.results[task]?.[metricB] ?? null,
        bootstrap: pairedBootstrap(pairs, options),
        histogram: histogramOf(pairs.map((pair) => pair.b - pair.a)),
      };
    }),
  );
  return {
    a: summary(a),
    b: summary(b),
    tasks,
    onlyA: tasksA.filter((task) => !tasksB.has(task)),
    onlyB: [...tasksB].filter((task) => !tasksA.includes(task)).sort(),
  };
}
