import type { LoggerV1 } from '@evalchemy/core';
import type { RunEvent } from '@evalchemy/runner';

interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows a run's progress: on a terminal, one redrawn bar per task (done/total, rate, ETA, failures); otherwise
 * plain log lines at most every 10% or 15 seconds, so CI logs stay readable.
 */
export function createProgressReporter(
  stream: Writable,
  options: {
    /** `--verbosity`: the least severe messages shown (default INFO; DEBUG adds debug lines, ERROR hides warnings). */
    verbosity?: 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO' | 'DEBUG';
  } = {},
): { onEvent(event: RunEvent): void; log: LoggerV1 } {
  const verbosity = options.verbosity ?? 'INFO';
  const shows = (level: 'WARNING' | 'INFO' | 'DEBUG') =>
    ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'].indexOf(verbosity) >=
    ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'].indexOf(level);
  const interactive = stream.isTTY === true;
  let current:
    | { task: string; total: number; startedAt: number; lastLogAt: number; lastLoggedDone: number }
    | undefined;
  let barShown = false;

  const clearBar = () => {
    if (interactive && barShown) {
      stream.write('\r\x1b[2K');
      barShown = false;
    }
  };
  const line = (text: string) => {
    clearBar();
    stream.write(`${text}\n`);
  };

  const describe = (done: number, failed: number, total: number): string => {
    const elapsed = current ? (performance.now() - current.startedAt) / 1000 : 0;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    return `${done}/${total}  ${rate.toFixed(1)}/s  ETA ${formatDuration(eta)}  failures ${failed}`;
  };

  return {
    log: {
      info: (message) => {
        if (shows('INFO')) line(message);
      },
      warn: (message) => {
        if (shows('WARNING')) line(`warning: ${message}`);
      },
      debug: (message) => {
        if (shows('DEBUG')) line(`debug: ${message}`);
      },
    },
    onEvent(event) {
      switch (event.type) {
        case 'run-start':
          line(`evalchemy: ${event.tasks.join(', ')} on ${event.model}`);
          break;
        case 'task-start':
          current = {
            task: event.task,
            total: event.total,
            startedAt: performance.now(),
            lastLogAt: performance.now(),
            lastLoggedDone: 0,
          };
          if (!interactive) line(`[${event.task}] started: ${event.total} samples`);
          break;
        case 'sample-end': {
          if (current === undefined) break;
          if (interactive) {
            const width = 24;
            const filled = event.total > 0 ? Math.round((event.done / event.total) * width) : width;
            stream.write(
              `\r\x1b[2K${event.task} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${describe(event.done, event.failed, event.total)}`,
            );
            barShown = true;
          } else {
            const now = performance.now();
            const step = Math.max(1, Math.ceil(event.total / 10));
            if (
              event.done === event.total ||
              event.done - current.lastLoggedDone >= step ||
              now - current.lastLogAt > 15_000
            ) {
              current.lastLogAt = now;
              current.lastLoggedDone = event.done;
              line(`[${event.task}] ${describe(event.done, event.failed, event.total)}`);
            }
          }
          break;
        }
        case 'task-end': {
          const primary = event.metrics[event.primaryMetric];
          line(
            `[${event.task}] done in ${formatDuration(event.durationMs / 1000)}: ${event.primaryMetric} = ${primary ? primary.value.toFixed(4) : 'n/a'}` +
              (event.failed > 0 ? ` (${event.failed} failed samples)` : '') +
              (event.split !== undefined
                ? `; ${event.split} samples' generations shared with other shards, scored by evalchemy merge`
                : ''),
          );
          current = undefined;
          break;
        }
        case 'task-error':
          line(`[${event.task}] could not run: ${event.error}`);
          current = undefined;
          break;
        case 'concurrency-change':
          line(
            `${event.role} ${event.model}: rate-limited, concurrency ${event.previous} -> ${event.concurrency}, ` +
              `next request in ${formatDuration(event.waitMs / 1000)}`,
          );
          break;
        case 'run-end':
          line(
            `results: ${event.resultsPath} (requests sent: ${event.requestsSent}, served from cache: ${event.cacheHits})`,
          );
          break;
      }
    },
  };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
