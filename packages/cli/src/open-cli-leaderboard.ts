import { ConfigurationError } from '@evalchemy/core';
import type { Leaderboard, LeaderboardLocation, PushModelOptions } from '@evalchemy/leaderboard';
import { printable } from './leaderboard-tables.js';
import { redactUrlCredentials } from './redact-secrets.js';
import type { CommandIo } from './run-command.js';

/** The flags that say where the leaderboard is and how a pushed run's model is recorded (Evalchemy's names). */
export const leaderboardModelFlags = {
  'model-id': { type: 'string' },
  'model-name': { type: 'string' },
  'created-by': { type: 'string' },
  'creation-location': { type: 'string' },
  'is-external-model': { type: 'boolean' },
  'database-url': { type: 'string' },
} as const;

export const leaderboardModelFlagsHelp = `  --model_id UUID           record the run under this existing row of models (an unknown id is an error)
  --model_name NAME         record it under the model of this name (added when new); default: the results
                            file's model
  --created_by NAME         created_by of new rows (default: the user name)
  --creation_location TEXT  creation_location of new rows (default: the host name)
  --is_external_model       a new model is marked external (models.is_external)`;

export const databaseFlagHelp = `  --database_url URL        a PostgreSQL server (postgres://user:password@host:port/database); else
                            EVALCHEMY_DATABASE_URL, else Evalchemy's DB_HOST, DB_PORT, DB_USER, DB_PASSWORD,
                            DB_NAME, else the embedded database in EVALCHEMY_LEADERBOARD_DIR (default: the
                            user's data directory, ~/.local/share/evalchemy/leaderboard on Linux)`;

export interface LeaderboardModelFlagValues {
  'model-id'?: string | undefined;
  'model-name'?: string | undefined;
  'created-by'?: string | undefined;
  'creation-location'?: string | undefined;
  'is-external-model'?: boolean | undefined;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The push's model options from the flags; `--model_id` must look like a UUID before any database is opened. */
export function pushModelOptions(flags: LeaderboardModelFlagValues): PushModelOptions {
  const modelId = flags['model-id'];
  if (modelId !== undefined && !uuidPattern.test(modelId)) {
    throw new ConfigurationError(
      `--model_id must be the UUID of a row of the leaderboard's models table, got "${printable(modelId)}". ` +
        'Leave it out to record the run under its model name (--model_name, else the model of the results file).',
    );
  }
  return {
    ...(modelId !== undefined ? { modelId } : {}),
    ...(flags['model-name'] !== undefined ? { modelName: flags['model-name'] } : {}),
    ...(flags['created-by'] !== undefined ? { createdBy: flags['created-by'] } : {}),
    ...(flags['creation-location'] !== undefined ? { creationLocation: flags['creation-location'] } : {}),
    ...(flags['is-external-model'] ? { isExternal: true } : {}),
  };
}

/** The leaderboard's module, imported only when a leaderboard command or `--use_database` needs it. */
export function leaderboardModule() {
  return import('@evalchemy/leaderboard');
}

/** Where the leaderboard is, for messages: the directory of the embedded database, or the server without password. */
export function describeLocation(location: LeaderboardLocation): string {
  return location.driver === 'pglite' ? `PGlite ${location.directory}` : `PostgreSQL ${location.display}`;
}

/** Where the flags and environment put the leaderboard (nothing is opened). */
export async function leaderboardLocation(databaseUrl: string | undefined, io: Pick<CommandIo, 'env'>) {
  const { resolveLeaderboardLocation } = await leaderboardModule();
  return resolveLeaderboardLocation({ databaseUrl, env: io.env });
}

/**
 * Opens the leaderboard the flags and environment name. While another process holds the embedded database,
 * says once on stderr who holds it (its command line without secrets).
 */
export async function openCliLeaderboard(settings: {
  databaseUrl: string | undefined;
  io: Pick<CommandIo, 'env' | 'stderr'>;
  releaseWhenIdleMs?: number;
}): Promise<Leaderboard> {
  const { openLeaderboard, resolveLeaderboardLocation } = await leaderboardModule();
  const location = resolveLeaderboardLocation({ databaseUrl: settings.databaseUrl, env: settings.io.env });
  let waited = false;
  return openLeaderboard({
    databaseUrl: settings.databaseUrl,
    env: settings.io.env,
    ...(settings.releaseWhenIdleMs !== undefined ? { releaseWhenIdleMs: settings.releaseWhenIdleMs } : {}),
    onWait: (holder) => {
      if (waited) return;
      waited = true;
      const where = location.driver === 'pglite' ? location.directory : location.display;
      settings.io.stderr.write(
        `waiting for the leaderboard at ${where}, held by pid ${holder.pid} (${printable(holder.command)})\n`,
      );
    },
  });
}

/** A command line word as a POSIX shell reads it back. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The command that pushes a results file later, with the model flags that were given (never the database URL,
 * which may hold a password: the message says to add it).
 */
export function pushLaterCommand(
  resultsPath: string,
  flags: LeaderboardModelFlagValues & { 'database-url'?: string | undefined },
): string {
  const words = ['evalchemy', 'leaderboard', 'push', resultsPath];
  for (const name of ['model-id', 'model-name', 'created-by', 'creation-location'] as const) {
    const value = flags[name];
    if (value !== undefined) words.push(`--${name.replaceAll('-', '_')}`, value);
  }
  if (flags['is-external-model']) words.push('--is_external_model');
  const command = words.map(shellWord).join(' ');
  return flags['database-url'] === undefined ? command : `${command} --database_url URL (the same URL)`;
}

/** An error's message fit to print: credentials in URLs redacted. */
export function safeMessage(error: unknown): string {
  return redactUrlCredentials(error instanceof Error ? error.message : String(error));
}
