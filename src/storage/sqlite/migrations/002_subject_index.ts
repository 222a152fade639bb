/**
 * oauthkit SQLite schema, migration 002: grants and codes found by subject.
 *
 * `listSubjectGrants` and `revokeSubjectGrants` select a subject's grants (optionally of one
 * client) and its pending authorization codes. The subject is in the record JSON; expression
 * indexes on `json_extract` find it without a new column or a backfill. Each statement is
 * idempotent (`IF NOT EXISTS`).
 *
 * @module
 */

/** The statements of migration 002, in order. */
export const MIGRATION_002_SUBJECT_INDEX: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS grants_subject ON grants (json_extract(record, '$.subject'), client_id)`,
  `CREATE INDEX IF NOT EXISTS authorization_codes_subject ON authorization_codes (json_extract(record, '$.subject'))`,
];
