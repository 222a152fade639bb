-- oauthkit PostgreSQL schema, migration 003: a grant's sealed props and their version.
--
-- The props of a grant live on its row only (sealed_props, AES-GCM ciphertext the store cannot
-- read); getAccessToken reads them through its join, so updateGrantProps changes them for every
-- token at once. props_version is the compare-and-set version of updateGrantProps.
-- Idempotent (IF NOT EXISTS), so applying it twice with another migration tool is harmless.
ALTER TABLE grants ADD COLUMN IF NOT EXISTS sealed_props text;
ALTER TABLE grants ADD COLUMN IF NOT EXISTS props_version integer NOT NULL DEFAULT 0;
