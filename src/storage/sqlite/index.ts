/**
 * `oauthkit/sqlite`: the storage contract on SQLite through a small driver interface, with
 * drivers for `better-sqlite3`, `node:sqlite` and `bun:sqlite` (and Cloudflare D1).
 *
 * The entry imports nothing from `node:` or `bun:`: each driver takes the database object the
 * host opened, so the same bundle runs on Node, Bun and Workers.
 *
 * @module
 */
import { systemNow } from "../../clock.js";
import {
  type AccessTokenRecord,
  type AuthorizationCodeRecord,
  type ClientRecord,
  type GrantPropsUpdate,
  type GrantRecord,
  type RedeemedAuthorizationCode,
  type RefreshTokenState,
  type Storage,
  GRANT_TOMBSTONE_DEFAULT_SECONDS,
} from "../types.js";
import type { SqliteDriver, SqliteStatement, SqliteValue } from "./driver.js";

export type { SqliteDriver, SqliteStatement, SqliteValue } from "./driver.js";
export { migrate, sweepExpired } from "./maintenance.js";
export type { SqliteMigrateResult, SqliteSweepOptions, SqliteSweepResult } from "./maintenance.js";
export { SQLITE_MIGRATIONS } from "./migrations.js";
export type { SqliteMigration } from "./migrations.js";
export { betterSqlite3Driver } from "./drivers/better-sqlite3.js";
export type { BetterSqlite3Database, BetterSqlite3Statement } from "./drivers/better-sqlite3.js";
export { nodeSqliteDriver } from "./drivers/node-sqlite.js";
export type { NodeSqliteDatabase, NodeSqliteStatement } from "./drivers/node-sqlite.js";
export { bunSqliteDriver } from "./drivers/bun-sqlite.js";
export type { BunSqliteDatabase, BunSqliteStatement } from "./drivers/bun-sqlite.js";
export { type D1DatabaseLike, type D1PreparedStatementLike, type D1ResultLike, d1Driver } from "./drivers/d1.js";

/** Options of {@link createSqliteStorage}. */
export interface SqliteStorageOptions {
  /**
   * The connection (see {@link SqliteDriver}); the schema must be migrated (`migrate`). A failure
   * of the engine rejects the method's promise; the store never retries or swallows it.
   */
  driver: SqliteDriver;
  /** The clock in seconds since the epoch, compared with `expires_at`; defaults to the system clock. */
  now?: () => number;
}

const statement = (sql: string, ...params: SqliteValue[]): SqliteStatement => ({ sql, params });
const json = (text: SqliteValue | undefined): unknown => JSON.parse(String(text));

// The sealed props live in the grant's grant_props row (one copy, which updateGrantProps replaces).
function withSealedProps<T extends { sealedProps?: string; propsVersion?: number }>(record: T, sealed: SqliteValue | undefined, version: SqliteValue | undefined): T {
  if (sealed !== null && sealed !== undefined) {
    record.sealedProps = String(sealed);
    record.propsVersion = Number(version);
  }
  return record;
}

/**
 * Creates a store on SQLite. Every method is one statement or one atomic batch (a transaction; on
 * D1 a `batch()`), never a read followed by a write in JavaScript, and SQLite runs one write
 * transaction at a time per database, so each method is atomic against every other connection.
 * Statements later in a batch act only on the effect of earlier ones, in SQL (`changes()`).
 *
 * Atomicity, method by method:
 * - `createClient`: `INSERT … ON CONFLICT DO NOTHING`; a duplicate id is refused.
 * - `deleteClient`: one batch deletes the client's live grants and their tokens, then the client
 *   (RFC 7592 §2.3).
 * - `redeemAuthorizationCode`: `UPDATE … SET redemptions = redemptions + 1 … RETURNING`; exactly
 *   one caller reads 1 (RFC 6749 §4.1.2).
 * - `createGrant`: one batch: the grant is `INSERT … ON CONFLICT (grant_id) DO NOTHING`, so the
 *   row of a revoked id (its tombstone) makes it store nothing; the access token and refresh family
 *   are inserted only `WHERE changes() = 1`, i.e. only if the grant was.
 * - `saveAccessToken`: inserts only if the grant is live and not revoked.
 * - `getAccessToken`: one query joining the grant, so a revoked or expired grant hides its tokens.
 * - `rotateRefreshToken`: one batch: a conditional UPDATE of the grant on its current hash, then
 *   the access token only if it changed a row (RFC 9700 §4.14.2); the grant keeps its one
 *   `refresh_families` row, so its rows do not grow with refreshes.
 * - `updateGrantProps`: one batch: a conditional UPDATE of the grant's `grant_props` row on its
 *   version (or its INSERT at version 0), against the live grant.
 * - `revokeGrant`: one batch: an upsert that turns the grant's row into its tombstone (or inserts
 *   one for an id not created yet), and the deletion of its tokens. Against a concurrent
 *   `createGrant` of the same id the primary key decides, whichever batch commits first.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { betterSqlite3Driver, createSqliteStorage, migrate } from "oauthkit/sqlite";
 *
 * const db = new Database("oauthkit.sqlite");
 * db.pragma("journal_mode = WAL");
 * db.pragma("busy_timeout = 5000");
 * const driver = betterSqlite3Driver(db);
 * await migrate(driver);
 * const storage = createSqliteStorage({ driver });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function createSqliteStorage(options: SqliteStorageOptions): Storage {
  const { driver } = options;
  if (typeof driver?.all !== "function" || typeof driver.batch !== "function") {
    throw new TypeError("createSqliteStorage: options.driver must have all() and batch() (see SqliteDriver)");
  }
  const now = options.now ?? systemNow;

  return {
    async getClient(clientId) {
      const [row] = await driver.all(statement("SELECT record FROM clients WHERE client_id = ?", clientId));
      return row === undefined ? null : (json(row.record) as ClientRecord);
    },
    async createClient(client) {
      const rows = await driver.all(
        statement("INSERT INTO clients (client_id, record) VALUES (?, ?) ON CONFLICT (client_id) DO NOTHING RETURNING client_id", client.client_id, JSON.stringify(client)),
      );
      return rows.length === 1;
    },
    async updateClient(client) {
      const rows = await driver.all(statement("UPDATE clients SET record = ? WHERE client_id = ? RETURNING client_id", JSON.stringify(client), client.client_id));
      return rows.length === 1;
    },
    async extendClientExpiry(clientId, expiresAt) {
      // One field, in place: a concurrent updateClient keeps everything it wrote.
      const rows = await driver.all(
        statement(
          "UPDATE clients SET record = json_set(record, '$.expires_at', ?) WHERE client_id = ? AND json_extract(record, '$.expires_at') < ? RETURNING client_id",
          expiresAt,
          clientId,
          expiresAt,
        ),
      );
      return rows.length === 1;
    },
    async deleteClient(clientId) {
      // Tombstones (revoked rows) stay: they keep their ids revoked until their horizon.
      const live = "SELECT grant_id FROM grants WHERE client_id = ? AND revoked = 0";
      const results = await driver.batch([
        statement(`DELETE FROM access_tokens WHERE grant_id IN (${live})`, clientId),
        statement(`DELETE FROM refresh_families WHERE grant_id IN (${live})`, clientId),
        statement(`DELETE FROM grant_props WHERE grant_id IN (${live})`, clientId),
        statement("DELETE FROM grants WHERE client_id = ? AND revoked = 0", clientId),
        statement("DELETE FROM clients WHERE client_id = ? RETURNING client_id", clientId),
      ]);
      return results[4]?.length === 1;
    },
    async countClients() {
      const [row] = await driver.all(statement("SELECT count(*) AS count FROM clients"));
      return Number(row?.count ?? 0);
    },

    async saveAuthorizationCode(code: AuthorizationCodeRecord) {
      // DO NOTHING, never an update: overwriting would reset the redemption counter.
      await driver.all(
        statement("INSERT INTO authorization_codes (code_hash, record, expires_at) VALUES (?, ?, ?) ON CONFLICT (code_hash) DO NOTHING", code.codeHash, JSON.stringify(code), code.expiresAt),
      );
    },
    async redeemAuthorizationCode(codeHash): Promise<RedeemedAuthorizationCode | null> {
      const [row] = await driver.all(
        statement("UPDATE authorization_codes SET redemptions = redemptions + 1 WHERE code_hash = ? AND expires_at > ? RETURNING record, redemptions", codeHash, now()),
      );
      return row === undefined ? null : { code: json(row.record) as AuthorizationCodeRecord, firstUse: Number(row.redemptions) === 1 };
    },

    async createGrant(grant, accessToken) {
      const { refresh, sealedProps, propsVersion, ...record } = grant;
      const family = refresh === undefined ? null : (refresh.familyHash ?? refresh.tokenHash);
      const results = await driver.batch([
        statement(
          "INSERT INTO grants (grant_id, client_id, record, refresh, refresh_token_hash, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (grant_id) DO NOTHING RETURNING grant_id",
          grant.grantId,
          grant.clientId,
          JSON.stringify(record),
          refresh === undefined ? null : JSON.stringify(refresh),
          refresh?.tokenHash ?? null,
          grant.expiresAt,
        ),
        // changes() is the previous INSERT's: 1 only if the grant was stored. A plain INSERT: a
        // clash of token hashes fails the whole batch (both or neither).
        statement(
          "INSERT INTO access_tokens (token_hash, grant_id, record, expires_at) SELECT ?, ?, ?, ? WHERE changes() = 1",
          accessToken.tokenHash,
          grant.grantId,
          JSON.stringify(accessToken),
          accessToken.expiresAt,
        ),
        // Now changes() is the access token's insert, which happened exactly when the grant's did.
        statement("INSERT INTO refresh_families (family_hash, grant_id) SELECT ?, ? WHERE changes() = 1 AND ? IS NOT NULL", family, grant.grantId, family),
        // The access token's row exists exactly when this batch stored the grant.
        statement(
          "INSERT INTO grant_props (grant_id, sealed_props, version) SELECT ?, ?, ? WHERE ? IS NOT NULL AND EXISTS (SELECT 1 FROM access_tokens WHERE token_hash = ? AND grant_id = ?) ON CONFLICT (grant_id) DO NOTHING",
          grant.grantId,
          sealedProps ?? null,
          propsVersion ?? 0,
          sealedProps ?? null,
          accessToken.tokenHash,
          grant.grantId,
        ),
      ]);
      return results[0]?.length === 1;
    },
    async saveAccessToken(accessToken: AccessTokenRecord) {
      await driver.all(
        statement(
          "INSERT INTO access_tokens (token_hash, grant_id, record, expires_at) SELECT ?, grant_id, ?, ? FROM grants WHERE grant_id = ? AND expires_at > ? AND revoked = 0 ON CONFLICT (token_hash) DO NOTHING",
          accessToken.tokenHash,
          JSON.stringify(accessToken),
          accessToken.expiresAt,
          accessToken.grantId,
          now(),
        ),
      );
    },
    async getAccessToken(tokenHash) {
      const t = now();
      const [row] = await driver.all(
        statement(
          "SELECT a.record, p.sealed_props, p.version FROM access_tokens a JOIN grants g ON g.grant_id = a.grant_id LEFT JOIN grant_props p ON p.grant_id = a.grant_id WHERE a.token_hash = ? AND a.expires_at > ? AND g.expires_at > ? AND g.revoked = 0",
          tokenHash,
          t,
          t,
        ),
      );
      return row === undefined ? null : withSealedProps(json(row.record) as AccessTokenRecord, row.sealed_props, row.version);
    },
    async getGrantByRefreshFamily(familyHash) {
      const [row] = await driver.all(
        statement(
          "SELECT g.record, g.refresh, p.sealed_props, p.version FROM refresh_families f JOIN grants g ON g.grant_id = f.grant_id LEFT JOIN grant_props p ON p.grant_id = f.grant_id WHERE f.family_hash = ? AND g.expires_at > ? AND g.revoked = 0",
          familyHash,
          now(),
        ),
      );
      if (row === undefined) return null;
      const record = json(row.record) as Omit<GrantRecord, "refresh">;
      const grant: GrantRecord = row.refresh === null ? record : { ...record, refresh: json(row.refresh) as RefreshTokenState };
      return withSealedProps(grant, row.sealed_props, row.version);
    },
    async rotateRefreshToken(rotation) {
      const { accessToken } = rotation;
      const results = await driver.batch([
        statement(
          "UPDATE grants SET refresh = ?, refresh_token_hash = ? WHERE grant_id = ? AND refresh_token_hash = ? AND expires_at > ? AND revoked = 0 RETURNING grant_id",
          JSON.stringify(rotation.refresh),
          rotation.refresh.tokenHash,
          rotation.grantId,
          rotation.expectedTokenHash,
          now(),
        ),
        statement(
          "INSERT INTO access_tokens (token_hash, grant_id, record, expires_at) SELECT ?, ?, ?, ? WHERE changes() = 1",
          accessToken.tokenHash,
          rotation.grantId,
          JSON.stringify(accessToken),
          accessToken.expiresAt,
        ),
      ]);
      return results[0]?.length === 1;
    },
    async revokeGrant(grantId, revokeOptions = {}) {
      const { until } = revokeOptions;
      // A new row is the tombstone until `until`, or now + the default; an existing row keeps the
      // later of its expires_at and `until` (never shortened).
      await driver.batch([
        statement(
          "INSERT INTO grants (grant_id, client_id, record, expires_at, revoked) VALUES (?, '', '{}', ?, 1) ON CONFLICT (grant_id) DO UPDATE SET revoked = 1, refresh = NULL, refresh_token_hash = NULL, expires_at = max(grants.expires_at, ?)",
          grantId,
          until ?? now() + GRANT_TOMBSTONE_DEFAULT_SECONDS,
          until ?? 0,
        ),
        statement("DELETE FROM access_tokens WHERE grant_id = ?", grantId),
        statement("DELETE FROM refresh_families WHERE grant_id = ?", grantId),
        statement("DELETE FROM grant_props WHERE grant_id = ?", grantId),
      ]);
    },
    async revokeAccessToken(tokenHash) {
      await driver.all(statement("DELETE FROM access_tokens WHERE token_hash = ?", tokenHash));
    },
    async updateGrantProps(update: GrantPropsUpdate) {
      const t = now();
      const live = "SELECT 1 FROM grants WHERE grant_id = ? AND expires_at > ? AND revoked = 0";
      // One batch: the conditional UPDATE of an existing row, or, for version 0 and no row yet
      // (changes() = 0), its INSERT. SQLite runs one write transaction at a time, so of concurrent
      // updates expecting one version exactly one finds it.
      const results = await driver.batch([
        statement(
          `UPDATE grant_props SET sealed_props = ?, version = version + 1 WHERE grant_id = ? AND version = ? AND EXISTS (${live}) RETURNING grant_id`,
          update.sealedProps,
          update.grantId,
          update.expectedVersion,
          update.grantId,
          t,
        ),
        statement(
          `INSERT INTO grant_props (grant_id, sealed_props, version) SELECT ?, ?, 1 WHERE changes() = 0 AND ? = 0 AND EXISTS (${live}) ON CONFLICT (grant_id) DO NOTHING RETURNING grant_id`,
          update.grantId,
          update.sealedProps,
          update.expectedVersion,
          update.grantId,
          t,
        ),
      ]);
      return results[0]?.length === 1 || results[1]?.length === 1;
    },

    async listSubjectGrants(subject) {
      const rows = await driver.all(
        statement("SELECT record, refresh FROM grants WHERE json_extract(record, '$.subject') = ? AND expires_at > ? AND revoked = 0", subject, now()),
      );
      return rows.map((row) => {
        const record = json(row.record) as Omit<GrantRecord, "refresh">;
        return row.refresh === null ? record : { ...record, refresh: json(row.refresh) as RefreshTokenState };
      });
    },
    async revokeSubjectGrants(subject, revokeOptions = {}) {
      const t = now();
      const client = revokeOptions.clientId ?? null;
      // A revoked grant keeps its record (subject, client), so the token deletes find it after the
      // UPDATE; a bare tombstone of a pending code has no tokens to delete. One atomic batch.
      const mine = "json_extract(record, '$.subject') = ? AND (? IS NULL OR client_id = ?)";
      const results = await driver.batch([
        statement(`SELECT count(*) AS count FROM grants WHERE ${mine} AND revoked = 0 AND expires_at > ?`, subject, client, client, t),
        statement(`UPDATE grants SET revoked = 1, refresh = NULL, refresh_token_hash = NULL WHERE ${mine} AND revoked = 0`, subject, client, client),
        statement(
          "INSERT INTO grants (grant_id, client_id, record, expires_at, revoked) SELECT json_extract(record, '$.grantId'), '', '{}', ?, 1 FROM authorization_codes " +
            "WHERE json_extract(record, '$.subject') = ? AND (? IS NULL OR json_extract(record, '$.clientId') = ?) AND expires_at > ? " +
            "ON CONFLICT (grant_id) DO UPDATE SET revoked = 1, refresh = NULL, refresh_token_hash = NULL, expires_at = max(grants.expires_at, excluded.expires_at)",
          t + GRANT_TOMBSTONE_DEFAULT_SECONDS,
          subject,
          client,
          client,
          t,
        ),
        statement(`DELETE FROM access_tokens WHERE grant_id IN (SELECT grant_id FROM grants WHERE ${mine} AND revoked = 1)`, subject, client, client),
        statement(`DELETE FROM refresh_families WHERE grant_id IN (SELECT grant_id FROM grants WHERE ${mine} AND revoked = 1)`, subject, client, client),
        // Sealed props of a revoked grant are of no use to anyone: none stays in the store.
        statement(`DELETE FROM grant_props WHERE grant_id IN (SELECT grant_id FROM grants WHERE ${mine} AND revoked = 1)`, subject, client, client),
      ]);
      return Number(results[0]?.[0]?.count ?? 0);
    },
  };
}
