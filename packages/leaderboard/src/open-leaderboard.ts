import { isStderrKey, type ResultsFileV1, stderrKey } from '@evalchemy/core';
import type {
  Leaderboard,
  LeaderboardCell,
  LeaderboardLocation,
  LeaderboardTable,
  PairedScore,
  RunDetail,
  RunSummary,
  SampleRow,
} from './leaderboard.js';
import { LeaderboardConnectionError } from './leaderboard-connection-error.js';
import type { LeaderboardDriver } from './leaderboard-driver.js';
import { type LeaderboardLocationOptions, resolveLeaderboardLocation } from './leaderboard-location.js';
import { migrate } from './migrations.js';
import { openPgliteDriver } from './pglite-driver.js';
import type { LeaderboardLockHolder } from './pglite-lock.js';
import { openPostgresDriver } from './postgres-driver.js';
import { pushRun } from './push-run.js';

export interface OpenLeaderboardOptions extends LeaderboardLocationOptions {
  /** Embedded PGlite only: called once when another process holds the directory and this one waits for it. */
  onWait?: (holder: LeaderboardLockHolder) => void;
  /**
   * Embedded PGlite only: close the database and release the directory after this many milliseconds without
   * queries while another process waits for it, reopening on the next query (for a long-lived server, so that
   * pushes from other processes get in). Nobody waiting, it stays open.
   */
  releaseWhenIdleMs?: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const defaultSampleLimit = 100;
const maxSampleLimit = 1_000;

/** Opens the leaderboard where the options and environment say (see `resolveLeaderboardLocation`), migrated. */
export async function openLeaderboard(options: OpenLeaderboardOptions = {}): Promise<Leaderboard> {
  const location = resolveLeaderboardLocation(options);
  const driver = await openDriver(location, options);
  return createLeaderboard(location, driver);
}

/** The migrated driver of a location, for the store's own tests and tools (raw SQL). Not exported from the package. */
export async function openLeaderboardDriver(
  location: LeaderboardLocation,
  options: Pick<OpenLeaderboardOptions, 'onWait' | 'releaseWhenIdleMs'> = {},
): Promise<LeaderboardDriver> {
  return openDriver(location, options);
}

async function openDriver(
  location: LeaderboardLocation,
  options: Pick<OpenLeaderboardOptions, 'onWait' | 'releaseWhenIdleMs'>,
): Promise<LeaderboardDriver> {
  if (location.driver === 'pglite') {
    return openPgliteDriver(location.directory, {
      onWait: options.onWait,
      releaseWhenIdleMs: options.releaseWhenIdleMs,
      onOpen: async (database) => {
        await migrate(database);
      },
    });
  }
  const driver = await openPostgresDriver(location.url, location.display);
  try {
    await migrate(driver);
  } catch (error) {
    await driver.close().catch(() => undefined);
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === '42501') {
      throw new LeaderboardConnectionError(
        `the user of the leaderboard's PostgreSQL server ${location.display} may not create its tables (${error instanceof Error ? error.message : String(error)}): grant it CREATE on the database's public schema, or have an owner open it once to create them.`,
        { server: location.display },
      );
    }
    throw error;
  }
  return driver;
}

interface RunRow {
  run_id: string;
  model_id: string;
  model_name: string;
  backend: string;
  tasks: string[] | null;
  start_time: Date | string;
  end_time: Date | string;
  cost_usd: number | null;
  created_by: string | null;
  results?: ResultsFileV1;
}

const runColumns = `r.run_id, r.model_id, m.name AS model_name, r.backend, r.start_time, r.end_time, r.cost_usd,
  r.created_by, ARRAY(SELECT t.task FROM run_tasks t WHERE t.run_id = r.run_id ORDER BY t.task) AS tasks`;

/** The store over an open driver (for the store's own tests, which also read the tables). */
export function createLeaderboard(location: LeaderboardLocation, driver: LeaderboardDriver): Leaderboard {
  return {
    location,
    push: (input) => pushRun(driver, input),

    async table(options = {}): Promise<LeaderboardTable> {
      const filter =
        options.modelFilter === undefined || options.modelFilter === '' ? null : options.modelFilter;
      const rows = await driver.query<{
        model_id: string;
        model_name: string;
        task: string;
        run_id: string;
        primary_metric: string;
        metrics: Record<string, number | null>;
        scored: number;
        last_run_at: Date | string;
      }>(
        `WITH latest AS (
           SELECT DISTINCT ON (r.model_id, t.task) r.model_id, t.task, r.run_id, t.primary_metric, t.metrics, t.scored
           FROM run_tasks t JOIN runs r ON r.run_id = t.run_id
           WHERE t.primary_metric IS NOT NULL AND jsonb_exists(t.metrics, t.primary_metric)
           ORDER BY r.model_id, t.task, r.end_time DESC, r.pushed_at DESC, r.run_id
         )
         SELECT l.*, m.name AS model_name,
           (SELECT max(r2.end_time) FROM runs r2 WHERE r2.model_id = l.model_id) AS last_run_at
         FROM latest l JOIN models m ON m.id = l.model_id
         WHERE $1::text IS NULL OR strpos(lower(m.name), lower($1::text)) > 0
         ORDER BY m.name, l.model_id, l.task`,
        [filter],
      );
      const tasks = new Set<string>();
      const byModel = new Map<string, LeaderboardTable['rows'][number]>();
      for (const row of rows) {
        tasks.add(row.task);
        let entry = byModel.get(row.model_id);
        if (entry === undefined) {
          entry = {
            modelId: row.model_id,
            modelName: row.model_name,
            cells: {},
            lastRunAt: isoOf(row.last_run_at),
          };
          byModel.set(row.model_id, entry);
        }
        const cell: LeaderboardCell = {
          runId: row.run_id,
          metric: row.primary_metric,
          value: numberOrNull(row.metrics[row.primary_metric]),
          stderr: numberOrNull(row.metrics[stderrKey(row.primary_metric)]),
          scored: row.scored,
        };
        entry.cells[row.task] = cell;
      }
      return { tasks: [...tasks].sort(), rows: [...byModel.values()] };
    },

    async runs(options = {}): Promise<RunSummary[]> {
      if (options.modelId !== undefined && !uuidPattern.test(options.modelId)) return [];
      const rows = await driver.query<RunRow>(
        `SELECT ${runColumns} FROM runs r JOIN models m ON m.id = r.model_id
         WHERE $1::uuid IS NULL OR r.model_id = $1::uuid
         ORDER BY r.end_time DESC, r.pushed_at DESC, r.run_id
         LIMIT $2`,
        [options.modelId ?? null, options.limit ?? null],
      );
      return rows.map(summaryOf);
    },

    async run(runId): Promise<RunDetail | undefined> {
      if (!uuidPattern.test(runId)) return undefined;
      const rows = await driver.query<RunRow>(
        `SELECT ${runColumns}, r.results FROM runs r JOIN models m ON m.id = r.model_id WHERE r.run_id = $1`,
        [runId],
      );
      const row = rows[0];
      if (row === undefined || row.results === undefined) return undefined;
      return { ...summaryOf(row), results: row.results };
    },

    async samples(runId, task, options = {}): Promise<{ total: number; rows: SampleRow[] }> {
      if (!uuidPattern.test(runId)) return { total: 0, rows: [] };
      const offset = Math.max(0, Math.floor(options.offset ?? 0));
      const limit = Math.min(maxSampleLimit, Math.max(0, Math.floor(options.limit ?? defaultSampleLimit)));
      const [count] = await driver.query<{ total: number }>(
        'SELECT count(*)::integer AS total FROM sample_scores WHERE run_id = $1 AND task = $2',
        [runId, task],
      );
      const rows = await driver.query<{
        sample_id: string;
        sample_index: number;
        prompt: string;
        answer: string | null;
        score: number | null;
        metrics: Record<string, number | null> | null;
        error: string | null;
      }>(
        `SELECT sample_id, sample_index, prompt, answer, score, metrics, error FROM sample_scores
         WHERE run_id = $1 AND task = $2 ORDER BY sample_index, sample_id LIMIT $3 OFFSET $4`,
        [runId, task, limit, offset],
      );
      return {
        total: count?.total ?? 0,
        rows: rows.map((row) => ({
          sampleId: row.sample_id,
          index: row.sample_index,
          prompt: row.prompt,
          answer: row.answer,
          score: row.score,
          metrics: row.metrics ?? {},
          error: row.error,
        })),
      };
    },

    async pairedScores(runA, runB, task): Promise<PairedScore[]> {
      if (!uuidPattern.test(runA) || !uuidPattern.test(runB)) return [];
      // Each run's scored samples by the index, joined here: a join in SQL is planned from statistics, which
      // right after a push do not know the table's size yet (a nested loop over 5 000 × 5 000 rows).
      const rows = await driver.query<{ run_id: string; sample_id: string; score: number }>(
        `SELECT run_id, sample_id, score FROM sample_scores
         WHERE run_id = ANY($1::uuid[]) AND task = $2 AND score IS NOT NULL AND error IS NULL
         ORDER BY run_id, sample_index, sample_id`,
        [[runA, runB], task],
      );
      const scoresOfB = new Map<string, number>();
      for (const row of rows) if (row.run_id === runB) scoresOfB.set(row.sample_id, row.score);
      const paired: PairedScore[] = [];
      for (const row of rows) {
        if (row.run_id !== runA) continue;
        const b = scoresOfB.get(row.sample_id);
        if (b !== undefined) paired.push({ sampleId: row.sample_id, a: row.score, b });
      }
      return paired;
    },

    async exportTable() {
      const rows = await driver.query<{
        model_id: string;
        model_name: string;
        task: string;
        metrics: Record<string, number | null>;
      }>(
        `WITH latest AS (
           SELECT DISTINCT ON (r.model_id, t.task) r.model_id, t.task, t.metrics
           FROM run_tasks t JOIN runs r ON r.run_id = t.run_id
           WHERE t.metrics <> '{}'::jsonb
           ORDER BY r.model_id, t.task, r.end_time DESC, r.pushed_at DESC, r.run_id
         )
         SELECT l.*, m.name AS model_name FROM latest l JOIN models m ON m.id = l.model_id
         ORDER BY m.name, l.model_id, l.task`,
      );
      const columns = new Set<string>();
      const byModel = new Map<
        string,
        { modelId: string; modelName: string; values: Record<string, number | null> }
      >();
      for (const row of rows) {
        let entry = byModel.get(row.model_id);
        if (entry === undefined) {
          entry = { modelId: row.model_id, modelName: row.model_name, values: {} };
          byModel.set(row.model_id, entry);
        }
        for (const [metric, value] of Object.entries(row.metrics)) {
          if (isStderrKey(metric)) continue;
          const column = `${row.task}/${metric}`;
          columns.add(column);
          entry.values[column] = numberOrNull(value);
        }
      }
      return { columns: [...columns].sort(), rows: [...byModel.values()] };
    },

    close: () => driver.close(),
  };
}

function summaryOf(row: RunRow): RunSummary {
  return {
    runId: row.run_id,
    modelId: row.model_id,
    modelName: row.model_name,
    backend: row.backend,
    tasks: row.tasks ?? [],
    start: isoOf(row.start_time),
    end: isoOf(row.end_time),
    costUsd: row.cost_usd,
    createdBy: row.created_by ?? '',
  };
}

function isoOf(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
