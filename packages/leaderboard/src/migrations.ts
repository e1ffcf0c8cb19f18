import type { LeaderboardDriver } from './leaderboard-driver.js';

/**
 * The schema, one migration per version, applied in order; the same SQL for both drivers. A published
 * migration is never edited: a change is a new version.
 */
export const migrations: { version: number; statements: string[] }[] = [
  {
    version: 1,
    statements: [
      // Evalchemy's tables (database/models.py), with its columns and meaning.
      `CREATE TABLE datasets (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_by text,
        creation_location text,
        creation_time timestamptz,
        data_location text,
        generation_parameters jsonb,
        dataset_type text
      )`,
      `CREATE TABLE models (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        base_model_id uuid REFERENCES models (id),
        created_by text,
        creation_location text,
        creation_time timestamptz,
        training_start timestamptz,
        training_end timestamptz,
        training_parameters jsonb,
        training_status text,
        dataset_id uuid REFERENCES datasets (id),
        is_external boolean,
        weights_location text,
        wandb_link text,
        git_commit_hash text,
        last_modified timestamptz
      )`,
      'CREATE INDEX models_name_creation_time ON models (name, creation_time)',
      `CREATE TABLE evalsettings (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        parameters jsonb NOT NULL,
        eval_version_hash char(64) NOT NULL,
        display_order integer,
        task text NOT NULL,
        metric text NOT NULL
      )`,
      'CREATE UNIQUE INDEX evalsettings_name_hash ON evalsettings (name, eval_version_hash)',
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
      `CREATE TABLE evalresults (
        id uuid PRIMARY KEY,
        model_id uuid NOT NULL REFERENCES models (id),
        eval_setting_id uuid NOT NULL REFERENCES evalsettings (id),
        score double precision,
        dataset_id uuid REFERENCES datasets (id),
        created_by text,
        creation_time timestamptz,
        creation_location text,
        completions_location text,
        run_id uuid REFERENCES runs (run_id),
        stderr double precision
      )`,
      'CREATE INDEX evalresults_model ON evalresults (model_id)',
      'CREATE INDEX evalresults_run ON evalresults (run_id)',
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
