import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLeaderboardProcess } from './__fixtures__/leaderboard-process-client.js';
import { buildRun, writeRunFiles } from './__fixtures__/run-fixture.js';
import { type DriverName, testPlaces } from './__fixtures__/test-databases.js';
import type { PushOutcome } from './leaderboard.js';
import { resolveLeaderboardLocation } from './leaderboard-location.js';
import { openLeaderboardDriver } from './open-leaderboard.js';

// Several real processes push into one leaderboard at once: different runs, and one run they all push.
for (const driverName of ['pglite', 'postgres'] as DriverName[]) {
  describe(`concurrent pushes on ${driverName}`, () => {
    const places = testPlaces(driverName);
    let files: string | undefined;
    afterAll(async () => {
      await places.cleanUp();
      if (files !== undefined) await rm(files, { recursive: true, force: true });
    });

    it('lose nothing and duplicate nothing', async () => {
      const place = await places.create();
      files = await mkdtemp(join(tmpdir(), 'evalchemy-leaderboard-runs-'));
      const tasks = (samples: number) => [
        { task: 'gsm8k', scores: Array.from({ length: samples }, (_, index) => index % 2) },
        { task: 'arc_challenge', scores: [1, 0, 1], metric: 'acc_norm', kind: 'loglikelihood' as const },
      ];
      const shared = buildRun({ model: 'shared-model', tasks: tasks(40) });
      const sharedPath = await writeRunFiles(join(files, 'shared'), shared);
      const processes = 3;
      const perProcess = 2;
      const own: string[][] = [];
      let expectedSamples = 40 + 3;
      for (let p = 0; p < processes; p += 1) {
        const paths: string[] = [];
        for (let r = 0; r < perProcess; r += 1) {
          // Two model names across all processes: their rows are found or added by racing pushes.
          const run = buildRun({ model: `model-${r}`, tasks: tasks(10 + p) });
          expectedSamples += 10 + p + 3;
          paths.push(await writeRunFiles(join(files, `p${p}-r${r}`), run));
        }
        own.push(paths);
      }

      const children = own.map((paths) => {
        const child = startLeaderboardProcess(place.options);
        // Each pushes the shared run in the middle of its own.
        for (const path of [paths[0], sharedPath, paths[1]]) child.send(`push ${path}`);
        child.send('close');
        return child;
      });
      const outcomes: PushOutcome[] = [];
      for (const child of children) {
        for (let i = 0; i < 3; i += 1) outcomes.push(await child.next<PushOutcome>('pushed'));
        await child.next('closed');
        await child.end();
      }

      const sharedOutcomes = outcomes.filter((outcome) => outcome.runId === shared.results.run_id);
      expect(sharedOutcomes.map((outcome) => outcome.added).sort()).toEqual([false, false, true]);
      expect(outcomes.filter((outcome) => outcome.added)).toHaveLength(processes * perProcess + 1);

      const driver = await openLeaderboardDriver(resolveLeaderboardLocation(place.options));
      try {
        const count = async (sql: string) => (await driver.query<{ n: number }>(sql))[0]?.n;
        expect(await count('SELECT count(*)::integer AS n FROM runs')).toBe(processes * perProcess + 1);
        expect(await count('SELECT count(*)::integer AS n FROM run_tasks')).toBe(
          2 * (processes * perProcess + 1),
        );
        expect(await count('SELECT count(*)::integer AS n FROM sample_scores')).toBe(expectedSamples);
        const models = await driver.query<{ name: string }>('SELECT name FROM models ORDER BY name');
        expect(models.map((row) => row.name)).toEqual(['model-0', 'model-1', 'shared-model']);
        // Every run has the same configuration per task: one setting per task and metric.
        expect(await count('SELECT count(*)::integer AS n FROM evalsettings')).toBe(4);
        expect(await count('SELECT count(*)::integer AS n FROM evalresults')).toBe(
          4 * (processes * perProcess + 1),
        );
      } finally {
        await driver.close();
      }
    });
  });
}
