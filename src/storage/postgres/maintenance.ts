/**
 * Schema migrations and the sweep of expired rows: what a host runs at deploy time and on a
 * schedule, next to the store.
 *
 * @module
 */
import { systemNow } from "../../clock.js";
import { DEFAULT_SCHEMA, type PostgresPool, type PostgresQueryable, quoteSchema } from "./client.js";
import { POSTGRES_MIGRATIONS } from "./migrations.js";

/** Options of {@link migrate}. */
export interface PostgresMigrateOptions {
  /** The schema to create and migrate (default `"oauthkit"`). */
  schema?: string;
}

/** The result of {@link migrate}. */
export interface PostgresMigrateResult {
  /** Names of the migrations applied by this call (empty when the schema was up to date). */
  applied: string[];
}

/**
 * Creates the schema if needed and applies the migrations it lacks, in one transaction. Safe to
 * call from every instance at start-up: a transaction-scoped advisory lock serialises concurrent
 * callers, and applied versions are recorded in `<schema>.oauthkit_migrations`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { migrate } from "oauthkit/postgres";
 *
 * const pool = new pg.Pool({ connectionString: "postgres://localhost/app" });
 * await migrate(pool);
 * ```
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function migrate(pool: PostgresPool, options: PostgresMigrateOptions = {}): Promise<PostgresMigrateResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const s = quoteSchema(schema);
  const connection = await pool.connect();
  const applied: string[] = [];
  try {
    await connection.query("BEGIN");
    await connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`oauthkit:migrate:${schema}`]);
    await connection.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await connection.query(
      `CREATE TABLE IF NOT EXISTS ${s}.oauthkit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = await connection.query(`SELECT version FROM ${s}.oauthkit_migrations`);
    const versions = new Set((done.rows as Array<{ version: number }>).map((row) => row.version));
    // search_path only for this transaction: the migration files are schema-unqualified.
    await connection.query(`SET LOCAL search_path TO ${s}`);
    for (const migration of POSTGRES_MIGRATIONS) {
      if (versions.has(migration.version)) continue;
      await connection.query(migration.sql);
      await connection.query(`INSERT INTO ${s}.oauthkit_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.name);
    }
    await connection.query("COMMIT");
  } catch (error) {
    await connection.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    connection.release();
  }
  return { applied };
}

/** Options of {@link sweepExpired}. */
export interface PostgresSweepOptions {
  /** The schema of the store (default `"oauthkit"`). */
  schema?: string;
  /** The clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
  /** Rows deleted per statement (default 5000), so that a large sweep never holds long locks. */
  batchSize?: number;
}

/** How many rows {@link sweepExpired} deleted, per table (cascaded tokens not counted). */
export interface PostgresSweepResult {
  /** Expired codes deleted. */
  authorizationCodes: number;
  /** Expired grants deleted (their access tokens go with them). */
  grants: number;
  /** Expired access tokens deleted. */
  accessTokens: number;
  /** Dynamically registered clients past `expires_at` deleted, with their live grants (`registration.unusedClientLifetime`). */
  clients: number;
}

async function sweepTable(db: PostgresQueryable, table: string, now: number, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    // Delete by ctid in batches: bounded lock time and WAL per statement on a large backlog.
    const result = await db.query(
      `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE expires_at <= $1 LIMIT $2))`,
      [now, batchSize],
    );
    const deleted = result.rowCount ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

// Clients past expires_at, with their live grants (and, by cascade, tokens), as deleteClient does
// (RFC 7592 §2.3); the WHERE is repeated on the DELETE so a client extended meanwhile stays.
async function sweepClients(db: PostgresQueryable, s: string, now: number, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.query(
      `WITH expired AS (SELECT client_id FROM ${s}.clients WHERE (record->>'expires_at')::bigint <= $1 LIMIT $2),
      deleted AS (DELETE FROM ${s}.clients WHERE client_id IN (SELECT client_id FROM expired) AND (record->>'expires_at')::bigint <= $1 RETURNING client_id),
      grants AS (DELETE FROM ${s}.grants WHERE client_id IN (SELECT client_id FROM deleted) AND NOT revoked)
      SELECT count(*)::int AS n FROM deleted`,
      [now, batchSize],
    );
    const deleted = (result.rows[0] as { n: number } | undefined)?.n ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/**
 * Deletes dynamically registered clients past their `expires_at` (with their grants), expired
 * codes, grants (with their refresh and access tokens, by cascade) and access tokens. Reads never return expired rows, so this only reclaims space: schedule it (every few
 * minutes to hourly) with cron, pg_cron or a timer in one instance.
 *
 * @throws the driver's error when the database is unreachable: a timer must catch it, or the
 *   rejection is unhandled and ends the process during an outage.
 * @example
 * ```ts
 * setInterval(() => void sweepExpired(pool).catch((error) => console.error("sweep", error)), 10 * 60_000);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (codes are short-lived)
 */
export async function sweepExpired(db: PostgresQueryable, options: PostgresSweepOptions = {}): Promise<PostgresSweepResult> {
  const s = quoteSchema(options.schema ?? DEFAULT_SCHEMA);
  const now = (options.now ?? systemNow)();
  const batchSize = options.batchSize ?? 5000;
  return {
    clients: await sweepClients(db, s, now, batchSize),
    authorizationCodes: await sweepTable(db, `${s}.authorization_codes`, now, batchSize),
    grants: await sweepTable(db, `${s}.grants`, now, batchSize),
    accessTokens: await sweepTable(db, `${s}.access_tokens`, now, batchSize),
  };
}
