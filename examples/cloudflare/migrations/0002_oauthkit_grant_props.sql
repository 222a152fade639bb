-- oauthkit SQLite schema, migration 2 (002_grant_props). Written by write-migrations.mjs from
-- SQLITE_MIGRATIONS of oauthkit/sqlite; do not edit. Every statement is idempotent.
CREATE TABLE IF NOT EXISTS oauthkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS grant_props (
  grant_id      TEXT PRIMARY KEY,
  sealed_props  TEXT NOT NULL,
  version       INTEGER NOT NULL
);
INSERT INTO oauthkit_migrations (version, name, applied_at) VALUES (2, '002_grant_props', CAST(strftime('%s', 'now') AS INTEGER)) ON CONFLICT (version) DO NOTHING;
