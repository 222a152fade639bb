/**
 * The `better-sqlite3` driver of `oauthkit/sqlite`.
 *
 * @module
 */
import type { SqliteDriver, SqliteStatement, SqliteValue } from "../driver.js";
import { cachedStatement } from "./statement-cache.js";

/** The part of a `better-sqlite3` prepared statement the driver uses. */
export interface BetterSqlite3Statement {
  /** True for a statement that returns rows (a SELECT, or anything with RETURNING). */
  readonly reader: boolean;
  /** Runs the statement with positional parameters and returns its rows. */
  all(...params: unknown[]): unknown[];
  /** Runs a statement that returns no rows. */
  run(...params: unknown[]): unknown;
}

/** The part of a `better-sqlite3` `Database` the driver uses. */
export interface BetterSqlite3Database {
  /** Compiles a statement (the driver caches it per SQL text). */
  prepare(sql: string): BetterSqlite3Statement;
  /** Wraps `fn` in a transaction; `immediate` runs it between `BEGIN IMMEDIATE` and `COMMIT`. */
  transaction(fn: (statements: readonly SqliteStatement[]) => Record<string, SqliteValue>[][]): {
    /** Runs the wrapped function between `BEGIN IMMEDIATE` and `COMMIT` (rolled back if it throws). */
    immediate(statements: readonly SqliteStatement[]): Record<string, SqliteValue>[][];
  };
}

/**
 * Wraps a `better-sqlite3` (≥ 9; 12.x runs on Node 20) `Database` as a {@link SqliteDriver}.
 * better-sqlite3 is synchronous: each call runs to completion before the promise is returned, and
 * `batch` is a `BEGIN IMMEDIATE` transaction (taking the write lock first, so two connections
 * never deadlock upgrading a read lock; give the database a `busy_timeout`).
 *
 * @param db - An open `better-sqlite3` database (the host's: it opens, configures and closes it).
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * const driver = betterSqlite3Driver(new Database("oauthkit.sqlite"));
 * ```
 * @see https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md
 */
export function betterSqlite3Driver(db: BetterSqlite3Database): SqliteDriver {
  const run = ({ sql, params }: SqliteStatement): Record<string, SqliteValue>[] => {
    const prepared = cachedStatement(db, sql);
    // all() throws on a statement without result columns ("use run() instead").
    if (!prepared.reader) {
      prepared.run(...params);
      return [];
    }
    return prepared.all(...params) as Record<string, SqliteValue>[];
  };
  const transaction = db.transaction((statements: readonly SqliteStatement[]) => statements.map(run));
  return {
    all: async (statement) => run(statement),
    batch: async (statements) => transaction.immediate(statements),
  };
}

