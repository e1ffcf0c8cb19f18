import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { startLeaderboardProcess } from './__fixtures__/leaderboard-process-client.js';
import { buildRun, pushInputOf } from './__fixtures__/run-fixture.js';
import { testPlaces } from './__fixtures__/test-databases.js';
import type { LeaderboardTable } from './leaderboard.js';
import { openLeaderboard } from './open-leaderboard.js';
import { type LeaderboardLockHolder, LOCK_FILE_NAME } from './pglite-lock.js';

describe('the PGlite directory lock', () => {
  const places = testPlaces('pglite');
  afterAll(() => places.cleanUp());

  it('takes over a lock whose process is gone', async () => {
    const { options } = await places.create();
    const gone = execa(process.execPath, ['-e', '']);
    await gone;
    const directory = options.directory ?? '';
    await writeFile(
      join(directory, LOCK_FILE_NAME),
      JSON.stringify({
        pid: gone.pid,
        command: 'evalchemy leaderboard push (killed)',
        host: hostname(),
        token: 'old',
      }),
    );
    const waits: LeaderboardLockHolder[] = [];
    const leaderboard = await openLeaderboard({ ...options, onWait: (holder) => waits.push(holder) });
    try {
      expect(waits).toEqual([]);
      expect(JSON.parse(await readFile(join(directory, LOCK_FILE_NAME), 'utf8'))).toMatchObject({
        pid: process.pid,
      });
      expect(
        (await leaderboard.push(pushInputOf(buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] })))).added,
      ).toBe(true);
    } finally {
      await leaderboard.close();
    }
    await expect(readFile(join(directory, LOCK_FILE_NAME))).rejects.toThrow(/ENOENT/);
  });

  it('makes a second opener wait for the holder, saying who holds it, and lets it in when the holder closes', async () => {
    const { options } = await places.create();
    const holder = startLeaderboardProcess(options);
    try {
      await holder.next('ready');
      let waited: (holder: LeaderboardLockHolder) => void = () => undefined;
      const waitedFor = new Promise<LeaderboardLockHolder>((resolve) => {
        waited = resolve;
      });
      const waits: LeaderboardLockHolder[] = [];
      const opening = openLeaderboard({
        ...options,
        onWait: (who) => {
          waits.push(who);
          waited(who);
        },
      });
      const who = await waitedFor;
      expect(who.pid).toBe(holder.pid);
      expect(who.command).toContain('leaderboard-process');
      holder.send('close');
      await holder.next('closed');
      const leaderboard = await opening;
      try {
        expect(waits).toHaveLength(1);
        expect(
          (await leaderboard.push(pushInputOf(buildRun({ tasks: [{ task: 'gsm8k', scores: [1] }] })))).added,
        ).toBe(true);
      } finally {
        await leaderboard.close();
      }
    } finally {
      await holder.end();
    }
  });

  it('with releaseWhenIdleMs, a long-lived holder lets another process in while idle and reopens after', async () => {
    const { options } = await places.create();
    const server = startLeaderboardProcess({ ...options, releaseWhenIdleMs: 200 });
    try {
      await server.next('ready');
      // The server process stays alive; this open gets in once it is idle.
      const leaderboard = await openLeaderboard(options);
      const run = buildRun({ model: 'pushed-meanwhile', tasks: [{ task: 'gsm8k', scores: [1, 0] }] });
      try {
        expect((await leaderboard.push(pushInputOf(run))).added).toBe(true);
      } finally {
        await leaderboard.close();
      }
      server.send('table');
      const table = await server.next<LeaderboardTable>('table');
      expect(table.rows.map((row) => row.modelName)).toEqual(['pushed-meanwhile']);
      server.send('close');
      await server.next('closed');
    } finally {
      await server.end();
    }
  });
});
