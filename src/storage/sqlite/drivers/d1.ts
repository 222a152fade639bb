/**
 * The Cloudflare D1 driver of `oauthkit/sqlite`: the store's statements through a Worker's D1
 * binding (`env.DB`).
 *
 * @module
 */
import type { SqliteDriver, SqliteStatement, SqliteValue } from "../driver.js";

/**
 * What the driver uses of a D1 prepared statement: binding the parameters and running it. A
 * structural subset of `D1PreparedStatement` from `@cloudflare/workers-types`, so that the package
 * needs no Workers types at run time or in its declarations.
 *
 * @see https://developers.cloudflare.com/d1/worker-api/prepared-statements/
 */
export interface D1PreparedStatementLike {
  /** Binds the positional (`?`) parameters, returning the bound statement. */
  bind(...values: SqliteValue[]): D1PreparedStatementLike;
  /** Runs the statement and resolves to its rows (of a SELECT, or of `RETURNING`). */
  all(): Promise<D1ResultLike>;
}

/** What the driver reads of a D1 result: the rows, if any. */
export interface D1ResultLike {
  /** The rows, with column names as keys (absent or empty for a statement without rows). */
  results?: unknown[];
}

/**
 * What the driver uses of a D1 database binding: `prepare` and `batch`. Any `D1Database` (a
 * Worker's `env.DB`, or Miniflare's `getD1Database()` in tests) has them.
 *
 * @see https://developers.cloudflare.com/d1/worker-api/d1-database/
 */
export interface D1DatabaseLike {
  /** Prepares one SQL statement. */
  prepare(sql: string): D1PreparedStatementLike;
  /** Runs the statements in order as one implicit transaction; resolves to each one's result. */
  batch(statements: D1PreparedStatementLike[]): Promise<D1ResultLike[]>;
}

const prepare = (db: D1DatabaseLike, statement: SqliteStatement) => db.prepare(statement.sql).bind(...statement.params);

const rows = (result: D1ResultLike | undefined) => (result?.results ?? []) as Record<string, SqliteValue>[];

/**
 * Creates the `oauthkit/sqlite` driver over a Cloudflare D1 database. `batch()` maps onto D1's
 * `batch()`, which runs its statements sequentially in one transaction (all or none, nothing
 * interleaved): D1 has no interactive transactions, and the store needs none.
 *
 * @param db - The D1 binding (`env.DB` in a Worker; `await miniflare.getD1Database("DB")` in a test).
 * @returns A driver for `createSqliteStorage`.
 * @throws {TypeError} when `db` has no `prepare` and `batch` methods (not a D1 binding).
 * @example
 * ```ts
 * import { createSqliteStorage, d1Driver } from "oauthkit/sqlite";
 *
 * export default {
 *   async fetch(request: Request, env: { DB: D1Database }) {
 *     const storage = createSqliteStorage({ driver: d1Driver(env.DB) });
 *     // …
 *   },
 * };
 * ```
 * @see https://developers.cloudflare.com/d1/worker-api/d1-database/#batch
 */
export function d1Driver(db: D1DatabaseLike): SqliteDriver {
  if (typeof db?.prepare !== "function" || typeof db.batch !== "function") {
    throw new TypeError("d1Driver: db must be a D1 database binding (with prepare() and batch())");
  }
  return {
    async all(statement) {
      return rows(await prepare(db, statement).all());
    },
    async batch(statements) {
      if (statements.length === 0) return []; // D1 refuses an empty batch ("No SQL statements detected")
      const results = await db.batch(statements.map((statement) => prepare(db, statement)));
      return statements.map((_, index) => rows(results[index]));
    },
  };
}
