-- oauthkit SQLite schema, migration 1 (001_init). Written by write-migrations.mjs from
-- SQLITE_MIGRATIONS of oauthkit/sqlite; do not edit. Every statement is idempotent.
CREATE TABLE IF NOT EXISTS oauthkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
  client_id  TEXT PRIMARY KEY,
  record     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS authorization_codes (
  code_hash    TEXT PRIMARY KEY,
  record       TEXT NOT NULL,
  redemptions  INTEGER NOT NULL DEFAULT 0,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS authorization_codes_expires_at ON authorization_codes (expires_at);
CREATE TABLE IF NOT EXISTS grants (
  grant_id            TEXT PRIMARY KEY,
  client_id           TEXT NOT NULL,
  record              TEXT NOT NULL,
  refresh             TEXT,
  refresh_token_hash  TEXT,
  expires_at          INTEGER NOT NULL,
  revoked             INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS grants_client_id ON grants (client_id);
CREATE INDEX IF NOT EXISTS grants_expires_at ON grants (expires_at);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash  TEXT PRIMARY KEY,
  grant_id    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refresh_tokens_grant_id ON refresh_tokens (grant_id);
CREATE TABLE IF NOT EXISTS access_tokens (
  token_hash  TEXT PRIMARY KEY,
  grant_id    TEXT NOT NULL,
  record      TEXT NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS access_tokens_grant_id ON access_tokens (grant_id);
CREATE INDEX IF NOT EXISTS access_tokens_expires_at ON access_tokens (expires_at);
INSERT INTO oauthkit_migrations (version, name, applied_at) VALUES (1, '001_init', CAST(strftime('%s', 'now') AS INTEGER)) ON CONFLICT (version) DO NOTHING;
