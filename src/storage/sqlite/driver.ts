/**
 * The driver interface of `oauthkit/sqlite`: the two operations the store needs from a SQLite
 * engine, small enough for Cloudflare D1 (which has no interactive transactions, only single
 * statements and atomic `batch()`), `bun:sqlite`, `better-sqlite3` and `node:sqlite`.
 *
 * The store never holds a transaction open across JavaScript code: every method is one statement
 * or one atomic batch, so the interface has no `begin`/`commit`.
 *
 * @module
 */

/**
 * A value bound to or read from SQLite. Text, integers that fit a double, and NULL: the store
 * keeps records as JSON text and times as integer seconds, so it needs no blobs or bigints.
 */
export type SqliteValue = string | number | null;

/** One SQL statement with its positional (`?`) parameters. */
export interface SqliteStatement {
  /** The SQL text, with `?` placeholders. */
  sql: string;
  /** The values of the placeholders, in order. */
  params: readonly SqliteValue[];
}

/**
 * What `oauthkit/sqlite` needs from a SQLite connection. Implementations for `better-sqlite3`,
 * `node:sqlite` and `bun:sqlite` ship with the package (`betterSqlite3Driver`, `nodeSqliteDriver`,
 * `bunSqliteDriver`); one for Cloudflare D1 is a few lines over `D1Database.prepare/bind/batch`.
 *
 * A failure of the engine rejects the promise; the store never retries or swallows it.
 *
 * @see https://www.sqlite.org/lang.html
 */
export interface SqliteDriver {
  /**
   * Runs one statement and resolves to its rows (of a SELECT, or of any statement with
   * `RETURNING`; `[]` for a statement without rows). Column names are the keys.
   */
  all(statement: SqliteStatement): Promise<Record<string, SqliteValue>[]>;
  /**
   * Runs the statements atomically and in order — all take effect or none (a transaction; D1:
   * `batch()`) — and resolves to each statement's rows, in order. Later statements see the writes
   * of earlier ones (the store conditions them on those writes in SQL, never in JavaScript).
   * No other connection's write may interleave between them.
   */
  batch(statements: readonly SqliteStatement[]): Promise<Record<string, SqliteValue>[][]>;
}
