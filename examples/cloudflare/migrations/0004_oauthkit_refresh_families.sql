-- oauthkit SQLite schema, migration 4 (004_refresh_families). Written by write-migrations.mjs from
-- SQLITE_MIGRATIONS of oauthkit/sqlite; do not edit. Every statement is idempotent.
CREATE TABLE IF NOT EXISTS oauthkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_families (
  family_hash  TEXT PRIMARY KEY,
  grant_id     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refresh_families_grant_id ON refresh_families (grant_id);
INSERT INTO refresh_families (family_hash, grant_id)
  SELECT g.refresh_token_hash, g.grant_id FROM grants g
  WHERE g.refresh_token_hash IS NOT NULL AND g.revoked = 0
    AND NOT EXISTS (SELECT 1 FROM refresh_families f WHERE f.grant_id = g.grant_id)
  ON CONFLICT (family_hash) DO NOTHING;
DROP TABLE IF EXISTS refresh_tokens;
INSERT INTO oauthkit_migrations (version, name, applied_at) VALUES (4, '004_refresh_families', CAST(strftime('%s', 'now') AS INTEGER)) ON CONFLICT (version) DO NOTHING;
