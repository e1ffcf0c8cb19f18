// The leaderboard through the built CLI, against the embedded PGlite in a temporary directory and against the
// real PostgreSQL server (a fresh database for this file): `run --use_database`, `leaderboard push`, `list`,
// `export --csv` and `serve`, with the database password never in any output.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ScriptedServer, startScriptedServer } from '@evalchemy/test-kit';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalchemy, openaiRun } from './__fixtures__/evalchemy-cli.js';
import { closedPort, type LeaderboardPlace, leaderboardPlaces } from './__fixtures__/leaderboard-places.js';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const places = leaderboardPlaces();
let server: ScriptedServer;

beforeAll(async () => {
  server = await startScriptedServer({
    reply: () => 'Janet sells 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.',
  });
});
afterAll(async () => {
  await server.close();
  await places.cleanUp();
});

/** `evalchemy leaderboard …` at `place`; fails the test if the database password shows in its output. */
async function leaderboard(place: LeaderboardPlace, args: string[], env: Record<string, string> = {}) {
  const result = await evalchemy(['leaderboard', ...args, ...place.flags], { env: { ...place.env, ...env } });
  expectNoPassword(place, `${result.stdout}\n${result.stderr}`);
  return result;
}

function expectNoPassword(place: LeaderboardPlace, output: string) {
  if (place.password !== undefined) expect(output).not.toContain(place.password);
}

/** The results file and samples files of the run in `directory/<model>`, copied as another run (new run_id). */
async function copyRun(
  resultsPath: string,
  target: string,
  settings: { timestamp: string; model?: string },
): Promise<string> {
  const directory = join(resultsPath, '..');
  const timestamp = /results_(.*)\.json$/.exec(resultsPath)![1]!;
  await mkdir(target, { recursive: true });
  const results = JSON.parse(await readFile(resultsPath, 'utf8'));
  results.run_id = randomUUID();
  if (settings.model !== undefined) results.model.model_id = settings.model;
  const copy = join(target, `results_${settings.timestamp}.json`);
  await writeFile(copy, JSON.stringify(results));
  for (const name of await readdir(directory)) {
    if (name.startsWith('samples_') && name.endsWith(`_${timestamp}.jsonl`)) {
      await copyFile(join(directory, name), join(target, name.replace(timestamp, settings.timestamp)));
    }
  }
  return copy;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** RFC 4180 fields of a CSV text, as a spreadsheet or pandas reads them back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else field += character;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** Resolves with the first match of `pattern` in what the process writes to `stream`; rejects if it ends first. */
function waitForOutput(
  child: ResultPromise,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
    child.then(
      (result) => reject(new Error(`the process ended (${result.exitCode}) before ${pattern}: ${text}`)),
      reject,
    );
  });
}

describe.each(['pglite', 'postgres'] as const)('the leaderboard in %s', (driver) => {
  let place: LeaderboardPlace;
  let resultsPath: string;
  let runId: string;
  const flexible = (results: { results: Record<string, Record<string, number | null>> }) =>
    results.results.gsm8k!;

  beforeAll(async () => {
    place = await places.create(driver);
  });

  it('run --use_database adds the run at its end, and list shows the model and its value', async () => {
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(
      openaiRun({
        baseUrl: server.url,
        output,
        tasks: 'gsm8k',
        limit: 3,
        model: 'org/scripted',
        extra: ['--use_database', ...place.flags],
      }),
      { env: place.env },
    );
    expectNoPassword(place, `${result.stdout}\n${result.stderr}`);
    expect(result.exitCode, result.stderr).toBe(0);
    const line = new RegExp(
      `Leaderboard: run ([0-9a-f-]{36}) added as model "org/scripted" \\(${escapeRegExp(place.display)}\\)`,
    ).exec(result.stdout);
    expect(line, result.stdout).not.toBeNull();
    runId = line![1]!;
    const directory = join(output, 'org__scripted');
    resultsPath = join(directory, (await readdir(directory)).find((name) => name.startsWith('results_'))!);
    const results = JSON.parse(await readFile(resultsPath, 'utf8'));
    expect(results.run_id).toBe(runId);

    const list = await leaderboard(place, ['list']);
    expect(list.exitCode, list.stderr).toBe(0);
    const value = flexible(results).exact_match_flexible!;
    const stderr = flexible(results).exact_match_flexible_stderr!;
    expect(list.stdout).toMatch(
      new RegExp(
        `\\| org/scripted\\s+\\| ${escapeRegExp(`${value.toFixed(4)} ± ${stderr.toFixed(4)}`)}\\s+\\|`,
      ),
    );
    expect(list.stdout).toContain('gsm8k (exact_match_flexible)');
    expect(list.stdout).toContain(`1 model, 1 task in ${place.display}`);

    const runs = await leaderboard(place, ['list', '--runs']);
    expect(runs.stdout).toMatch(new RegExp(`\\| ${runId} \\| org/scripted\\s+\\| gsm8k `));
  });

  it('push of a run already there says so and changes nothing', async () => {
    const before = await leaderboard(place, ['list']);
    const again = await leaderboard(place, ['push', resultsPath]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${resultsPath}: run ${runId} already there, model "org/scripted"`);
    expect(again.stdout).toContain('0 added, 1 already there.');
    const after = await leaderboard(place, ['list']);
    expect(after.stdout).toBe(before.stdout);
  });

  it('push DIR adds every results file under it and names a bad one, which makes the exit code non-zero', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'evalchemy-push-'));
    await copyRun(resultsPath, join(directory, 'a'), {
      timestamp: '2027-01-01T00-00-00.000',
      model: 'org/second',
    });
    await copyRun(resultsPath, join(directory, 'b'), {
      timestamp: '2027-01-02T00-00-00.000',
      model: 'org/third',
    });
    const bad = join(directory, 'b', 'results_2027-01-03T00-00-00.000.json');
    await writeFile(bad, JSON.stringify({ format_version: 1, run_id: 'not a uuid' }));

    const result = await leaderboard(place, ['push', directory]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`error: ${bad}: `);
    expect(result.stdout).toMatch(
      /results_2027-01-01T00-00-00\.000\.json: run \S+ added: 1 task, 3 samples, model "org\/second"/,
    );
    expect(result.stdout).toMatch(
      /results_2027-01-02T00-00-00\.000\.json: run \S+ added: 1 task, 3 samples, model "org\/third"/,
    );
    expect(result.stdout).toContain('2 added, 0 already there, 1 failed (see the errors above).');
    const list = await leaderboard(place, ['list', '--model', 'ORG/T']);
    expect(list.stdout).toContain('org/third');
    expect(list.stdout).not.toContain('org/second');
  });

  it("export --csv writes Evalchemy's CSV, with a hostile model name quoted and values at full precision", async () => {
    const hostile = 'evil, "quoted"\nmodel';
    const copy = await copyRun(resultsPath, await mkdtemp(join(tmpdir(), 'evalchemy-hostile-')), {
      timestamp: '2027-02-01T00-00-00.000',
    });
    const pushed = await leaderboard(place, ['push', copy, '--model_name', hostile]);
    expect(pushed.exitCode, pushed.stderr).toBe(0);

    const file = join(await mkdtemp(join(tmpdir(), 'evalchemy-csv-')), 'leaderboard.csv');
    const exported = await leaderboard(place, ['export', '--csv', file]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const text = await readFile(file, 'utf8');
    const [header, ...rows] = parseCsv(text);
    // gsm8k reports its metrics under our names and lm-eval's (`exact_match,strict-match`, …), columns sorted;
    // standard errors, ours (`_stderr`) and lm-eval's (`exact_match_stderr,strict-match`), are no columns.
    expect(header).toEqual([
      'model_name',
      'model_id',
      'gsm8k/exact_match,flexible-extract',
      'gsm8k/exact_match,strict-match',
      'gsm8k/exact_match_flexible',
      'gsm8k/exact_match_strict',
    ]);
    const results = JSON.parse(await readFile(resultsPath, 'utf8'));
    const byName = new Map(rows.map((row) => [row[0], row]));
    expect([...byName.keys()].sort()).toEqual(['org/scripted', 'org/second', 'org/third', hostile].sort());
    const row = byName.get(hostile)!;
    expect(row[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(row[4]).toBe(String(flexible(results).exact_match_flexible));
    expect(Number(row[5])).toBe(flexible(results).exact_match_strict);
    expect(row[4]).toBe(String(1 / 3));
    expect(row[2]).toBe(row[4]);

    const stdout = await leaderboard(place, ['export', '--csv', '-']);
    // execa leaves out the last line break.
    expect(stdout.stdout).toBe(text.replace(/\r\n$/, ''));
  });

  it('refuses an unknown --model_id, naming it, and a malformed one before opening anything', async () => {
    const copy = await copyRun(resultsPath, await mkdtemp(join(tmpdir(), 'evalchemy-model-id-')), {
      timestamp: '2027-03-01T00-00-00.000',
    });
    const unknown = randomUUID();
    const result = await leaderboard(place, ['push', copy, '--model_id', unknown]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(unknown);
    expect(result.stdout).toContain('0 added, 0 already there, 1 failed');

    const malformed = await leaderboard(place, ['push', copy, '--model_id', '42']);
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr).toContain(
      '--model_id must be the UUID of a row of the leaderboard\'s models table, got "42"',
    );
  });

  it('serve prints a URL whose /api/table has the pushed model, and SIGTERM ends it with exit 0', async () => {
    const child = evalchemy(['leaderboard', 'serve', '--port', '0', ...place.flags], {
      env: { ...place.env, EVALCHEMY_LEADERBOARD_TOKEN: 'tok-never-shown-5521' },
    });
    const [, url] = await waitForOutput(
      child,
      'stdout',
      /Leaderboard page: (http:\/\/127\.0\.0\.1:\d+)\S*\n/,
    );
    const response = await fetch(`${url}/api/table`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('org/scripted');

    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Database: ${place.display}`);
    expect(result.stdout).toContain('Writes: enabled');
    expect(`${result.stdout}${result.stderr}`).not.toContain('tok-never-shown-5521');
    expectNoPassword(place, `${result.stdout}\n${result.stderr}`);
    // Nothing is left listening: the process and its server are gone.
    await expect(fetch(`${url}/api/table`)).rejects.toThrow();
  });
});

describe('the embedded leaderboard shared by several processes', () => {
  it('takes a push from another process while serve runs on the same directory', async () => {
    const place = await places.create('pglite');
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const run = await evalchemy(
      openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 2, model: 'first' }),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const directory = join(output, 'first');
    const resultsPath = join(
      directory,
      (await readdir(directory)).find((name) => name.startsWith('results_'))!,
    );
    expect((await leaderboard(place, ['push', resultsPath])).exitCode).toBe(0);

    const child = evalchemy(['leaderboard', 'serve', '--port', '0'], { env: place.env });
    const [, url] = await waitForOutput(child, 'stdout', /Leaderboard page: (http:\/\/127\.0\.0\.1:\d+)/);
    expect(await (await fetch(`${url}/api/table`)).text()).toContain('first');

    const copy = await copyRun(resultsPath, join(output, 'second'), {
      timestamp: '2027-04-01T00-00-00.000',
      model: 'second',
    });
    const push = await leaderboard(place, ['push', copy]);
    expect(push.exitCode, push.stderr).toBe(0);
    expect(push.stdout).toContain('model "second"');
    expect(await (await fetch(`${url}/api/table`)).text()).toContain('second');

    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(0);
  });

  it('says once who holds the directory while it waits for it, without the secrets of that command line', async () => {
    const place = await places.create('pglite');
    const holder = execa(
      'node',
      [
        '--input-type=module',
        '-e',
        `import { openLeaderboard } from '@evalchemy/leaderboard';
         const leaderboard = await openLeaderboard({ directory: ${JSON.stringify(place.directory)} });
         process.stdout.write('holding\\n');
         process.stdin.resume();
         process.stdin.on('end', async () => { await leaderboard.close(); });`,
        '--',
        '--model_args',
        'model=x,api_key=sk-holder-secret-8812',
      ],
      { cwd: packageDirectory, reject: false },
    );
    await waitForOutput(holder, 'stdout', /holding/);
    const list = evalchemy(['leaderboard', 'list'], { env: place.env });
    const [message] = await waitForOutput(list, 'stderr', /waiting for the leaderboard at .*\n/);
    expect(message).toBe(
      `waiting for the leaderboard at ${place.directory}, held by pid ${holder.pid} (${message.slice(message.indexOf('(') + 1, -2)})\n`,
    );
    expect(message).not.toContain('sk-holder-secret-8812');
    holder.stdin!.end();
    const result = await list;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.match(/waiting for the leaderboard/g)).toHaveLength(1);
    expect(result.stdout).toContain(`No runs in ${place.display} yet`);
    await holder;
  });
});

describe('the database password', () => {
  const password = 'Pw-Secret-4417';

  it('is not in the error when the server cannot be reached, and the exit code is 6', async () => {
    const port = await closedPort();
    const result = await evalchemy([
      'leaderboard',
      'list',
      '--database_url',
      `postgres://evalchemy:${password}@127.0.0.1:${port}/evalchemy`,
    ]);
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  });

  it('is not in the error when the server refuses it (DB_* variables)', async () => {
    const server = new URL(
      process.env.EVALCHEMY_TEST_DATABASE_URL ?? 'postgres://evalchemy:evalchemy@127.0.0.1:54329/evalchemy',
    );
    const result = await evalchemy(['leaderboard', 'list'], {
      env: {
        DB_HOST: server.hostname,
        DB_PORT: server.port,
        DB_USER: decodeURIComponent(server.username),
        DB_PASSWORD: password,
        DB_NAME: 'evalchemy',
      },
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`${server.hostname}:${server.port}`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  });

  it('is not printed when run --use_database cannot push: the files are kept, with the command to push them later', async () => {
    const port = await closedPort();
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(
      openaiRun({
        baseUrl: server.url,
        output,
        tasks: 'gsm8k',
        limit: 2,
        extra: [
          '--use_database',
          '--database_url',
          `postgres://evalchemy:${password}@127.0.0.1:${port}/evalchemy`,
          '--model_name',
          'm',
          '--created_by',
          'ci bot',
        ],
      }),
    );
    expect(result.exitCode).toBe(6);
    expect(result.stdout).toMatch(/\| gsm8k\s+\| exact_match_flexible/);
    const files = await readdir(join(output, 'm'));
    const results = files.find((name) => name.startsWith('results_'))!;
    expect(files.some((name) => name.startsWith('samples_gsm8k_'))).toBe(true);
    expect(result.stderr).toContain(
      `error: the run could not be added to the leaderboard (PostgreSQL postgres://evalchemy:***@127.0.0.1:${port}/evalchemy): `,
    );
    expect(result.stderr).toContain(
      `evalchemy leaderboard push ${join(output, 'm', results)} --model_name m --created_by 'ci bot' --database_url URL`,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  });
});

describe('evalchemy leaderboard arguments', () => {
  it('lists the commands in the main help and in its own', async () => {
    const main = await evalchemy(['--help']);
    expect(main.stdout).toContain('evalchemy leaderboard push|list|export|serve');
    const help = await evalchemy(['leaderboard', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/push FILE_OR_DIR[\s\S]*list[\s\S]*export --csv FILE[\s\S]*serve/);
    expect((await evalchemy(['leaderboard'])).exitCode).toBe(2);
  });

  it.each([
    [
      ['leaderboard', 'show'],
      '"evalchemy leaderboard show" is not a command: use push, list, export or serve',
    ],
    [['leaderboard', 'list', '--bogus'], "evalchemy leaderboard list: Unknown option '--bogus'"],
    [['leaderboard', 'push'], 'evalchemy leaderboard push needs at least one results file'],
    [['leaderboard', 'export'], 'evalchemy leaderboard export needs --csv FILE'],
    [['leaderboard', 'serve', '--port', 'http'], '--port must be an integer'],
  ])('%j is refused with exit 2', async (args, message) => {
    const result = await evalchemy(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('a run without --use_database does not load the leaderboard (nor PGlite); one with it does', async () => {
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const hook = fileURLToPath(new URL('./__fixtures__/report-leaderboard-import.mjs', import.meta.url));
    const env = { NODE_OPTIONS: `--import=${hook}` };
    const plain = await evalchemy(openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 1 }), {
      env,
    });
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('imported @evalchemy/leaderboard');
    const port = await closedPort();
    const pushing = await evalchemy(
      openaiRun({
        baseUrl: server.url,
        output,
        tasks: 'gsm8k',
        limit: 1,
        extra: ['--use_database', '--database_url', `postgres://u@127.0.0.1:${port}/d`],
      }),
      { env },
    );
    expect(pushing.stderr).toContain('imported @evalchemy/leaderboard');
  });

  it('takes use_database from the config file', async () => {
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const config = join(output, 'run.yaml');
    await writeFile(config, 'use_database: true\n');
    const port = await closedPort();
    const result = await evalchemy(
      openaiRun({
        baseUrl: server.url,
        output,
        tasks: 'gsm8k',
        limit: 1,
        extra: ['--config', config, '--database_url', `postgres://u@127.0.0.1:${port}/d`],
      }),
    );
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('error: the run could not be added to the leaderboard');
  });

  it('warns that the leaderboard flags of run need --use_database', async () => {
    const output = await mkdtemp(join(tmpdir(), 'evalchemy-out-'));
    const result = await evalchemy(
      openaiRun({ baseUrl: server.url, output, tasks: 'gsm8k', limit: 1, extra: ['--created_by', 'me'] }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('--created_by applies only with --use_database, which was not given');
    expect(result.stdout).not.toContain('Leaderboard:');
  });
});
