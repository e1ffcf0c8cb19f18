import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { startLeaderboardProcess } from './__fixtures__/leaderboard-process-client.js';
import { buildRun, pushInputOf, writeRunFiles } from './__fixtures__/run-fixture.js';
import { testPlaces } from './__fixtures__/test-databases.js';
import type { LeaderboardTable, PushOutcome } from './leaderboard.js';
import { openLeaderboard } from './open-leaderboard.js';
import {
  hasLeaderboardWaiters,
  type LeaderboardLockHolder,
  LOCK_FILE_NAME,
  lockCommand,
} from './pglite-lock.js';

describe('the PGlite directory lock', () => {
  const places = testPlaces('pglite');
  afterAll(() => places.cleanUp());

  it('records the holder as its script and subcommand, never the rest of its command line', () => {
    expect(
      lockCommand([
        '/usr/bin/node',
        '/opt/evalchemy/dist/bin.js',
        'run',
        '--model_args',
        'api_key=sk-secret',
        '--use_database',
      ]),
    ).toBe('bin.js run');
    expect(
      lockCommand(['/usr/bin/node', '/usr/bin/evalchemy', 'leaderboard', 'serve', '--port', '8000']),
    ).toBe('evalchemy leaderboard serve');
    expect(lockCommand(['node', '/x/push.js', 'postgres://u:pw@h/d'])).toBe('push.js');
  });

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

  it('opens a leaderboard whose holder was killed, with what it had pushed', async () => {
    const { options } = await places.create();
    const files = await mkdtemp(join(tmpdir(), 'evalchemy-killed-'));
    try {
      const run = buildRun({ model: 'before-the-kill', tasks: [{ task: 'gsm8k', scores: [1, 0, 1] }] });
      const path = await writeRunFiles(files, run);
      const holder = startLeaderboardProcess(options);
      await holder.next('ready');
      holder.send(`push ${path}`);
      expect(await holder.next<PushOutcome>('pushed')).toMatchObject({ added: true });
      holder.child.kill('SIGKILL');
      await holder.child;
      const waits: LeaderboardLockHolder[] = [];
      const leaderboard = await openLeaderboard({ ...options, onWait: (who) => waits.push(who) });
      try {
        expect(waits).toEqual([]);
        expect((await leaderboard.table()).rows.map((row) => row.modelName)).toEqual(['before-the-kill']);
        expect((await leaderboard.samples(run.results.run_id, 'gsm8k')).total).toBe(3);
      } finally {
        await leaderboard.close();
      }
    } finally {
      await rm(files, { recursive: true, force: true });
    }
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

  it('with releaseWhenIdleMs but nobody waiting, the holder keeps the database open (a reopen costs time)', async () => {
    const { options } = await places.create();
    const server = startLeaderboardProcess({ ...options, releaseWhenIdleMs: 50 });
    try {
      await server.next('ready');
      await new Promise((resolve) => setTimeout(resolve, 500)); // ten idle periods
      const lock = JSON.parse(await readFile(join(options.directory ?? '', LOCK_FILE_NAME), 'utf8'));
      expect(lock.pid).toBe(server.pid);
      server.send('close');
      await server.next('closed');
    } finally {
      await server.end();
    }
  });

  it('forgets the waiting mark of a process that died while waiting', async () => {
    const { options } = await places.create();
    const directory = options.directory ?? '';
    const gone = execa(process.execPath, ['-e', '']);
    await gone;
    await writeFile(join(directory, `${LOCK_FILE_NAME}.waiting-${gone.pid}.x`), '');
    expect(hasLeaderboardWaiters(directory)).toBe(false);
    expect((await readdir(directory)).filter((name) => name.includes('waiting'))).toEqual([]);
    await writeFile(join(directory, `${LOCK_FILE_NAME}.waiting-${process.pid}.y`), '');
    expect(hasLeaderboardWaiters(directory)).toBe(true);
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
