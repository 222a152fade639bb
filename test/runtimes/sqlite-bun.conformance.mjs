/**
 * The storage conformance suite on `bun:sqlite`, under Bun (`bun test`, with vitest's API mapped
 * onto `bun:test` by bun-vitest-shim.mjs): the same cases the Node suites run on better-sqlite3 and
 * node:sqlite, against the built package. Run by runtimes.test.ts.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunSqliteDriver, createSqliteStorage, migrate } from "../../dist/sqlite.js";
import { describeStorageConformance } from "../../dist/testing.js";

const dir = mkdtempSync(join(tmpdir(), "oauthkit-bun-conformance-"));
const TABLES = ["clients", "authorization_codes", "grants", "refresh_families", "access_tokens", "grant_props"];
const GRANT_TABLES = ["grants", "refresh_families", "access_tokens", "grant_props"];

describeStorageConformance("sqlite (bun:sqlite, WAL file)", async () => {
  const db = new Database(join(dir, "oauthkit.sqlite"));
  for (const pragma of ["journal_mode = WAL", "busy_timeout = 5000"]) db.exec(`PRAGMA ${pragma}`);
  const driver = bunSqliteDriver(db);
  await migrate(driver);
  const dump = async () =>
    TABLES.flatMap((table) => db.prepare(`SELECT * FROM ${table}`).all().map((row) => `${table} ${JSON.stringify(row)}`)).join("\n");
  const countGrantRecords = async (grantId) =>
    GRANT_TABLES.reduce((total, table) => total + Number(db.prepare(`SELECT count(*) AS n FROM ${table} WHERE grant_id = ?`).get(grantId).n), 0);
  return { storage: createSqliteStorage({ driver }), dump, countGrantRecords, close: async () => db.close() };
});
