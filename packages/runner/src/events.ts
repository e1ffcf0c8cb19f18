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
      /** Samples of a shard's share that other shards share generations of: `evalchemy merge` scores them. */
      split?: number;
      durationMs: number;
    }
  | { type: 'task-error'; task: string; error: string }
  | {
      /**
       * A server refused a request for its rate limit: the backend's concurrency was lowered (`concurrency`
       * equals `previous` when it was 1 already). Once per round of requests.
       */
      type: 'concurrency-change';
      /** `model`, or `judge` for a backend that serves judges only. */
      role: 'model' | 'judge';
      backend: string;
      model: string;
      previous: number;
      concurrency: number;
      /** No request to this backend starts for this long (the server's `retry-after`, else a backoff), in ms. */
      waitMs: number;
    }
  | { type: 'run-end'; resultsPath: string; requestsSent: number; cacheHits: number };
