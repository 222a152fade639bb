-- oauthkit PostgreSQL schema, migration 002: revoked grants leave a tombstone.
--
-- revokeGrant no longer deletes the grant's row: it marks it revoked (inserting a bare row for an
-- id not created yet), deletes its tokens, and sets expires_at to the tombstone's horizon. A
-- createGrant of that id then conflicts on the primary key and stores nothing (INSERT … ON
-- CONFLICT DO NOTHING), whichever of the two statements reaches the row first: the unique index
-- serialises them. Reads skip revoked rows; sweepExpired deletes the row at its horizon (and any
-- token inserted beside it, by cascade).
-- Idempotent (IF NOT EXISTS), so applying it twice with another migration tool is harmless.
ALTER TABLE grants ADD COLUMN IF NOT EXISTS revoked boolean NOT NULL DEFAULT false;
