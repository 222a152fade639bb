-- oauthkit SQLite schema, migration 3 (003_subject_index). Written by write-migrations.mjs from
-- SQLITE_MIGRATIONS of oauthkit/sqlite; do not edit. Every statement is idempotent.
CREATE TABLE IF NOT EXISTS oauthkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS grants_subject ON grants (json_extract(record, '$.subject'), client_id);
CREATE INDEX IF NOT EXISTS authorization_codes_subject ON authorization_codes (json_extract(record, '$.subject'));
CREATE INDEX IF NOT EXISTS clients_expires_at ON clients (json_extract(record, '$.expires_at'));
INSERT INTO oauthkit_migrations (version, name, applied_at) VALUES (3, '003_subject_index', CAST(strftime('%s', 'now') AS INTEGER)) ON CONFLICT (version) DO NOTHING;
