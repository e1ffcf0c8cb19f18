import { ConfigurationError } from '@evalchemy/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Leaderboard } from '../leaderboard.js';
import type { LeaderboardDriver } from '../leaderboard-driver.js';
import { resolveLeaderboardLocation } from '../leaderboard-location.js';
import { migrations } from '../migrations.js';
import { createLeaderboard, openLeaderboard, openLeaderboardDriver } from '../open-leaderboard.js';
import { buildRun, meanAndStderr, pushInputOf } from './run-fixture.js';
import { type DriverName, type TestPlace, testPlaces } from './test-databases.js';

const tables = ['models', 'datasets', 'evalsettings', 'evalresults', 'runs', 'run_tasks', 'sample_scores'];

/** Opens a fresh leaderboard, with its driver for reading the tables. */
async function fresh(
  create: () => Promise<TestPlace>,
): Promise<{ leaderboard: Leaderboard; driver: LeaderboardDriver }> {
  const place = await create();
  const location = resolveLeaderboardLocation(place.options);
  const driver = await openLeaderboardDriver(location);
  return { leaderboard: createLeaderboard(location, driver), driver };
}

async function counts(driver: LeaderboardDriver): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await driver.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`);
    result[table] = row?.n ?? -1;
  }
  return result;
}

/** The store's behaviour, the same for both drivers. */
export function describeStore(driverName: DriverName): void {
  describe(`the leaderboard store on ${driverName}`, () => {
    const places = testPlaces(driverName);
    afterAll(() => places.cleanUp());

    it('migrates an empty database, and opening it again changes nothing', async () => {
      const place = await places.create();
      const first = await openLeaderboard(place.options);
      expect(first.location.driver).toBe(driverName);
      await first.close();
      const location = resolveLeaderboardLocation(place.options);
      const driver = await openLeaderboardDriver(location);
      try {
        const applied = await driver.query<{ version: number; applied_at: Date }>(
          'SELECT version, applied_at FROM evalchemy_migrations ORDER BY version',
        );
        expect(applied.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
        for (const table of tables) {
          const [row] = await driver.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`);
          expect(row?.n, table).toBe(0);
        }
        await driver.close();
        const again = await openLeaderboardDriver(location);
        const reapplied = await again.query<{ version: number; applied_at: Date }>(
          'SELECT version, applied_at FROM evalchemy_migrations ORDER BY version',
        );
        expect(reapplied).toEqual(applied);
        await again.close();
      } finally {
        await driver.close().catch(() => undefined);
      }
    });

    it('pushes a run: table, run, samples, pairedScores and exportTable say what the files say', async () => {
      const { leaderboard, driver } = await fresh(places.create);
      try {
        const gsm8k = [1, 0, 1, 1, null, 0];
        const arc = [1, 1, 0];
        const run = buildRun({
          model: 'stories260K',
          tasks: [
            { task: 'gsm8k', scores: gsm8k, metric: 'exact_match_flexible' },
            { task: 'arc_challenge', scores: arc, metric: 'acc_norm', kind: 'loglikelihood' },
          ],
          failedTask: 'mmlu',
        });
        const outcome = await leaderboard.push(pushInputOf(run, '/tmp/out/stories260K/results_x.json'));
        expect(outcome).toMatchObject({
          runId: run.results.run_id,
          added: true,
          modelName: 'stories260K',
          tasks: 3,
          samples: 9,
        });

        const table = await leaderboard.table();
        const gsm8kScores = meanAndStderr([1, 0, 1, 1, 0]);
        expect(table.tasks).toEqual(['arc_challenge', 'gsm8k']);
        expect(table.rows).toHaveLength(1);
        expect(table.rows[0]).toMatchObject({
          modelId: outcome.modelId,
          modelName: 'stories260K',
          lastRunAt: run.results.timing.end,
        });
        expect(table.rows[0]?.cells.gsm8k).toEqual({
          runId: run.results.run_id,
          metric: 'exact_match_flexible',
          value: gsm8kScores.mean,
          stderr: gsm8kScores.stderr,
          scored: 5,
        });
        expect(table.rows[0]?.cells.arc_challenge?.value).toBeCloseTo(2 / 3);
        expect(table.rows[0]?.cells.mmlu).toBeUndefined();

        const detail = await leaderboard.run(run.results.run_id);
        expect(detail?.results).toEqual(run.results);
        expect(detail).toMatchObject({
          modelName: 'stories260K',
          backend: 'llamacpp',
          tasks: ['arc_challenge', 'gsm8k', 'mmlu'],
          start: run.results.timing.start,
          end: run.results.timing.end,
          costUsd: 0.25,
        });
        expect(await leaderboard.run('00000000-0000-4000-8000-000000000000')).toBeUndefined();
        expect(await leaderboard.run('not a uuid')).toBeUndefined();
        expect((await leaderboard.runs()).map((summary) => summary.runId)).toEqual([run.results.run_id]);

        const page = await leaderboard.samples(run.results.run_id, 'gsm8k', { offset: 3, limit: 2 });
        expect(page.total).toBe(6);
        expect(page.rows).toEqual([
          {
            sampleId: 'gsm8k-3',
            index: 3,
            prompt: 'Question 3?',
            answer: 'The answer is 3.',
            score: 1,
            metrics: { exact_match_flexible: 1, strict_match: 0.5 },
            error: null,
          },
          {
            sampleId: 'gsm8k-4',
            index: 4,
            prompt: 'Question 4?',
            answer: null,
            score: null,
            metrics: {},
            error: 'BackendCallError: HTTP 503',
          },
        ]);
        const arcPage = await leaderboard.samples(run.results.run_id, 'arc_challenge');
        expect(arcPage.rows.map((row) => [row.prompt, row.answer, row.score])).toEqual([
          ['Context 0', ' B', 1],
          ['Context 1', ' B', 1],
          ['Context 2', ' B', 0],
        ]);

        const other = buildRun({ model: 'other', tasks: [{ task: 'gsm8k', scores: [0, 0, 1, null, 1, 1] }] });
        await leaderboard.push(pushInputOf(other));
        const paired = await leaderboard.pairedScores(run.results.run_id, other.results.run_id, 'gsm8k');
        // Samples 3 and 4 failed in one run or the other: only samples both scored are paired.
        expect(paired).toEqual([
          { sampleId: 'gsm8k-0', a: 1, b: 0 },
          { sampleId: 'gsm8k-1', a: 0, b: 0 },
          { sampleId: 'gsm8k-2', a: 1, b: 1 },
          { sampleId: 'gsm8k-5', a: 0, b: 1 },
        ]);

        const exported = await leaderboard.exportTable();
        expect(exported.columns).toEqual([
          'arc_challenge/acc_norm',
          'arc_challenge/exact_match,strict-match',
          'gsm8k/exact_match',
          'gsm8k/exact_match,strict-match',
          'gsm8k/exact_match_flexible',
        ]);
        const mine = exported.rows.find((row) => row.modelName === 'stories260K');
        expect(mine?.values['gsm8k/exact_match_flexible']).toBe(gsm8kScores.mean);
        expect(mine?.values['gsm8k/exact_match']).toBeUndefined();

        // Evalchemy's tables: one evalsettings and one evalresults row per task and numeric metric.
        const results = await driver.query<{
          name: string;
          task: string;
          metric: string;
          score: number;
          stderr: number | null;
          completions_location: string | null;
        }>(
          `SELECT s.name, s.task, s.metric, e.score, e.stderr, e.completions_location
           FROM evalresults e JOIN evalsettings s ON s.id = e.eval_setting_id WHERE e.run_id = $1 ORDER BY s.name COLLATE "C"`,
          [run.results.run_id],
        );
        expect(results.map((row) => row.name)).toEqual([
          'arc_challenge_acc_norm',
          'arc_challenge_exact_match,strict-match',
          'gsm8k_exact_match,strict-match',
          'gsm8k_exact_match_flexible',
        ]);
        // lm-eval's `exact_match_stderr,strict-match` is the standard error of `exact_match,strict-match`.
        expect(results[2]?.stderr).toBe(gsm8kScores.stderr! / 2);
        expect(results[3]).toEqual({
          name: 'gsm8k_exact_match_flexible',
          task: 'gsm8k',
          metric: 'exact_match_flexible',
          score: gsm8kScores.mean,
          stderr: gsm8kScores.stderr,
          completions_location: '/tmp/out/stories260K/results_x.json',
        });
        const [model] = await driver.query<{
          weights_location: string;
          training_parameters: unknown;
          is_external: boolean;
          training_start: Date | null;
        }>(
          'SELECT weights_location, training_parameters, is_external, training_start FROM models WHERE id = $1',
          [outcome.modelId],
        );
        expect(model).toMatchObject({ weights_location: 'NA', training_parameters: {}, is_external: false });
        expect(model?.training_start).not.toBeNull();
      } finally {
        await leaderboard.close();
      }
    });

    it('adds nothing when the same run is pushed again', async () => {
      const { leaderboard, driver } = await fresh(places.create);
      try {
        const run = buildRun({ tasks: [{ task: 'gsm8k', scores: [1, 0, 1] }] });
        expect((await leaderboard.push(pushInputOf(run))).added).toBe(true);
        const before = await counts(driver);
        expect(before).toMatchObject({
          runs: 1,
          run_tasks: 1,
          sample_scores: 3,
          models: 1,
          evalresults: 2,
          evalsettings: 2,
        });
        const again = await leaderboard.push(pushInputOf(run));
        expect(again).toMatchObject({
          runId: run.results.run_id,
          added: false,
          tasks: 0,
          samples: 0,
          modelName: 'stories260K',
        });
        // Even under another model name: the run is already there, recorded under its first model.
        const renamed = await leaderboard.push({ ...pushInputOf(run), model: { modelName: 'someone else' } });
        expect(renamed).toMatchObject({ added: false, modelName: 'stories260K' });
        expect(await counts(driver)).toEqual(before);
      } finally {
        await leaderboard.close();
      }
    });

    it('records a second run of the same model as a new row, and the table shows the latest by end time', async () => {
      const { leaderboard, driver } = await fresh(places.create);
      try {
        const newer = buildRun({
          end: '2026-12-02T12:00:00.000Z',
          tasks: [{ task: 'gsm8k', scores: [1, 1, 1, 0] }],
        });
        const older = buildRun({
          end: '2026-12-01T12:00:00.000Z',
          tasks: [{ task: 'gsm8k', scores: [0, 0, 0, 1] }],
        });
        await leaderboard.push(pushInputOf(newer));
        // Pushed after, but ran before: it does not replace the newer one in the table.
        await leaderboard.push(pushInputOf(older));
        const table = await leaderboard.table();
        expect(table.rows).toHaveLength(1);
        expect(table.rows[0]?.cells.gsm8k).toMatchObject({ runId: newer.results.run_id, value: 0.75 });
        expect(table.rows[0]?.lastRunAt).toBe('2026-12-02T12:00:00.000Z');
        expect(await counts(driver)).toMatchObject({
          models: 1,
          runs: 2,
          run_tasks: 2,
          evalresults: 4,
          evalsettings: 2,
        });
        expect((await leaderboard.runs()).map((run) => run.runId)).toEqual([
          newer.results.run_id,
          older.results.run_id,
        ]);
        expect(await leaderboard.runs({ limit: 1 })).toHaveLength(1);
        const latest = buildRun({
          end: '2026-12-03T12:00:00.000Z',
          tasks: [{ task: 'gsm8k', scores: [0, 1] }],
        });
        await leaderboard.push(pushInputOf(latest));
        expect((await leaderboard.table()).rows[0]?.cells.gsm8k).toMatchObject({
          runId: latest.results.run_id,
          value: 0.5,
        });
      } finally {
        await leaderboard.close();
      }
    });

    it('never overwrites a run with another identity: both stay, with their own evalsettings', async () => {
      const { leaderboard, driver } = await fresh(places.create);
      try {
        const fewShot = buildRun({
          end: '2026-12-01T12:00:00.000Z',
          tasks: [{ task: 'gsm8k', scores: [1, 1], options: { num_fewshot: 8 }, identity: 'a'.repeat(64) }],
        });
        const zeroShot = buildRun({
          end: '2026-12-02T12:00:00.000Z',
          tasks: [{ task: 'gsm8k', scores: [0, 0], options: { num_fewshot: 0 }, identity: 'b'.repeat(64) }],
        });
        await leaderboard.push(pushInputOf(fewShot));
        await leaderboard.push(pushInputOf(zeroShot));
        const identities = await driver.query<{ identity: string; run_id: string }>(
          'SELECT identity, run_id FROM run_tasks ORDER BY identity',
        );
        expect(identities).toEqual([
          { identity: 'a'.repeat(64), run_id: fewShot.results.run_id },
          { identity: 'b'.repeat(64), run_id: zeroShot.results.run_id },
        ]);
        const settings = await driver.query<{
          name: string;
          parameters: { options: unknown };
          eval_version_hash: string;
        }>(
          "SELECT name, parameters, eval_version_hash FROM evalsettings WHERE name = 'gsm8k_exact_match' ORDER BY parameters->'options'->>'num_fewshot'",
        );
        expect(settings.map((row) => row.parameters.options)).toEqual([
          { num_fewshot: 0 },
          { num_fewshot: 8 },
        ]);
        expect(settings[0]?.eval_version_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(settings[0]?.eval_version_hash).not.toBe(settings[1]?.eval_version_hash);
        expect((await leaderboard.run(fewShot.results.run_id))?.results.results.gsm8k?.exact_match).toBe(1);
        expect(
          (await leaderboard.samples(fewShot.results.run_id, 'gsm8k')).rows.map((row) => row.score),
        ).toEqual([1, 1]);
      } finally {
        await leaderboard.close();
      }
    });

    it('records a run under an existing model id, refuses an unknown one, and takes a model name override', async () => {
      const { leaderboard, driver } = await fresh(places.create);
      try {
        const first = await leaderboard.push(
          pushInputOf(buildRun({ model: '/models/ckpt-1000.gguf', tasks: [{ task: 'gsm8k', scores: [1] }] })),
        );
        const unknown = '11111111-2222-4333-8444-555555555555';
        const refused = leaderboard.push({
          ...pushInputOf(buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] })),
          model: { modelId: unknown },
        });
        await expect(refused).rejects.toThrow(ConfigurationError);
        await expect(refused).rejects.toThrow(`model id ${unknown} is not in the leaderboard's models table`);
        await expect(
          leaderboard.push({
            ...pushInputOf(buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] })),
            model: { modelId: 'ckpt' },
          }),
        ).rejects.toThrow('model id "ckpt" is not a UUID');
        expect(await counts(driver)).toMatchObject({ models: 1, runs: 1 });

        const byId = await leaderboard.push({
          ...pushInputOf(
            buildRun({ model: '/elsewhere/ckpt.gguf', tasks: [{ task: 'gsm8k', scores: [0] }] }),
          ),
          model: { modelId: first.modelId },
        });
        expect(byId).toMatchObject({
          added: true,
          modelId: first.modelId,
          modelName: '/models/ckpt-1000.gguf',
        });

        const named = await leaderboard.push({
          ...pushInputOf(
            buildRun({ model: '/models/ckpt-2000.gguf', tasks: [{ task: 'gsm8k', scores: [1, 0] }] }),
          ),
          model: {
            modelName: 'My Model',
            createdBy: 'Researcher',
            creationLocation: 'Lab',
            isExternal: true,
          },
        });
        expect(named).toMatchObject({ added: true, modelName: 'My Model' });
        expect(named.modelId).not.toBe(first.modelId);
        const again = await leaderboard.push({
          ...pushInputOf(
            buildRun({ model: '/models/ckpt-3000.gguf', tasks: [{ task: 'gsm8k', scores: [1] }] }),
          ),
          model: { modelName: 'My Model' },
        });
        expect(again.modelId).toBe(named.modelId);
        const [row] = await driver.query<{
          created_by: string;
          creation_location: string;
          is_external: boolean;
        }>('SELECT created_by, creation_location, is_external FROM models WHERE id = $1', [named.modelId]);
        expect(row).toEqual({ created_by: 'Researcher', creation_location: 'Lab', is_external: true });
        const table = await leaderboard.table({ modelFilter: 'my mod' });
        expect(table.rows.map((entry) => entry.modelName)).toEqual(['My Model']);
        expect((await leaderboard.table({ modelFilter: '%' })).rows).toEqual([]);
        expect((await leaderboard.runs({ modelId: first.modelId })).map((run) => run.runId)).toEqual([
          byId.runId,
          first.runId,
        ]);
      } finally {
        await leaderboard.close();
      }
    });

    it('refuses an invalid results file, naming it and the field, and writes nothing', async () => {
      const { leaderboard, driver } = await fresh(places.create);
      try {
        const run = buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] });
        const broken = { ...run.results, timing: { ...run.results.timing, end: 'yesterday' } };
        const attempt = leaderboard.push({
          results: broken,
          samples: run.samples,
          resultsPath: '/runs/results_1.json',
        });
        await expect(attempt).rejects.toThrow(ConfigurationError);
        await expect(attempt).rejects.toThrow(
          /\/runs\/results_1\.json is not an evalchemy results file: timing\.end/,
        );
        const badSample = { ...run.samples.gsm8k?.[0], index: -1 } as never;
        await expect(
          leaderboard.push({
            results: run.results,
            samples: { gsm8k: [badSample] },
            resultsPath: '/runs/results_1.json',
          }),
        ).rejects.toThrow(/sample 1 of task gsm8k .* index/);
        expect(Object.values(await counts(driver)).every((n) => n === 0)).toBe(true);
      } finally {
        await leaderboard.close();
      }
    });

    it('stores chat prompts and answers as text', async () => {
      const { leaderboard } = await fresh(places.create);
      try {
        const run = buildRun({ tasks: [{ task: 'mtbench', scores: [0.5], metric: 'score', kind: 'chat' }] });
        await leaderboard.push(pushInputOf(run));
        const [row] = (await leaderboard.samples(run.results.run_id, 'mtbench')).rows;
        expect(row?.prompt).toBe('Be brief.\n\nTurn one of 0\n\nTurn two of 0');
        expect(row?.answer).toBe('Answer one 0\n\nAnswer two 0');
        expect(await leaderboard.samples(run.results.run_id, 'nothing')).toEqual({ total: 0, rows: [] });
      } finally {
        await leaderboard.close();
      }
    });

    it('pushes 5 000 samples of a task', async () => {
      const { leaderboard } = await fresh(places.create);
      try {
        const scores = Array.from({ length: 5_000 }, (_, index) => (index % 3 === 0 ? 1 : 0));
        const run = buildRun({ tasks: [{ task: 'mmlu', scores }] });
        expect((await leaderboard.push(pushInputOf(run))).samples).toBe(5_000);
        const page = await leaderboard.samples(run.results.run_id, 'mmlu', { offset: 4_998, limit: 10 });
        expect(page.total).toBe(5_000);
        expect(page.rows.map((row) => [row.index, row.score])).toEqual([
          [4_998, 1],
          [4_999, 0],
        ]);
        expect(await leaderboard.pairedScores(run.results.run_id, run.results.run_id, 'mmlu')).toHaveLength(
          5_000,
        );
      } finally {
        await leaderboard.close();
      }
    });
  });
}
