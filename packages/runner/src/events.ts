import type { AggregateMetricV1 } from '@evalchemy/core';

/** What a run reports while it goes, for progress bars and logs (noun-verb names). */
export type RunEvent =
  | { type: 'run-start'; tasks: string[]; model: string }
  | { type: 'task-start'; task: string; total: number }
  | {
      type: 'sample-end';
      task: string;
      /** Samples finished so far (scored or failed). */
      done: number;
      failed: number;
      total: number;
    }
  | {
      type: 'task-end';
      task: string;
      metrics: Record<string, AggregateMetricV1>;
      primaryMetric: string;
      failed: number;
      total: number;
      durationMs: number;
    }
  | { type: 'task-error'; task: string; error: string }
  | { type: 'run-end'; resultsPath: string; requestsSent: number; cacheHits: number };
