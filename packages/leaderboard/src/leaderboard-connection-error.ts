import { EvalchemyError } from '@evalchemy/core';

/**
 * The leaderboard's PostgreSQL server could not be reached or refused the connection. The message names the
 * server without its password and says what to check.
 */
export class LeaderboardConnectionError extends EvalchemyError {
  static override isInstance(error: unknown): error is LeaderboardConnectionError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.LeaderboardConnectionError');
  }
  /** The server, as `postgres://user:***@host:port/database`. */
  readonly server: string;
  constructor(message: string, options: { server: string; cause?: unknown }) {
    super(message, options);
    this.name = 'LeaderboardConnectionError';
    this.mark('evalchemy.error.LeaderboardConnectionError');
    this.server = options.server;
  }
}
