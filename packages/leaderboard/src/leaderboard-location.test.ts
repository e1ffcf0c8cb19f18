import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { inspect } from 'node:util';
import envPaths from 'env-paths';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRun, pushInputOf } from './__fixtures__/run-fixture.js';
import { testPlaces, testServerUrl } from './__fixtures__/test-databases.js';
import { LeaderboardConnectionError } from './leaderboard-connection-error.js';
import { resolveLeaderboardLocation } from './leaderboard-location.js';
import { openLeaderboard } from './open-leaderboard.js';

describe('resolveLeaderboardLocation', () => {
  it('takes the explicit URL first, then EVALCHEMY_DATABASE_URL, then DB_HOST and its companions', () => {
    const env = {
      EVALCHEMY_DATABASE_URL: 'postgres://env:pw1@env-host/envdb',
      DB_HOST: 'db-host',
      EVALCHEMY_LEADERBOARD_DIR: '/data/lb',
    };
    expect(resolveLeaderboardLocation({ databaseUrl: 'postgres://flag@flag-host:6543/flagdb', env })).toEqual(
      {
        driver: 'postgres',
        url: 'postgres://flag@flag-host:6543/flagdb',
        display: 'postgres://flag@flag-host:6543/flagdb',
      },
    );
    expect(resolveLeaderboardLocation({ env })).toEqual({
      driver: 'postgres',
      url: 'postgres://env:pw1@env-host/envdb',
      display: 'postgres://env:***@env-host/envdb',
    });
    expect(
      resolveLeaderboardLocation({
        env: {
          DB_HOST: 'db.example.org',
          DB_USER: 'eval user',
          DB_PASSWORD: 'p@ss:w/rd?#%',
          DB_NAME: 'evals',
          DB_PORT: '6000',
        },
      }),
    ).toEqual({
      driver: 'postgres',
      url: 'postgres://eval%20user:p%40ss%3Aw%2Frd%3F%23%25@db.example.org:6000/evals',
      display: 'postgres://eval%20user:***@db.example.org:6000/evals',
    });
    expect(resolveLeaderboardLocation({ env: { DB_HOST: 'db.example.org' } })).toMatchObject({
      url: 'postgres://db.example.org:5432/',
    });
  });

  it('is PGlite in the directory given, else EVALCHEMY_LEADERBOARD_DIR, else the user data directory', () => {
    expect(
      resolveLeaderboardLocation({ directory: '/tmp/mine', env: { EVALCHEMY_LEADERBOARD_DIR: '/data/lb' } }),
    ).toEqual({
      driver: 'pglite',
      directory: '/tmp/mine',
    });
    expect(resolveLeaderboardLocation({ env: { EVALCHEMY_LEADERBOARD_DIR: '/data/lb' } })).toEqual({
      driver: 'pglite',
      directory: '/data/lb',
    });
    expect(resolveLeaderboardLocation({ env: {} })).toEqual({
      driver: 'pglite',
      directory: join(envPaths('evalchemy', { suffix: '' }).data, 'leaderboard'),
    });
    // A server named anywhere wins over a directory.
    expect(resolveLeaderboardLocation({ directory: '/tmp/mine', env: { DB_HOST: 'h' } }).driver).toBe(
      'postgres',
    );
  });

  it('never shows a password in display, even in a query parameter', () => {
    const location = resolveLeaderboardLocation({
      databaseUrl: 'postgresql://u:hunter2@h:1/d?sslmode=require&password=hunter3',
    });
    expect(location.driver === 'postgres' && location.display).toBe(
      'postgresql://u:***@h:1/d?sslmode=require&password=***',
    );
  });
});

describe('connecting to PostgreSQL', () => {
  const places = testPlaces('postgres');
  const roles: string[] = [];
  afterAll(async () => {
    await places.cleanUp();
    const admin = new pg.Client({ connectionString: testServerUrl });
    await admin.connect();
    for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('says which server could not be reached and what to check, without the password', async () => {
    const secret = `s3cret-${randomBytes(4).toString('hex')}`;
    const error = await openLeaderboard({
      databaseUrl: `postgres://someone:${secret}@127.0.0.1:1/evalchemy`,
      env: {},
    }).catch((caught: unknown) => caught);
    expect(LeaderboardConnectionError.isInstance(error)).toBe(true);
    expect(String(error)).toContain('postgres://someone:***@127.0.0.1:1/evalchemy');
    expect(String(error)).toMatch(/Check that the server runs/);
    expect(inspect(error, { depth: 10 })).not.toContain(secret);
  });

  it('says the password was refused without showing it, and never writes it anywhere', async () => {
    const server = new URL(testServerUrl);
    const wrong = `wrong-${randomBytes(4).toString('hex')}`;
    const refused = await openLeaderboard({
      env: {
        DB_HOST: server.hostname,
        DB_PORT: server.port,
        DB_USER: 'evalchemy',
        DB_PASSWORD: wrong,
        DB_NAME: 'evalchemy',
      },
    }).catch((caught: unknown) => caught);
    expect(LeaderboardConnectionError.isInstance(refused)).toBe(true);
    expect(String(refused)).toMatch(/password/);
    expect(String(refused)).toMatch(/DB_PASSWORD/);
    expect(inspect(refused, { depth: 10 })).not.toContain(wrong);

    // A role of its own with a password found nowhere else: after a push, no table holds it.
    const place = await places.create();
    const role = `lb_role_${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    roles.push(role);
    const admin = new pg.Client({ connectionString: testServerUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.end();
    const url = new URL(place.options.databaseUrl ?? '');
    url.username = role;
    url.password = password;
    // Without the right to create the tables, opening says so (and what to grant).
    const forbidden = await openLeaderboard({ databaseUrl: url.toString(), env: {} }).catch(
      (caught: unknown) => caught,
    );
    expect(LeaderboardConnectionError.isInstance(forbidden)).toBe(true);
    expect(String(forbidden)).toMatch(/may not create its tables .*grant it CREATE/);
    expect(inspect(forbidden, { depth: 10 })).not.toContain(password);
    // The test database's owner lets the role create the leaderboard's tables in it.
    const owner = new pg.Client({ connectionString: place.options.databaseUrl });
    await owner.connect();
    await owner.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${role}`);
    await owner.end();
    const leaderboard = await openLeaderboard({ databaseUrl: url.toString(), env: {} });
    try {
      expect(JSON.stringify(leaderboard.location)).toContain(password); // the URL itself, to connect
      expect(leaderboard.location.driver === 'postgres' && leaderboard.location.display).not.toContain(
        password,
      );
      await leaderboard.push(pushInputOf(buildRun({ tasks: [{ task: 'gsm8k', scores: [1, 0] }] })));
    } finally {
      await leaderboard.close();
    }
    const reader = new pg.Client({ connectionString: url.toString() });
    await reader.connect();
    try {
      for (const table of [
        'models',
        'evalsettings',
        'evalresults',
        'runs',
        'run_tasks',
        'sample_scores',
        'evalchemy_migrations',
      ]) {
        const { rows } = await reader.query(
          `SELECT count(*)::integer AS n FROM ${table} t WHERE row_to_json(t)::text LIKE $1`,
          [`%${password}%`],
        );
        expect(rows[0].n, table).toBe(0);
      }
    } finally {
      await reader.end();
    }
  });
});
