/**
 * Writes migrations/NNNN_<name>.sql for `wrangler d1 migrations apply` from oauthkit's
 * SQLITE_MIGRATIONS (the same statements `migrate()` runs), each file also recording its version
 * in `oauthkit_migrations`, so that `migrate()` in the Worker finds nothing left to do.
 *
 *   npm run build && node examples/cloudflare/write-migrations.mjs
 *
 * test/examples/workers.test.ts checks that the shipped files are what this writes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The table `migrate()` keeps applied versions in (created by it too, with this definition). */
const MIGRATIONS_TABLE =
  "CREATE TABLE IF NOT EXISTS oauthkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

/**
 * The SQL files for `migrations`, as { name, sql }: wrangler applies them in file-name order, once each.
 *
 * @param {readonly { version: number, name: string, statements: readonly string[] }[]} migrations
 */
export function migrationFiles(migrations) {
  return migrations.map((migration) => ({
    name: `${String(migration.version).padStart(4, "0")}_oauthkit_${migration.name.replace(/^\d+_/, "")}.sql`,
    sql: [
      `-- oauthkit SQLite schema, migration ${migration.version} (${migration.name}). Written by write-migrations.mjs from`,
      "-- SQLITE_MIGRATIONS of oauthkit/sqlite; do not edit. Every statement is idempotent.",
      `${MIGRATIONS_TABLE};`,
      ...migration.statements.map((statement) => `${statement};`),
      `INSERT INTO oauthkit_migrations (version, name, applied_at) VALUES (${migration.version}, '${migration.name}', CAST(strftime('%s', 'now') AS INTEGER)) ON CONFLICT (version) DO NOTHING;`,
      "",
    ].join("\n"),
  }));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { SQLITE_MIGRATIONS } = await import("oauthkit/sqlite");
  const dir = join(dirname(fileURLToPath(import.meta.url)), "migrations");
  mkdirSync(dir, { recursive: true });
  for (const file of migrationFiles(SQLITE_MIGRATIONS)) {
    writeFileSync(join(dir, file.name), file.sql);
    console.log(`wrote ${join("examples", "cloudflare", "migrations", file.name)}`);
  }
}
