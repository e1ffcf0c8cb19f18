/** What the queries need of a database: parameterised statements and transactions. */
export interface LeaderboardQueryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

/** A database connection of one of the two drivers. */
export interface LeaderboardDriver extends LeaderboardQueryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(fn: (tx: LeaderboardQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
