-- oauthkit PostgreSQL schema, migration 004: grants and codes found by subject.
--
-- listSubjectGrants and revokeSubjectGrants select a subject's grants (optionally of one client)
-- and its pending authorization codes, whose grant ids revokeSubjectGrants tombstones. The
-- subject is in the record JSON; expression indexes find it without a new column or a backfill.
-- Idempotent (IF NOT EXISTS), so applying it twice with another migration tool is harmless.
CREATE INDEX IF NOT EXISTS grants_subject ON grants ((record->>'subject'), client_id);
CREATE INDEX IF NOT EXISTS authorization_codes_subject ON authorization_codes ((record->>'subject'));
-- sweepExpired finds dynamically registered clients past expires_at (registration.unusedClientLifetime).
CREATE INDEX IF NOT EXISTS clients_expires_at ON clients (((record->>'expires_at')::bigint));
