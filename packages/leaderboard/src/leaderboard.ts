import type { ResultsFileV1, SampleRecordV1 } from '@evalchemy/core';

/*
 * The leaderboard store: every pushed run in PostgreSQL, embedded (PGlite) by default. One schema and one set of
 * migrations serve both drivers. The tables `models`, `datasets`, `evalsettings` and `evalresults` keep
 * Evalchemy's columns and meaning, so its users' SQL and CSV tools keep working; `runs`, `run_tasks` and
 * `sample_scores` are ours: a run's identity per task, versions, timing and cost, and its samples, so that two
 * runs can be compared sample by sample.
 */

/** Which database a leaderboard is in. */
export type LeaderboardLocation =
  /** Embedded PGlite in `directory` (default: `EVALCHEMY_LEADERBOARD_DIR`, else the user's data directory). */
  | { driver: 'pglite'; directory: string }
  /**
   * A PostgreSQL server: `--database_url`, else `EVALCHEMY_DATABASE_URL`, else Evalchemy's `DB_HOST`, `DB_PORT`,
   * `DB_USER`, `DB_PASSWORD`, `DB_NAME`. `display` is the URL without its password, for messages.
   */
  | { driver: 'postgres'; url: string; display: string };

/** How the model of a pushed run is named in `models` (Evalchemy's `--model_id`, `--model_name`, …). */
export interface PushModelOptions {
  /** An existing `models.id` (UUID): the run is that model's. An unknown id is an error. */
  modelId?: string;
  /** The model's name; default: the results file's `model.model_id`. A name not yet in `models` is added. */
  modelName?: string;
  /** `created_by` of new rows; default: the user name of the process. */
  createdBy?: string;
  /** `creation_location` of new rows; default: the host name. */
  creationLocation?: string;
  /** `models.is_external` of a new model; default false. */
  isExternal?: boolean;
}

/** One run to push: a results file and its samples. */
export interface PushInput {
  /** The results file, parsed with core's `resultsFileSchema`. */
  results: ResultsFileV1;
  /** Per task, its sample records (the lines of `samples_<task>_<timestamp>.jsonl`); tasks without a file are absent. */
  samples: Record<string, SampleRecordV1[]>;
  /** Where the results file is (stored as `evalresults.completions_location`, `NA` when null); null when pushed over HTTP. */
  resultsPath: string | null;
  model?: PushModelOptions;
}

/** What a push did. */
export interface PushOutcome {
  runId: string;
  /** False when the run (its `run_id`) was already in the leaderboard: nothing was written. */
  added: boolean;
  /** `models.id` and name the run was recorded under. */
  modelId: string;
  modelName: string;
  /** Tasks and sample rows written (0 when not added). */
  tasks: number;
  samples: number;
}

/** One cell of the main table: a task's primary metric in the latest run of a model that has it. */
export interface LeaderboardCell {
  runId: string;
  metric: string;
  value: number | null;
  stderr: number | null;
  /** Samples scored in that run. */
  scored: number;
}

/** The main table: models × tasks. */
export interface LeaderboardTable {
  /** Every task with at least one result, sorted. */
  tasks: string[];
  rows: {
    modelId: string;
    modelName: string;
    /** Per task id; a task the model has no result for is absent. */
    cells: Record<string, LeaderboardCell>;
    /** End time of the model's latest run (ISO 8601). */
    lastRunAt: string;
  }[];
}

/** One run in a listing. */
export interface RunSummary {
  runId: string;
  modelId: string;
  modelName: string;
  backend: string;
  tasks: string[];
  /** ISO 8601. */
  start: string;
  end: string;
  /** Model and judges together, in US dollars; null when unknown. */
  costUsd: number | null;
  createdBy: string;
}

/** A run with everything its page shows. */
export interface RunDetail extends RunSummary {
  /** The results file as pushed (`config`, `versions`, `usage`, `tasks.<task>.identity`, every metric). */
  results: ResultsFileV1;
}

/** One sample of a run, for browsing. */
export interface SampleRow {
  sampleId: string;
  index: number;
  /** The prompt as text: a completion prompt, a chat's system message and turns, a loglikelihood context. */
  prompt: string;
  /** The answer as text: the first generation's turns, or the chosen continuation; null when the sample failed. */
  answer: string | null;
  /** The task's primary metric for this sample; null when not scored. */
  score: number | null;
  metrics: Record<string, number | null>;
  error: string | null;
}

/** A sample both runs scored: its primary-metric values in run A and run B. */
export interface PairedScore {
  sampleId: string;
  a: number;
  b: number;
}

/** An open leaderboard. Every method may be called concurrently; `close` ends it. */
export interface Leaderboard {
  readonly location: LeaderboardLocation;
  /**
   * Records a run in one transaction: its model (found or added), one `evalsettings` row per task and metric
   * (found or added), one `evalresults` row per task and metric, and `runs`, `run_tasks` and `sample_scores`.
   * Idempotent by `run_id`; safe from several processes at once.
   */
  push(input: PushInput): Promise<PushOutcome>;
  /** The main table, optionally only models whose name contains `modelFilter` (case-insensitive). */
  table(options?: { modelFilter?: string }): Promise<LeaderboardTable>;
  /** Runs, newest first. */
  runs(options?: { modelId?: string; limit?: number }): Promise<RunSummary[]>;
  /** One run, or undefined when there is none with that id. */
  run(runId: string): Promise<RunDetail | undefined>;
  /** A page of a run's samples of one task, in index order; `total` is the number of samples of that task. */
  samples(
    runId: string,
    task: string,
    options?: { offset?: number; limit?: number },
  ): Promise<{ total: number; rows: SampleRow[] }>;
  /** The samples of `task` that both runs scored (primary metric not null, no error), joined by sample id. */
  pairedScores(runA: string, runB: string, task: string): Promise<PairedScore[]>;
  /**
   * Evalchemy's CSV export: one row per model, with its name and id, and one column per `<task>/<metric>` with
   * the latest run's value (stderr columns excluded), sorted.
   */
  exportTable(): Promise<{
    columns: string[];
    rows: { modelId: string; modelName: string; values: Record<string, number | null> }[];
  }>;
  close(): Promise<void>;
}
