/**
 * oauthkit SQLite schema, migration 003: grants and codes found by subject.
 *
 * `listSubjectGrants` and `revokeSubjectGrants` select a subject's grants (optionally of one
 * client) and its pending authorization codes. The subject is in the record JSON; expression
 * indexes on `json_extract` find it without a new column or a backfill; one more finds clients
 * past their `expires_at` for the sweep. Each statement is
 * idempotent (`IF NOT EXISTS`).
 *
 * @module
 */

/** The statements of migration 003, in order. */
export const MIGRATION_003_SUBJECT_INDEX: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS grants_subject ON grants (json_extract(record, '$.subject'), client_id)`,
  `CREATE INDEX IF NOT EXISTS authorization_codes_subject ON authorization_codes (json_extract(record, '$.subject'))`,
  // sweepExpired finds dynamically registered clients past expires_at (registration.unusedClientLifetime).
  `CREATE INDEX IF NOT EXISTS clients_expires_at ON clients (json_extract(record, '$.expires_at'))`,
];
