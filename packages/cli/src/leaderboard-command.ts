import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError, StorageError } from '@evalchemy/core';
import type { Leaderboard } from '@evalchemy/leaderboard';
import { normaliseFlags, parseInteger } from './arguments.js';
import { exitCodeOf, exitCodes, firstExitCode } from './exit-codes.js';
import { formatCsv, formatLeaderboardTable, formatRunsTable, printable } from './leaderboard-tables.js';
import {
  databaseFlagHelp,
  describeLocation,
  leaderboardModelFlags,
  leaderboardModelFlagsHelp,
  leaderboardModule,
  openCliLeaderboard,
  pushModelOptions,
  safeMessage,
} from './open-cli-leaderboard.js';
import type { CommandIo } from './run-command.js';

export const leaderboardHelp = `Usage: evalchemy leaderboard <command> [options]

Every run in a PostgreSQL database, embedded (PGlite) by default, with Evalchemy's tables (models,
evalsettings, evalresults) and ours (runs, per-sample scores).

Commands:
  push FILE_OR_DIR...       add results files (results_<timestamp>.json, with the samples files beside them;
                            a directory: every results file under it). A run already there is not added again
  list [--model TEXT]       the table: models x tasks, each task's primary metric ± standard error of the
                            model's latest run; --runs lists the runs instead (id, model, tasks, end, cost)
  export --csv FILE         Evalchemy's CSV export: model_name, model_id and one column per <task>/<metric>
                            ("-" writes to stdout)
  serve [--port P] [--host H]   the web page (table, runs, samples, comparisons) until Ctrl-C, on port 8080
                            (0: any free one) of 127.0.0.1 by default; writes over its HTTP API
                            (POST /api/runs) only with EVALCHEMY_LEADERBOARD_TOKEN set, as a bearer token

Options of push:
${leaderboardModelFlagsHelp}

Options of every command:
${databaseFlagHelp}

"evalchemy run ... --use_database" pushes a run when it ends. Both --snake_case and --kebab-case spellings
are accepted. Exit codes: 0 done; 2 bad input (a flag, a file that is not a results file); 6 the database
could not be reached or written.`;

const databaseFlag = { 'database-url': { type: 'string' } } as const;
const helpFlag = { help: { type: 'boolean', short: 'h' } } as const;

const subcommands = {
  push: { options: { ...leaderboardModelFlags, ...helpFlag }, positionals: true },
  list: {
    options: { ...databaseFlag, model: { type: 'string' }, runs: { type: 'boolean' }, ...helpFlag },
    positionals: false,
  },
  export: { options: { ...databaseFlag, csv: { type: 'string' }, ...helpFlag }, positionals: false },
  serve: {
    options: { ...databaseFlag, port: { type: 'string' }, host: { type: 'string' }, ...helpFlag },
    positionals: false,
  },
} as const;

type Subcommand = keyof typeof subcommands;

/** How long `serve` keeps the embedded database open without a query before letting other processes in. */
const serveReleaseWhenIdleMs = 1_000;
const defaultServePort = 8080;

/**
 * The subcommand of `evalchemy leaderboard …` and its flags; undefined for help (no subcommand, `help`,
 * `--help`). Throws a ConfigurationError for an unknown subcommand or flag.
 */
export function parseLeaderboardArguments(
  argv: string[],
): { subcommand: Subcommand; values: ParsedValues; positionals: string[] } | undefined {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return undefined;
  if (!Object.hasOwn(subcommands, name)) {
    throw new ConfigurationError(
      `"evalchemy leaderboard ${printable(name)}" is not a command: use push, list, export or serve ` +
        '(evalchemy leaderboard --help).',
    );
  }
  const subcommand = name as Subcommand;
  return { subcommand, ...parseSubcommand(subcommand, rest) };
}

/** `evalchemy leaderboard push|list|export|serve`. Returns the exit code (`exit-codes.ts`). */
export async function leaderboardCommand(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseLeaderboardArguments(argv);
  if (parsed === undefined || parsed.values.help) {
    io.stdout.write(`${leaderboardHelp}\n`);
    return argv.length === 0 ? exitCodes.badInput : exitCodes.done;
  }
  const { subcommand, values, positionals } = parsed;
  const databaseUrl = values['database-url'];
  switch (subcommand) {
    case 'push':
      return pushCommand(positionals, values, io);
    case 'list':
      return withLeaderboard(databaseUrl, io, (leaderboard) =>
        listCommand(leaderboard, { model: values.model, runs: values.runs ?? false }, io),
      );
    case 'export': {
      const csv = values.csv;
      if (csv === undefined || csv === '') {
        throw new ConfigurationError(
          'evalchemy leaderboard export needs --csv FILE (or --csv - for stdout): the only export format is CSV.',
        );
      }
      return withLeaderboard(databaseUrl, io, (leaderboard) => exportCommand(leaderboard, csv, io));
    }
    case 'serve':
      return serveCommand(values, io);
  }
}

type ParsedValues = {
  help?: boolean | undefined;
  'database-url'?: string | undefined;
  'model-id'?: string | undefined;
  'model-name'?: string | undefined;
  'created-by'?: string | undefined;
  'creation-location'?: string | undefined;
  'is-external-model'?: boolean | undefined;
  model?: string | undefined;
  runs?: boolean | undefined;
  csv?: string | undefined;
  port?: string | undefined;
  host?: string | undefined;
};

function parseSubcommand(name: Subcommand, argv: string[]): { values: ParsedValues; positionals: string[] } {
  const { options, positionals } = subcommands[name];
  try {
    const parsed = parseArgs({
      args: normaliseFlags(argv),
      options,
      strict: true,
      allowPositionals: positionals,
    });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
  } catch (error) {
    throw new ConfigurationError(
      `evalchemy leaderboard ${name}: ${(error as Error).message}. Run "evalchemy leaderboard --help" for the flags.`,
    );
  }
}

/** Opens the leaderboard, runs `action` and closes it, also when `action` fails. */
async function withLeaderboard(
  databaseUrl: string | undefined,
  io: CommandIo,
  action: (leaderboard: Leaderboard) => Promise<number>,
): Promise<number> {
  const leaderboard = await openCliLeaderboard({ databaseUrl, io });
  try {
    return await action(leaderboard);
  } finally {
    await leaderboard.close();
  }
}

async function pushCommand(paths: string[], values: ParsedValues, io: CommandIo): Promise<number> {
  if (paths.length === 0) {
    throw new ConfigurationError(
      'evalchemy leaderboard push needs at least one results file (results_<timestamp>.json) or a directory ' +
        'of them, e.g. evalchemy leaderboard push results/.',
    );
  }
  const model = pushModelOptions(values);
  const { findResultsFiles, readRunFiles } = await leaderboardModule();
  const failures: { where: string; error: unknown }[] = [];
  const files: string[] = [];
  for (const path of paths.map((path) => resolve(io.cwd, path))) {
    try {
      const found = await findResultsFiles(path);
      if (found.length === 0) throw new ConfigurationError(`${path} holds no results file (results_*.json).`);
      files.push(...found);
    } catch (error) {
      failures.push({ where: path, error });
      io.stderr.write(`error: ${path}: ${safeMessage(error)}\n`);
    }
  }
  let added = 0;
  let already = 0;
  if (files.length > 0) {
    await withLeaderboard(values['database-url'], io, async (leaderboard) => {
      const where = describeLocation(leaderboard.location);
      io.stdout.write(`Pushing ${files.length} results file${files.length === 1 ? '' : 's'} to ${where}\n`);
      for (const file of files) {
        try {
          const input = await readRunFiles(file);
          const outcome = await leaderboard.push({ ...input, model });
          if (outcome.added) added += 1;
          else already += 1;
          const what = outcome.added
            ? `added: ${outcome.tasks} task${outcome.tasks === 1 ? '' : 's'}, ${outcome.samples} sample${outcome.samples === 1 ? '' : 's'}`
            : 'already there';
          io.stdout.write(`${file}: run ${outcome.runId} ${what}, model "${printable(outcome.modelName)}"\n`);
        } catch (error) {
          failures.push({ where: file, error });
          io.stderr.write(`error: ${file}: ${safeMessage(error)}\n`);
        }
      }
      return exitCodes.done;
    });
  }
  const failed = failures.length;
  io.stdout.write(
    `${added} added, ${already} already there${failed > 0 ? `, ${failed} failed (see the errors above)` : ''}.\n`,
  );
  return failed === 0 ? exitCodes.done : firstExitCode(failures.map(({ error }) => exitCodeOf(error)));
}

async function listCommand(
  leaderboard: Leaderboard,
  options: { model: string | undefined; runs: boolean },
  io: CommandIo,
): Promise<number> {
  const where = describeLocation(leaderboard.location);
  const filter = options.model?.toLowerCase();
  if (options.runs) {
    const runs = (await leaderboard.runs()).filter(
      (run) => filter === undefined || run.modelName.toLowerCase().includes(filter),
    );
    if (runs.length === 0) {
      io.stdout.write(`${noRuns(where, options.model)}\n`);
      return exitCodes.done;
    }
    io.stdout.write(
      `${formatRunsTable(runs)}\n${runs.length} run${runs.length === 1 ? '' : 's'} in ${where}\n`,
    );
    return exitCodes.done;
  }
  const table = await leaderboard.table(options.model === undefined ? {} : { modelFilter: options.model });
  if (table.rows.length === 0) {
    io.stdout.write(`${noRuns(where, options.model)}\n`);
    return exitCodes.done;
  }
  io.stdout.write(
    `${formatLeaderboardTable(table)}\n${table.rows.length} model${table.rows.length === 1 ? '' : 's'}, ` +
      `${table.tasks.length} task${table.tasks.length === 1 ? '' : 's'} in ${where}\n`,
  );
  return exitCodes.done;
}

function noRuns(where: string, model: string | undefined): string {
  return model === undefined
    ? `No runs in ${where} yet: add them with "evalchemy run ... --use_database" or "evalchemy leaderboard push FILE".`
    : `No model whose name contains "${printable(model)}" in ${where}.`;
}

async function exportCommand(leaderboard: Leaderboard, csv: string, io: CommandIo): Promise<number> {
  const text = formatCsv(await leaderboard.exportTable());
  if (csv === '-') {
    io.stdout.write(text);
    return exitCodes.done;
  }
  const path = resolve(io.cwd, csv);
  try {
    await writeFile(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StorageError(
      `Could not write the CSV file ${path} (${code ?? (error as Error).message}). Choose another --csv path.`,
      { path, code, cause: error },
    );
  }
  io.stderr.write(`Wrote ${path} from ${describeLocation(leaderboard.location)}\n`);
  return exitCodes.done;
}

async function serveCommand(values: ParsedValues, io: CommandIo): Promise<number> {
  const port = parseInteger(values.port, '--port', 0) ?? defaultServePort;
  if (port > 65_535) throw new ConfigurationError(`--port must be at most 65535, got ${port}.`);
  const host = values.host ?? '127.0.0.1';
  const token = io.env.EVALCHEMY_LEADERBOARD_TOKEN;
  const writable = token !== undefined && token !== '';
  const { serveLeaderboard } = await leaderboardModule();
  const leaderboard = await openCliLeaderboard({
    databaseUrl: values['database-url'],
    io,
    releaseWhenIdleMs: serveReleaseWhenIdleMs,
  });
  let server: Awaited<ReturnType<typeof serveLeaderboard>>;
  try {
    server = await serveLeaderboard({ leaderboard, port, host, ...(writable ? { token } : {}) });
  } catch (error) {
    await leaderboard.close();
    throw error;
  }
  io.stdout.write(
    `Leaderboard page: ${server.url}\n` +
      `Database: ${describeLocation(leaderboard.location)}\n` +
      (writable
        ? 'Writes: enabled (POST /api/runs with "Authorization: Bearer" and the token in EVALCHEMY_LEADERBOARD_TOKEN)\n'
        : 'Writes: disabled (set EVALCHEMY_LEADERBOARD_TOKEN to accept POST /api/runs with that bearer token)\n') +
      'Press Ctrl-C to stop.\n',
  );
  if (!io.signal.aborted) {
    await new Promise<void>((resolveStop) =>
      io.signal.addEventListener('abort', () => resolveStop(), { once: true }),
    );
  }
  await server.close();
  await leaderboard.close();
  io.stderr.write('Leaderboard page stopped.\n');
  return exitCodes.done;
}
