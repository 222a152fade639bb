/**
 * The schema migrations, embedded as strings so that they ship inside the bundle (which runs on
 * any platform and reads no files). `migrations/*.sql` hold the same text for hosts that apply
 * them with their own tool; a test keeps the two identical.
 *
 * @module
 */

/** One schema migration: applied once, in order of `version`, inside a transaction. */
export interface PostgresMigration {
  /** Increasing integer; recorded in `oauthkit_migrations` once applied. */
  version: number;
  /** The file name without `.sql`. */
  name: string;
  /** The SQL, schema-unqualified: run with `search_path` set to the target schema. */
  sql: string;
}

/**
 * Every migration of the oauthkit schema, oldest first.
 *
 * @see https://www.postgresql.org/docs/current/ddl-schemas.html
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "001_init",
    sql: `-- oauthkit PostgreSQL schema, migration 001: the initial tables.
--
-- migrate() runs this inside a transaction with search_path set to the target schema
-- (default "oauthkit"); to apply it with your own migration tool, do the same.
-- Times are seconds since the Unix epoch (bigint), as in the storage contract. Credentials are
-- stored only as hashes (base64url SHA-256): a dump of these tables authenticates nobody.

-- Registered clients (RFC 7591 §2 metadata as JSON).
CREATE TABLE clients (
  client_id   text PRIMARY KEY,
  record      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Authorization codes (RFC 6749 §4.1.2). redemptions is incremented by each redemption;
-- the caller that sees 1 is the first use.
CREATE TABLE authorization_codes (
  code_hash    text PRIMARY KEY,
  record       jsonb NOT NULL,
  redemptions  integer NOT NULL DEFAULT 0,
  expires_at   bigint NOT NULL
);
CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

-- Grants: record is the GrantRecord without its refresh state, which lives in refresh
-- (RefreshTokenState) with the current hash in its own column for compare-and-rotate.
CREATE TABLE grants (
  grant_id            text PRIMARY KEY,
  client_id           text NOT NULL,
  record              jsonb NOT NULL,
  refresh             jsonb,
  refresh_token_hash  text,
  expires_at          bigint NOT NULL
);
CREATE INDEX grants_client_id ON grants (client_id);
CREATE INDEX grants_expires_at ON grants (expires_at);

-- Every refresh token hash ever issued for a grant (RFC 9700 §4.14.2 reuse detection).
-- Deleting the grant deletes them.
CREATE TABLE refresh_tokens (
  token_hash  text PRIMARY KEY,
  grant_id    text NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);

-- Access tokens, denormalised for one-query bearer validation. Deleting the grant deletes them;
-- the foreign key also makes a token of a revoked grant impossible to insert.
CREATE TABLE access_tokens (
  token_hash  text PRIMARY KEY,
  grant_id    text NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
  record      jsonb NOT NULL,
  expires_at  bigint NOT NULL
);
CREATE INDEX access_tokens_grant_id ON access_tokens (grant_id);
CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);
`,
  },
  {
    version: 2,
    name: "002_grant_tombstones",
    sql: `-- oauthkit PostgreSQL schema, migration 002: revoked grants leave a tombstone.
--
-- revokeGrant no longer deletes the grant's row: it marks it revoked (inserting a bare row for an
-- id not created yet), deletes its tokens, and sets expires_at to the tombstone's horizon. A
-- createGrant of that id then conflicts on the primary key and stores nothing (INSERT … ON
-- CONFLICT DO NOTHING), whichever of the two statements reaches the row first: the unique index
-- serialises them. Reads skip revoked rows; sweepExpired deletes the row at its horizon (and any
-- token inserted beside it, by cascade).
-- Idempotent (IF NOT EXISTS), so applying it twice with another migration tool is harmless.
ALTER TABLE grants ADD COLUMN IF NOT EXISTS revoked boolean NOT NULL DEFAULT false;
`,
  },
  {
    version: 3,
    name: "003_sealed_props",
    sql: `-- oauthkit PostgreSQL schema, migration 003: a grant's sealed props and their version.
--
-- The props of a grant live on its row only (sealed_props, AES-GCM ciphertext the store cannot
-- read); getAccessToken reads them through its join, so updateGrantProps changes them for every
-- token at once. props_version is the compare-and-set version of updateGrantProps.
-- Idempotent (IF NOT EXISTS), so applying it twice with another migration tool is harmless.
ALTER TABLE grants ADD COLUMN IF NOT EXISTS sealed_props text;
ALTER TABLE grants ADD COLUMN IF NOT EXISTS props_version integer NOT NULL DEFAULT 0;
`,
  },
  {
    version: 4,
    name: "004_subject_index",
    sql: `-- oauthkit PostgreSQL schema, migration 004: grants and codes found by subject.
--
-- listSubjectGrants and revokeSubjectGrants select a subject's grants (optionally of one client)
-- and its pending authorization codes, whose grant ids revokeSubjectGrants tombstones. The
-- subject is in the record JSON; expression indexes find it without a new column or a backfill.
-- Idempotent (IF NOT EXISTS), so applying it twice with another migration tool is harmless.
CREATE INDEX IF NOT EXISTS grants_subject ON grants ((record->>'subject'), client_id);
CREATE INDEX IF NOT EXISTS authorization_codes_subject ON authorization_codes ((record->>'subject'));
-- sweepExpired finds dynamically registered clients past expires_at (registration.unusedClientLifetime).
CREATE INDEX IF NOT EXISTS clients_expires_at ON clients (((record->>'expires_at')::bigint));
`,
  },
  {
    version: 5,
    name: "005_refresh_families",
    sql: `-- oauthkit PostgreSQL schema, migration 005: one refresh-family row per grant.
--
-- Refresh tokens now carry their family ("<family>.<secret>"), and the store finds a grant by the
-- hash of the family, which every rotation keeps: reuse of any old token of the family is detected
-- by comparing with the grant's current and previous hash (RFC 9700 §4.14.2), so rotated-out
-- hashes are no longer kept and the rows of a grant stay constant however often it is refreshed.
-- A token issued before this migration is its own family: each live grant's current hash becomes
-- its family hash, so its current token keeps working (and rotates into that family). Older,
-- already rotated-out tokens become unknown (invalid_grant, without revoking the grant).
-- Idempotent (IF NOT EXISTS, NOT EXISTS), so applying it twice is harmless.
CREATE TABLE IF NOT EXISTS refresh_families (
  family_hash  text PRIMARY KEY,
  grant_id     text NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS refresh_families_grant_id ON refresh_families (grant_id);
INSERT INTO refresh_families (family_hash, grant_id)
  SELECT g.refresh_token_hash, g.grant_id FROM grants g
  WHERE g.refresh_token_hash IS NOT NULL AND NOT g.revoked
    AND NOT EXISTS (SELECT 1 FROM refresh_families f WHERE f.grant_id = g.grant_id)
  ON CONFLICT (family_hash) DO NOTHING;
DROP TABLE IF EXISTS refresh_tokens;
`,
  },
];
