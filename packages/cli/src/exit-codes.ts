import { constants } from 'node:os';
import { AuthenticationError, EvalchemyError, StorageError } from '@evalchemy/core';

/** The exit codes of `evalchemy`. `evalchemy run --help` and the CLI README list them as `exitCodesHelp` does. */
export const exitCodes = {
  done: 0,
  taskFailed: 1,
  badInput: 2,
  budgetReached: 3,
  samplesFailed: 4,
  refused: 5,
  storage: 6,
  unexpected: 7,
} as const;

export const exitCodesHelp = `Exit codes (when several apply, the first listed):
  0    every task ran and every sample was scored
  1    a task could not run (its error is in the table and in the results file)
  2    bad input or configuration; nothing was run
  3    the --max_cost budget was reached: requests that could exceed it were not sent; the results cover
       what was done, and the same command with a larger --max_cost finishes the run from the cache
  4    samples failed for infrastructure reasons (backend error after retries, judge error, sandbox
       failure): the metrics cover the other samples; the same command retries them (a wrong answer is a
       score, not a failure)
  5    a server refused the API key (HTTP 401/403); the run stopped at once
  6    a file could not be written (disk full, read-only, permissions): the output directory (no results)
       or the response cache (results complete, but the run cannot be resumed from the cache); or the
       leaderboard's database could not be reached or written (--use_database: the results files are kept)
  7    an unexpected error (a bug: please report it with the message)
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM, 129 by SIGHUP (128 + the signal's number)`;

/**
 * The exit code of an error that ends a command: a refused key 5, a file or the leaderboard's database that
 * could not be written or reached 6, other evalchemy errors (bad input) 2, anything else 7.
 */
export function exitCodeOf(error: unknown): number {
  if (AuthenticationError.isInstance(error)) return exitCodes.refused;
  // The leaderboard's error is matched by its marker: the CLI imports @evalchemy/leaderboard only when it is used.
  if (
    StorageError.isInstance(error) ||
    (typeof error === 'object' &&
      error !== null &&
      Symbol.for('evalchemy.error.LeaderboardConnectionError') in error)
  )
    return exitCodes.storage;
  if (EvalchemyError.isInstance(error)) return exitCodes.badInput;
  return exitCodes.unexpected;
}

/** Of several exit codes, the one `exitCodesHelp` lists first (the lowest but 0); 0 when all are 0. */
export function firstExitCode(codes: number[]): number {
  const failures = codes.filter((code) => code !== exitCodes.done);
  return failures.length === 0 ? exitCodes.done : Math.min(...failures);
}

/** The shell's exit status for a process ended by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/** The abort reason when the user stops a run with a signal. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}
