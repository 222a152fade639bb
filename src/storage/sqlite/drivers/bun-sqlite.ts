/**
 * The `bun:sqlite` driver of `oauthkit/sqlite`.
 *
 * @module
 */
import type { SqliteDriver, SqliteStatement, SqliteValue } from "../driver.js";
import { cachedStatement } from "./statement-cache.js";

/** The part of a `bun:sqlite` `Statement` the driver uses. */
export interface BunSqliteStatement {
  /** Runs the statement with positional parameters and returns its rows. */
  all(...params: unknown[]): unknown[];
}

/** The part of a `bun:sqlite` `Database` the driver uses. */
export interface BunSqliteDatabase {
  /** Compiles a statement (the driver caches it per SQL text). */
  prepare(sql: string): BunSqliteStatement;
  /** Wraps `fn` in a transaction; `immediate` runs it between `BEGIN IMMEDIATE` and `COMMIT`. */
  transaction(fn: (statements: readonly SqliteStatement[]) => Record<string, SqliteValue>[][]): {
    /** Runs the wrapped function between `BEGIN IMMEDIATE` and `COMMIT` (rolled back if it throws). */
    immediate(statements: readonly SqliteStatement[]): Record<string, SqliteValue>[][];
  };
}

/**
 * Wraps a `bun:sqlite` `Database` as a {@link SqliteDriver}. bun:sqlite is synchronous: each call
 * runs to completion before its promise is returned, and `batch` is a `BEGIN IMMEDIATE`
 * transaction. The host imports `bun:sqlite` itself, so this entry stays runtime-neutral.
 *
 * @param db - An open `Database` (the host's: it opens, configures and closes it).
 * @example
 * ```ts
 * import { Database } from "bun:sqlite";
 * const driver = bunSqliteDriver(new Database("oauthkit.sqlite"));
 * ```
 * @see https://bun.sh/docs/api/sqlite
 */
export function bunSqliteDriver(db: BunSqliteDatabase): SqliteDriver {
  // Statement.all() runs any statement, returning [] when it has no result columns.
  const run = ({ sql, params }: SqliteStatement) => cachedStatement(db, sql).all(...params) as Record<string, SqliteValue>[];
  const transaction = db.transaction((statements: readonly SqliteStatement[]) => statements.map(run));
  return {
    all: async (statement) => run(statement),
    batch: async (statements) => transaction.immediate(statements),
  };
}
