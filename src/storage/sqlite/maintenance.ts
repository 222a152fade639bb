/**
 * Schema migrations and the sweep of expired rows of `oauthkit/sqlite`: what a host runs at
 * start-up and on a schedule, next to the store.
 *
 * @module
 */
import { systemNow } from "../../clock.js";
import type { SqliteDriver, SqliteStatement, SqliteValue } from "./driver.js";
import { SQLITE_MIGRATIONS } from "./migrations.js";


/** The result of {@link migrate}. */
export interface SqliteMigrateResult {
  /** Names of the migrations this call recorded as applied (empty when the schema was up to date). */
  applied: string[];
}

const statement = (sql: string, ...params: SqliteValue[]): SqliteStatement => ({ sql, params });

/**
 * Creates the tables and applies the migrations the database lacks, each in one atomic batch
 * together with its row in `oauthkit_migrations`. Safe to call from every instance at start-up:
 * every migration statement is idempotent, and of concurrent callers exactly one records each
 * migration.
 *
 * @param driver - The connection (see {@link SqliteDriver}).
 * @throws the driver's error when a statement fails (e.g. a read-only or locked database).
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { betterSqlite3Driver, createSqliteStorage, migrate } from "oauthkit/sqlite";
 *
 * const db = new Database("oauthkit.sqlite");
 * db.pragma("journal_mode = WAL");
 * const driver = betterSqlite3Driver(db);
 * await migrate(driver);
 * const storage = createSqliteStorage({ driver });
 * ```
 * @see https://www.sqlite.org/lang_createtable.html
 */
export async function migrate(driver: SqliteDriver): Promise<SqliteMigrateResult> {
  await driver.all(statement("CREATE TABLE IF NOT EXISTS oauthkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  const done = new Set((await driver.all(statement("SELECT version FROM oauthkit_migrations"))).map((row) => row.version));
  const applied: string[] = [];
  for (const migration of SQLITE_MIGRATIONS) {
    if (done.has(migration.version)) continue;
    // The record goes first: its RETURNING row tells whether this call or a concurrent one applied it.
    const [recorded] = await driver.batch([
      statement("INSERT INTO oauthkit_migrations (version, name, applied_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING RETURNING version", migration.version, migration.name, systemNow()),
      ...migration.statements.map((sql) => statement(sql)),
    ]);
    if (recorded !== undefined && recorded.length === 1) applied.push(migration.name);
  }
  return { applied };
}

/** Options of {@link sweepExpired}. */
export interface SqliteSweepOptions {
  /** The clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
  /** Rows deleted per batch (default 1000), so that a large sweep never holds the write lock long. */
  batchSize?: number;
}

/** How many rows {@link sweepExpired} deleted, per table (tokens deleted with their grant not counted). */
export interface SqliteSweepResult {
  /** Expired authorization codes deleted. */
  authorizationCodes: number;
  /** Expired grants and tombstones past their horizon. */
  grants: number;
  /** Expired access tokens deleted. */
  accessTokens: number;
  /** Dynamically registered clients past `expires_at` deleted, with their live grants (`registration.unusedClientLifetime`). */
  clients: number;
}

async function sweepBatches(driver: SqliteDriver, statements: (now: number, limit: number) => SqliteStatement[], now: number, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const results = await driver.batch([...statements(now, batchSize), statement("SELECT changes() AS n")]);
    const deleted = Number(results.at(-1)?.[0]?.n ?? 0);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/**
 * Deletes dynamically registered clients past their `expires_at` (with their grants), expired
 * codes, expired grants and tombstones past their horizon (with their refresh families and access tokens),
 * and expired access tokens. Reads never return expired rows, so this only
 * reclaims space: run it every few minutes to hourly (a timer in one instance, a cron trigger).
 * Each batch of `batchSize` rows is its own short write transaction.
 *
 * @param driver - The connection (see {@link SqliteDriver}).
 * @param options - See {@link SqliteSweepOptions}.
 * @throws the driver's error: a timer must catch it, or the rejection is unhandled.
 * @example
 * ```ts
 * setInterval(() => void sweepExpired(driver).catch((error) => console.error("sweep", error)), 10 * 60_000).unref();
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (codes are short-lived)
 */
export async function sweepExpired(driver: SqliteDriver, options: SqliteSweepOptions = {}): Promise<SqliteSweepResult> {
  const now = (options.now ?? systemNow)();
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError("sweepExpired: batchSize must be a positive integer");
  // The same ORDER BY … LIMIT subquery in each statement of one atomic batch selects the same grants.
  const expiredGrants = "SELECT grant_id FROM grants WHERE expires_at <= ? ORDER BY expires_at, grant_id LIMIT ?";
  const expiredClients = "SELECT client_id FROM clients WHERE json_extract(record, '$.expires_at') <= ? ORDER BY client_id LIMIT ?";
  // Clients first: their grants are deleted with them, as deleteClient does (RFC 7592 §2.3).
  const clients = await sweepBatches(
    driver,
    (t, limit) => [
      statement(`DELETE FROM access_tokens WHERE grant_id IN (SELECT grant_id FROM grants WHERE revoked = 0 AND client_id IN (${expiredClients}))`, t, limit),
      statement(`DELETE FROM refresh_families WHERE grant_id IN (SELECT grant_id FROM grants WHERE revoked = 0 AND client_id IN (${expiredClients}))`, t, limit),
      statement(`DELETE FROM grants WHERE revoked = 0 AND client_id IN (${expiredClients})`, t, limit),
      statement(`DELETE FROM clients WHERE client_id IN (${expiredClients})`, t, limit),
    ],
    now,
    batchSize,
  );
  return {
    clients,
    authorizationCodes: await sweepBatches(
      driver,
      (t, limit) => [statement("DELETE FROM authorization_codes WHERE code_hash IN (SELECT code_hash FROM authorization_codes WHERE expires_at <= ? LIMIT ?)", t, limit)],
      now,
      batchSize,
    ),
    grants: await sweepBatches(
      driver,
      (t, limit) => [
        statement(`DELETE FROM access_tokens WHERE grant_id IN (${expiredGrants})`, t, limit),
        statement(`DELETE FROM refresh_families WHERE grant_id IN (${expiredGrants})`, t, limit),
        statement(`DELETE FROM grant_props WHERE grant_id IN (${expiredGrants})`, t, limit),
        statement(`DELETE FROM grants WHERE grant_id IN (${expiredGrants})`, t, limit),
      ],
      now,
      batchSize,
    ),
    accessTokens: await sweepBatches(
      driver,
      (t, limit) => [statement("DELETE FROM access_tokens WHERE token_hash IN (SELECT token_hash FROM access_tokens WHERE expires_at <= ? LIMIT ?)", t, limit)],
      now,
      batchSize,
    ),
  };
}
