-- oauthkit PostgreSQL schema, migration 005: one refresh-family row per grant.
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
