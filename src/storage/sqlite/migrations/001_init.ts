/**
 * oauthkit SQLite schema, migration 001: the tables.
 *
 * One string per statement (drivers prepare one statement at a time), each idempotent
 * (`IF NOT EXISTS`): `migrate` may run on several connections at once, and a host may apply the
 * statements again with its own tool. Times are seconds since the Unix epoch (INTEGER), as in the
 * storage contract; records are JSON text; credentials are stored only as hashes (base64url
 * SHA-256), so a copy of the file authenticates nobody.
 *
 * No foreign keys: SQLite enforces them only with `PRAGMA foreign_keys = ON` per connection, which
 * the store cannot rely on; every statement deletes a grant's tokens itself.
 *
 * @module
 */

/** The statements of migration 001, in order. */
export const MIGRATION_001_INIT: readonly string[] = [
  // Registered clients (RFC 7591 §2 metadata as JSON).
  `CREATE TABLE IF NOT EXISTS clients (
  client_id  TEXT PRIMARY KEY,
  record     TEXT NOT NULL
)`,
  // Authorization codes (RFC 6749 §4.1.2): each redemption increments redemptions; the caller
  // that reads 1 is the first use.
  `CREATE TABLE IF NOT EXISTS authorization_codes (
  code_hash    TEXT PRIMARY KEY,
  record       TEXT NOT NULL,
  redemptions  INTEGER NOT NULL DEFAULT 0,
  expires_at   INTEGER NOT NULL
)`,
  `CREATE INDEX IF NOT EXISTS authorization_codes_expires_at ON authorization_codes (expires_at)`,
  // Grants: record is the GrantRecord without its refresh state (in refresh, with the current
  // hash in its own column for compare-and-rotate). A revoked grant stays as its tombstone
  // (revoked = 1) until expires_at, its horizon.
  `CREATE TABLE IF NOT EXISTS grants (
  grant_id            TEXT PRIMARY KEY,
  client_id           TEXT NOT NULL,
  record              TEXT NOT NULL,
  refresh             TEXT,
  refresh_token_hash  TEXT,
  expires_at          INTEGER NOT NULL,
  revoked             INTEGER NOT NULL DEFAULT 0
)`,
  `CREATE INDEX IF NOT EXISTS grants_client_id ON grants (client_id)`,
  `CREATE INDEX IF NOT EXISTS grants_expires_at ON grants (expires_at)`,
  // Every refresh token hash ever issued for a live grant (RFC 9700 §4.14.2 reuse detection).
  `CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash  TEXT PRIMARY KEY,
  grant_id    TEXT NOT NULL
)`,
  `CREATE INDEX IF NOT EXISTS refresh_tokens_grant_id ON refresh_tokens (grant_id)`,
  // Access tokens, denormalised for one-query bearer validation.
  `CREATE TABLE IF NOT EXISTS access_tokens (
  token_hash  TEXT PRIMARY KEY,
  grant_id    TEXT NOT NULL,
  record      TEXT NOT NULL,
  expires_at  INTEGER NOT NULL
)`,
  `CREATE INDEX IF NOT EXISTS access_tokens_grant_id ON access_tokens (grant_id)`,
  `CREATE INDEX IF NOT EXISTS access_tokens_expires_at ON access_tokens (expires_at)`,
];
