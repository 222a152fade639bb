/**
 * `oauthkit/postgres`: the storage contract on PostgreSQL (≥ 12) through a `pg` pool.
 *
 * @module
 */
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
import { systemNow } from "../../clock.js";
import { DEFAULT_SCHEMA, type PostgresQueryable, quoteSchema } from "./client.js";

export type { PostgresPool, PostgresPoolClient, PostgresQueryResult, PostgresQueryable } from "./client.js";
export { migrate, sweepExpired } from "./maintenance.js";
export type { PostgresMigrateOptions, PostgresMigrateResult, PostgresSweepOptions, PostgresSweepResult } from "./maintenance.js";
export { POSTGRES_MIGRATIONS } from "./migrations.js";
export type { PostgresMigration } from "./migrations.js";

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /**
   * A `pg` `Pool` (or anything with `query(text, values)`); the schema must be migrated
   * ({@link migrate}). Its connections are the host's: the store never retries or swallows a
   * failure, each rejects the method's promise. Give the pool an `'error'` listener (idle
   * connections error when the server stops), `connectionTimeoutMillis` and `query_timeout`, so
   * that an outage neither ends the process nor holds requests.
   *
   * @see https://node-postgres.com/apis/pool
   */
  pool: PostgresQueryable;
  /** The schema holding the tables (default `"oauthkit"`). */
  schema?: string;
  /** The clock in seconds since the epoch, compared with `expires_at`; defaults to the system clock. */
  now?: () => number;
}

// PostgreSQL's foreign_key_violation: a token inserted while its grant is being revoked.
const FOREIGN_KEY_VIOLATION = "23503";

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION;
}

interface GrantRow {
  record: Omit<GrantRecord, "refresh">;
  refresh: RefreshTokenState | null;
  sealed_props: string | null;
  props_version: number;
}

// The sealed props live in columns of the grant's row (one copy, which updateGrantProps replaces).
function withSealedProps<T extends { sealedProps?: string; propsVersion?: number }>(record: T, sealed: string | null, version: number): T {
  if (sealed !== null) {
    record.sealedProps = sealed;
    record.propsVersion = Number(version);
  }
  return record;
}

/**
 * Creates a store on PostgreSQL. Every method is one SQL statement, so each is atomic on its own
 * (a statement sees one snapshot and its writes commit together), and single use rests on row
 * locks: concurrent UPDATEs of one row run one after the other, each re-checking its WHERE clause
 * against the row the previous one left.
 *
 * Atomicity, method by method:
 * - `createClient`: `INSERT … ON CONFLICT DO NOTHING`; a duplicate id is refused.
 * - `deleteClient`: deletes the client and its grants (and, by cascade, their tokens) in one
 *   statement (RFC 7592 §2.3).
 * - `redeemAuthorizationCode`: `UPDATE … SET redemptions = redemptions + 1 … RETURNING`; exactly
 *   one caller sees 1 (RFC 6749 §4.1.2).
 * - `createGrant`: grant, refresh family and first access token in one statement (CTEs); the grant
 *   is `INSERT … ON CONFLICT (grant_id) DO NOTHING`, so the row of a revoked id (its tombstone)
 *   makes it store nothing and return `false` (so does an id that exists, which the core never
 *   reuses).
 * - `saveAccessToken`: inserts only if the grant is live and not revoked.
 * - `getAccessToken`: one query joining the grant, so a revoked or expired grant hides its tokens
 *   (also a token inserted by a statement that raced the revocation).
 * - `rotateRefreshToken`: one conditional UPDATE of the grant on its current hash, with the
 *   access-token insert in a CTE of the same statement (RFC 9700 §4.14.2); the grant keeps its one
 *   `refresh_families` row, so its rows do not grow with refreshes.
 * - `updateGrantProps`: one conditional UPDATE of the grant on its `props_version`; the row lock
 *   makes concurrent ones run in turn, each re-checking the version the previous one left.
 * - `revokeGrant`: one statement: an upsert that turns the grant's row into its tombstone (or
 *   inserts one for an id not created yet) and deletes its tokens. Against a concurrent
 *   `createGrant` of the same id, the primary key decides: whichever inserts second waits for the
 *   first to commit, then sees its row (`ON CONFLICT` acts on rows its snapshot does not show), so
 *   either the grant is created first and then revoked, or the tombstone wins and nothing is created.
 * - `listSubjectGrants`: one SELECT (index on the record's subject).
 * - `revokeSubjectGrants`: one statement: the `revokeGrant` upsert for every live grant of the
 *   subject and every pending code's grant id, and the deletes of their tokens.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresStorage, migrate } from "oauthkit/postgres";
 *
 * const pool = new pg.Pool({ connectionString: "postgres://localhost/app" });
 * await migrate(pool);
 * const storage = createPostgresStorage({ pool });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function createPostgresStorage(options: PostgresStorageOptions): Storage {
  const { pool } = options;
  const s = quoteSchema(options.schema ?? DEFAULT_SCHEMA);
  const now = options.now ?? systemNow;
  const sql = {
    getClient: `SELECT record FROM ${s}.clients WHERE client_id = $1`,
    createClient: `INSERT INTO ${s}.clients (client_id, record) VALUES ($1, $2::jsonb) ON CONFLICT (client_id) DO NOTHING`,
    updateClient: `UPDATE ${s}.clients SET record = $2::jsonb WHERE client_id = $1`,
    // One field, in place: a concurrent updateClient keeps everything it wrote (the row lock orders them).
    extendClientExpiry: `
      UPDATE ${s}.clients SET record = jsonb_set(record, '{expires_at}', to_jsonb($2::bigint))
      WHERE client_id = $1 AND (record->>'expires_at')::bigint < $2`,
    deleteClient: `
      WITH deleted AS (DELETE FROM ${s}.clients WHERE client_id = $1 RETURNING client_id),
      revoked AS (DELETE FROM ${s}.grants WHERE client_id IN (SELECT client_id FROM deleted) AND NOT revoked)
      SELECT count(*)::int AS deleted FROM deleted`,
    countClients: `SELECT count(*)::int AS count FROM ${s}.clients`,
    // DO NOTHING, never an update: overwriting would reset the redemption counter.
    saveCode: `INSERT INTO ${s}.authorization_codes (code_hash, record, expires_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (code_hash) DO NOTHING`,
    redeemCode: `
      UPDATE ${s}.authorization_codes SET redemptions = redemptions + 1
      WHERE code_hash = $1 AND expires_at > $2
      RETURNING record, redemptions`,
    // ON CONFLICT DO NOTHING: a tombstone (or any row) of this id means nothing is written.
    createGrant: `
      WITH g AS (
        INSERT INTO ${s}.grants (grant_id, client_id, record, refresh, refresh_token_hash, expires_at, sealed_props, props_version)
        VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::text, $6, $10::text, $11) ON CONFLICT (grant_id) DO NOTHING RETURNING grant_id
      ), r AS (
        INSERT INTO ${s}.refresh_families (family_hash, grant_id) SELECT $12::text, grant_id FROM g WHERE $12::text IS NOT NULL
      ), a AS (
        INSERT INTO ${s}.access_tokens (token_hash, grant_id, record, expires_at) SELECT $7, grant_id, $8::jsonb, $9 FROM g
      )
      SELECT count(*)::int AS created FROM g`,
    saveAccessToken: `
      INSERT INTO ${s}.access_tokens (token_hash, grant_id, record, expires_at)
      SELECT $1, grant_id, $3::jsonb, $4 FROM ${s}.grants WHERE grant_id = $2 AND expires_at > $5 AND NOT revoked
      ON CONFLICT (token_hash) DO NOTHING`,
    getAccessToken: `
      SELECT a.record, g.sealed_props, g.props_version FROM ${s}.access_tokens a JOIN ${s}.grants g ON g.grant_id = a.grant_id
      WHERE a.token_hash = $1 AND a.expires_at > $2 AND g.expires_at > $2 AND NOT g.revoked`,
    getGrantByRefreshFamily: `
      SELECT g.record, g.refresh, g.sealed_props, g.props_version FROM ${s}.refresh_families f JOIN ${s}.grants g ON g.grant_id = f.grant_id
      WHERE f.family_hash = $1 AND g.expires_at > $2 AND NOT g.revoked`,
    rotateRefreshToken: `
      WITH g AS (
        UPDATE ${s}.grants SET refresh = $3::jsonb, refresh_token_hash = $4
        WHERE grant_id = $1 AND refresh_token_hash = $2 AND expires_at > $8 AND NOT revoked
        RETURNING grant_id
      ), a AS (
        INSERT INTO ${s}.access_tokens (token_hash, grant_id, record, expires_at) SELECT $5, grant_id, $6::jsonb, $7 FROM g
      )
      SELECT count(*)::int AS rotated FROM g`,
    // The row stays as the tombstone, until the later of its expires_at and $3 ($2 for a new row:
    // until, or now + the default); the tokens are deleted here, since no cascade fires.
    revokeGrant: `
      WITH t AS (
        INSERT INTO ${s}.grants AS held (grant_id, client_id, record, expires_at, revoked) VALUES ($1, '', '{}'::jsonb, $2, true)
        ON CONFLICT (grant_id) DO UPDATE
        SET revoked = true, refresh = NULL, refresh_token_hash = NULL, sealed_props = NULL, expires_at = GREATEST(held.expires_at, $3)
        RETURNING grant_id
      ), a AS (
        DELETE FROM ${s}.access_tokens WHERE grant_id = $1
      ), f AS (
        DELETE FROM ${s}.refresh_families WHERE grant_id = $1
      )
      SELECT count(*)::int AS revoked FROM t`,
    revokeAccessToken: `DELETE FROM ${s}.access_tokens WHERE token_hash = $1`,
    // The row lock serialises concurrent updates; each re-checks props_version after the previous.
    updateGrantProps: `
      UPDATE ${s}.grants SET sealed_props = $3, props_version = props_version + 1
      WHERE grant_id = $1 AND props_version = $2 AND expires_at > $4 AND NOT revoked`,
    listSubjectGrants: `
      SELECT record, refresh FROM ${s}.grants WHERE record->>'subject' = $1 AND expires_at > $2 AND NOT revoked`,
    // Targets: the subject's live grants (tombstoned until their expires_at) and the grant ids of
    // its pending codes ($4: now + the default). One statement: the upsert and the deletes commit
    // together. A createGrant racing it conflicts on the primary key, as with revokeGrant.
    revokeSubjectGrants: `
      WITH targets AS (
        SELECT grant_id, expires_at AS horizon, expires_at > $3 AS live FROM ${s}.grants
        WHERE record->>'subject' = $1 AND ($2::text IS NULL OR client_id = $2) AND NOT revoked
        UNION ALL
        SELECT record->>'grantId', $4::bigint, false FROM ${s}.authorization_codes
        WHERE record->>'subject' = $1 AND ($2::text IS NULL OR record->>'clientId' = $2) AND expires_at > $3
      ), ids AS (
        SELECT grant_id, max(horizon) AS horizon FROM targets GROUP BY grant_id
      ), t AS (
        INSERT INTO ${s}.grants AS held (grant_id, client_id, record, expires_at, revoked)
        SELECT grant_id, '', '{}'::jsonb, horizon, true FROM ids
        ON CONFLICT (grant_id) DO UPDATE
        SET revoked = true, refresh = NULL, refresh_token_hash = NULL, sealed_props = NULL, expires_at = GREATEST(held.expires_at, EXCLUDED.expires_at)
      ), a AS (
        DELETE FROM ${s}.access_tokens WHERE grant_id IN (SELECT grant_id FROM ids)
      ), f AS (
        DELETE FROM ${s}.refresh_families WHERE grant_id IN (SELECT grant_id FROM ids)
      )
      SELECT count(*)::int AS revoked FROM targets WHERE live`,
  };

  const first = <Row>(result: { rows: unknown[] }): Row | undefined => result.rows[0] as Row | undefined;

  return {
    async getClient(clientId) {
      return first<{ record: ClientRecord }>(await pool.query(sql.getClient, [clientId]))?.record ?? null;
    },
    async createClient(client) {
      return (await pool.query(sql.createClient, [client.client_id, JSON.stringify(client)])).rowCount === 1;
    },
    async updateClient(client) {
      return (await pool.query(sql.updateClient, [client.client_id, JSON.stringify(client)])).rowCount === 1;
    },
    async extendClientExpiry(clientId, expiresAt) {
      return (await pool.query(sql.extendClientExpiry, [clientId, expiresAt])).rowCount === 1;
    },
    async deleteClient(clientId) {
      return first<{ deleted: number }>(await pool.query(sql.deleteClient, [clientId]))?.deleted === 1;
    },
    async countClients() {
      return first<{ count: number }>(await pool.query(sql.countClients))?.count ?? 0;
    },

    async saveAuthorizationCode(code: AuthorizationCodeRecord) {
      await pool.query(sql.saveCode, [code.codeHash, JSON.stringify(code), code.expiresAt]);
    },
    async redeemAuthorizationCode(codeHash): Promise<RedeemedAuthorizationCode | null> {
      const row = first<{ record: AuthorizationCodeRecord; redemptions: number }>(await pool.query(sql.redeemCode, [codeHash, now()]));
      return row === undefined ? null : { code: row.record, firstUse: row.redemptions === 1 };
    },

    async createGrant(grant, accessToken) {
      const { refresh, sealedProps, propsVersion, ...record } = grant;
      const result = await pool.query(sql.createGrant, [
        grant.grantId,
        grant.clientId,
        JSON.stringify(record),
        refresh === undefined ? null : JSON.stringify(refresh),
        refresh?.tokenHash ?? null,
        grant.expiresAt,
        accessToken.tokenHash,
        JSON.stringify(accessToken),
        accessToken.expiresAt,
        sealedProps ?? null,
        propsVersion ?? 0,
        refresh === undefined ? null : (refresh.familyHash ?? refresh.tokenHash),
      ]);
      return first<{ created: number }>(result)?.created === 1;
    },
    async saveAccessToken(accessToken: AccessTokenRecord) {
      try {
        await pool.query(sql.saveAccessToken, [accessToken.tokenHash, accessToken.grantId, JSON.stringify(accessToken), accessToken.expiresAt, now()]);
      } catch (error) {
        // The grant was revoked between our check and the insert: the token is rightly dropped.
        if (!isForeignKeyViolation(error)) throw error;
      }
    },
    async getAccessToken(tokenHash) {
      const row = first<{ record: AccessTokenRecord; sealed_props: string | null; props_version: number }>(await pool.query(sql.getAccessToken, [tokenHash, now()]));
      return row === undefined ? null : withSealedProps(row.record, row.sealed_props, row.props_version);
    },
    async getGrantByRefreshFamily(familyHash) {
      const row = first<GrantRow>(await pool.query(sql.getGrantByRefreshFamily, [familyHash, now()]));
      if (row === undefined) return null;
      const grant: GrantRecord = row.refresh === null ? { ...row.record } : { ...row.record, refresh: row.refresh };
      return withSealedProps(grant, row.sealed_props, row.props_version);
    },
    async rotateRefreshToken(rotation) {
      const { accessToken } = rotation;
      const result = await pool.query(sql.rotateRefreshToken, [
        rotation.grantId,
        rotation.expectedTokenHash,
        JSON.stringify(rotation.refresh),
        rotation.refresh.tokenHash,
        accessToken.tokenHash,
        JSON.stringify(accessToken),
        accessToken.expiresAt,
        now(),
      ]);
      return first<{ rotated: number }>(result)?.rotated === 1;
    },
    async revokeGrant(grantId, revokeOptions = {}) {
      const { until } = revokeOptions;
      await pool.query(sql.revokeGrant, [grantId, until ?? now() + GRANT_TOMBSTONE_DEFAULT_SECONDS, until ?? 0]);
    },
    async revokeAccessToken(tokenHash) {
      await pool.query(sql.revokeAccessToken, [tokenHash]);
    },
    async updateGrantProps(update: GrantPropsUpdate) {
      const result = await pool.query(sql.updateGrantProps, [update.grantId, update.expectedVersion, update.sealedProps, now()]);
      return result.rowCount === 1;
    },

    async listSubjectGrants(subject) {
      const rows = (await pool.query(sql.listSubjectGrants, [subject, now()])).rows as GrantRow[];
      return rows.map((row) => (row.refresh === null ? { ...row.record } : { ...row.record, refresh: row.refresh }));
    },
    async revokeSubjectGrants(subject, revokeOptions = {}) {
      const t = now();
      const result = await pool.query(sql.revokeSubjectGrants, [subject, revokeOptions.clientId ?? null, t, t + GRANT_TOMBSTONE_DEFAULT_SECONDS]);
      return first<{ revoked: number }>(result)?.revoked ?? 0;
    },
  };
}
