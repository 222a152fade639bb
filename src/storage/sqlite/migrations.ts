/**
 * The SQLite schema migrations, embedded as strings so that they ship inside the bundle (which
 * reads no files and runs on Node, Bun and Workers alike).
 *
 * @module
 */
import { MIGRATION_001_INIT } from "./migrations/001_init.js";
import { MIGRATION_002_GRANT_PROPS } from "./migrations/002_grant_props.js";
import { MIGRATION_003_SUBJECT_INDEX } from "./migrations/003_subject_index.js";
import { MIGRATION_004_REFRESH_FAMILIES } from "./migrations/004_refresh_families.js";

/** One schema migration of `oauthkit/sqlite`: applied once, in order of `version`, in one atomic batch. */
export interface SqliteMigration {
  /** Increasing integer; recorded in `oauthkit_migrations` once applied. */
  version: number;
  /** A short name, e.g. `"001_init"`. */
  name: string;
  /**
   * The statements, one per string, each idempotent (`IF NOT EXISTS`, …): two instances migrating
   * at once may both run them.
   */
  statements: readonly string[];
}

/**
 * Every migration of the oauthkit SQLite schema, oldest first.
 *
 * @see https://www.sqlite.org/lang_createtable.html
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, name: "001_init", statements: MIGRATION_001_INIT },
  { version: 2, name: "002_grant_props", statements: MIGRATION_002_GRANT_PROPS },
  { version: 3, name: "003_subject_index", statements: MIGRATION_003_SUBJECT_INDEX },
  { version: 4, name: "004_refresh_families", statements: MIGRATION_004_REFRESH_FAMILIES },
];
