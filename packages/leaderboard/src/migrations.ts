import type { LeaderboardDriver } from './leaderboard-driver.js';

/**
 * The schema, one migration per version, applied in order; the same SQL for both drivers. A published
 * migration is never edited: a change is a new version.
 */
export const migrations: { version: number; statements: string[] }[] = [
  {
    version: 1,
    statements: [
      // Evalchemy's tables (database/models.py), with its columns and meaning. A database Evalchemy already
      // made is adopted as it is: its tables are kept with their rows, and the columns it may lack (added by
      // later Evalchemy versions, or ours) are added, nullable.
      `CREATE TABLE IF NOT EXISTS datasets (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_by text,
        creation_location text,
        creation_time timestamptz,
        data_location text,
        generation_parameters jsonb,
        dataset_type text
      )`,
      `CREATE TABLE IF NOT EXISTS models (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        base_model_id uuid REFERENCES models (id),
        created_by text,
        creation_location text,
        training_start timestamptz,
        training_end timestamptz,
        training_parameters jsonb,
        training_status text,
        dataset_id uuid REFERENCES datasets (id),
        is_external boolean,
        weights_location text,
        wandb_link text
      )`,
      'ALTER TABLE models ADD COLUMN IF NOT EXISTS creation_time timestamptz',
      'ALTER TABLE models ADD COLUMN IF NOT EXISTS git_commit_hash text',
      'ALTER TABLE models ADD COLUMN IF NOT EXISTS last_modified timestamptz',
      'CREATE INDEX IF NOT EXISTS models_name_creation_time ON models (name, creation_time)',
      `CREATE TABLE IF NOT EXISTS evalsettings (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        parameters jsonb NOT NULL,
        eval_version_hash char(64)
      )`,
      'ALTER TABLE evalsettings ADD COLUMN IF NOT EXISTS display_order integer',
      // Ours: the task and metric of a setting we added (null on Evalchemy's own rows).
      'ALTER TABLE evalsettings ADD COLUMN IF NOT EXISTS task text',
      'ALTER TABLE evalsettings ADD COLUMN IF NOT EXISTS metric text',
      // Only our settings are unique by name and hash: Evalchemy's may repeat a name and git hash.
      'CREATE UNIQUE INDEX IF NOT EXISTS evalsettings_name_hash ON evalsettings (name, eval_version_hash) WHERE task IS NOT NULL',
      // Ours: runs, their tasks and their samples.
      `CREATE TABLE runs (
        run_id uuid PRIMARY KEY,
        model_id uuid NOT NULL REFERENCES models (id),
        backend text NOT NULL,
        model text NOT NULL,
        results jsonb NOT NULL,
        start_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        wall_clock_seconds double precision NOT NULL,
        cost_usd double precision,
        created_by text,
        creation_location text,
        pushed_at timestamptz NOT NULL
      )`,
      'CREATE INDEX runs_model_end_time ON runs (model_id, end_time DESC)',
      'CREATE INDEX runs_end_time ON runs (end_time DESC)',
      `CREATE TABLE run_tasks (
        run_id uuid NOT NULL REFERENCES runs (run_id),
        task text NOT NULL,
        identity char(64) NOT NULL,
        version text NOT NULL,
        primary_metric text,
        metrics jsonb NOT NULL,
        effective integer NOT NULL,
        scored integer NOT NULL,
        failed integer NOT NULL,
        cost_usd double precision,
        PRIMARY KEY (run_id, task)
      )`,
      'CREATE INDEX run_tasks_task_identity ON run_tasks (task, identity)',
      `CREATE TABLE IF NOT EXISTS evalresults (
        id uuid PRIMARY KEY,
        model_id uuid REFERENCES models (id),
        eval_setting_id uuid REFERENCES evalsettings (id),
        score double precision,
        dataset_id uuid REFERENCES datasets (id),
        created_by text,
        creation_time timestamptz,
        creation_location text,
        completions_location text
      )`,
      // Ours: the run a result belongs to (null on Evalchemy's own rows) and its standard error.
      'ALTER TABLE evalresults ADD COLUMN IF NOT EXISTS run_id uuid REFERENCES runs (run_id)',
      'ALTER TABLE evalresults ADD COLUMN IF NOT EXISTS stderr double precision',
      'CREATE INDEX IF NOT EXISTS evalresults_model ON evalresults (model_id)',
      'CREATE INDEX IF NOT EXISTS evalresults_run ON evalresults (run_id)',
      `CREATE TABLE sample_scores (
        run_id uuid NOT NULL,
        task text NOT NULL,
        sample_id text NOT NULL,
        sample_index integer NOT NULL,
        score double precision,
        metrics jsonb,
        prompt text NOT NULL,
        answer text,
        error text,
        PRIMARY KEY (run_id, task, sample_id),
        FOREIGN KEY (run_id, task) REFERENCES run_tasks (run_id, task)
      )`,
      'CREATE INDEX sample_scores_order ON sample_scores (run_id, task, sample_index)',
    ],
  },
];

/** The advisory lock key under which migrations run (two processes migrating at once take turns). */
const migrationLockKey = 7_315_001;

/** Applies the migrations not yet applied, in order, in one transaction. Returns the versions applied. */
export async function migrate(driver: Pick<LeaderboardDriver, 'transaction'>): Promise<number[]> {
  return driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS evalchemy_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)',
    );
    const rows = await tx.query<{ version: number }>('SELECT version FROM evalchemy_migrations');
    const applied = new Set(rows.map((row) => Number(row.version)));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO evalchemy_migrations (version, applied_at) VALUES ($1, now())', [
        migration.version,
      ]);
      done.push(migration.version);
    }
    return done;
  });
}
