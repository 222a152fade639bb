/**
 * The `node:sqlite` driver of `oauthkit/sqlite` (Node ≥ 22.13 without a flag; no native build).
 *
 * @module
 */
import type { SqliteDriver, SqliteStatement, SqliteValue } from "../driver.js";
import { cachedStatement } from "./statement-cache.js";

/** The part of a `node:sqlite` `StatementSync` the driver uses. */
export interface NodeSqliteStatement {
  /** Runs the statement with positional parameters and returns its rows ([] when it has none). */
  all(...params: unknown[]): unknown[];
}

/** The part of a `node:sqlite` `DatabaseSync` the driver uses. */
export interface NodeSqliteDatabase {
  /** Compiles a statement (the driver caches it per SQL text). */
  prepare(sql: string): NodeSqliteStatement;
  /** Runs SQL without parameters (the driver's `BEGIN IMMEDIATE` / `COMMIT` / `ROLLBACK`). */
  exec(sql: string): void;
}

/**
 * Wraps a `node:sqlite` `DatabaseSync` as a {@link SqliteDriver}. The module is synchronous: each
 * call runs to completion before its promise is returned, and `batch` runs between
 * `BEGIN IMMEDIATE` and `COMMIT` (rolled back on any error) with nothing else on the connection in
 * between. The host imports `node:sqlite` itself, so this entry stays runtime-neutral.
 *
 * @param db - An open `DatabaseSync` (the host's: it opens, configures and closes it).
 * @example
 * ```ts
 * const { DatabaseSync } = process.getBuiltinModule("node:sqlite");
 * const driver = nodeSqliteDriver(new DatabaseSync("oauthkit.sqlite"));
 * ```
 * @see https://nodejs.org/api/sqlite.html
 */
export function nodeSqliteDriver(db: NodeSqliteDatabase): SqliteDriver {
  // StatementSync.all() runs any statement, returning [] when it has no result columns.
  const run = ({ sql, params }: SqliteStatement) => cachedStatement(db, sql).all(...params) as Record<string, SqliteValue>[];
  return {
    all: async (statement) => run(statement),
    batch: async (statements) => {
      db.exec("BEGIN IMMEDIATE");
      try {
        const results = statements.map(run);
        db.exec("COMMIT");
        return results;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
  };
}
