/**
 * oauthkit SQLite schema, migration 002: a grant's sealed props and their version.
 *
 * A table of its own rather than columns of `grants`: SQLite has no `ADD COLUMN IF NOT EXISTS`,
 * and every migration statement must be idempotent (two instances may run it at once). The props
 * of a grant live in this row only (AES-GCM ciphertext the store cannot read); `getAccessToken`
 * reads them through its join, so `updateGrantProps` changes them for every token at once.
 *
 * @module
 */

/** The statements of migration 002, in order. */
export const MIGRATION_002_GRANT_PROPS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS grant_props (
  grant_id      TEXT PRIMARY KEY,
  sealed_props  TEXT NOT NULL,
  version       INTEGER NOT NULL
)`,
];
