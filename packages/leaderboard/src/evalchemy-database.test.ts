import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRun, pushInputOf } from './__fixtures__/run-fixture.js';
import { testPlaces } from './__fixtures__/test-databases.js';
import { openLeaderboard } from './open-leaderboard.js';

// A team's PostgreSQL that Evalchemy (mlfoundations/evalchemy, database/models.py) already filled: its four
// tables as it creates them, NOT NULL columns included, with a model and a result of its own.
const evalchemySchema = `
  CREATE TABLE datasets (id uuid PRIMARY KEY, name text NOT NULL, created_by text NOT NULL,
    creation_location text NOT NULL, creation_time timestamptz NOT NULL, data_location text NOT NULL,
    generation_parameters jsonb NOT NULL, dataset_type text NOT NULL);
  CREATE TABLE models (id uuid PRIMARY KEY, name text NOT NULL, base_model_id uuid REFERENCES models (id),
    created_by text NOT NULL, creation_location text NOT NULL, training_start timestamptz NOT NULL,
    training_end timestamptz, training_parameters jsonb NOT NULL, training_status text,
    dataset_id uuid REFERENCES datasets (id), is_external boolean NOT NULL, weights_location text NOT NULL,
    wandb_link text);
  CREATE TABLE evalsettings (id uuid PRIMARY KEY, name text NOT NULL, parameters jsonb NOT NULL,
    eval_version_hash char(64));
  CREATE TABLE evalresults (id uuid PRIMARY KEY, model_id uuid REFERENCES models (id),
    eval_setting_id uuid REFERENCES evalsettings (id), score double precision, dataset_id uuid REFERENCES datasets (id),
    created_by text NOT NULL, creation_time timestamptz NOT NULL, creation_location text NOT NULL,
    completions_location text NOT NULL);
  INSERT INTO models VALUES ('11111111-1111-4111-8111-111111111111', 'team/llama-sft', NULL, 'alice', 'cluster',
    now(), NULL, '{}', NULL, NULL, false, 'NA', NULL);
  INSERT INTO evalsettings VALUES ('22222222-2222-4222-8222-222222222222', 'MTBench_Turn 1', '{}', 'abc123');
  INSERT INTO evalsettings VALUES ('33333333-3333-4333-8333-333333333333', 'MTBench_Turn 1', '{"x": 1}', 'abc123');
  INSERT INTO evalresults VALUES ('44444444-4444-4444-8444-444444444444', '11111111-1111-4111-8111-111111111111',
    '22222222-2222-4222-8222-222222222222', 7.5, NULL, 'alice', now(), 'cluster', 'NA');
`;

describe('a PostgreSQL database Evalchemy made', () => {
  const places = testPlaces('postgres');
  afterAll(() => places.cleanUp());

  it('is adopted: its rows are kept, its model is found by name, and runs pushed over HTTP fit its NOT NULL columns', async () => {
    const { options } = await places.create();
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    try {
      await client.query(evalchemySchema);
      const leaderboard = await openLeaderboard(options);
      try {
        const run = buildRun({ model: 'team/llama-sft', tasks: [{ task: 'gsm8k', scores: [1, 0, 1] }] });
        const outcome = await leaderboard.push(pushInputOf(run, null));
        expect(outcome).toMatchObject({ added: true, modelId: '11111111-1111-4111-8111-111111111111' });
        expect((await leaderboard.table()).rows.map((row) => row.modelName)).toEqual(['team/llama-sft']);
      } finally {
        await leaderboard.close();
      }
      const results = await client.query<{ name: string; score: number; completions_location: string }>(
        `SELECT s.name, e.score, e.completions_location FROM evalresults e JOIN evalsettings s ON s.id = e.eval_setting_id
         WHERE e.model_id = '11111111-1111-4111-8111-111111111111' ORDER BY s.name`,
      );
      expect(results.rows[0]).toEqual({ name: 'MTBench_Turn 1', score: 7.5, completions_location: 'NA' });
      expect(results.rows.filter((row) => row.name.startsWith('gsm8k_')).length).toBeGreaterThan(0);
      expect(results.rows.every((row) => row.completions_location === 'NA')).toBe(true);
      const models = await client.query('SELECT count(*)::int AS n FROM models');
      expect(models.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });
});
