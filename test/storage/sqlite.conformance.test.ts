/**
 * The SQLite store against the storage conformance suite, on a file database in WAL mode, once per
 * engine that loads under this Node (better-sqlite3 on the Node it was built for, node:sqlite on
 * Node ≥ 22.13); plus what is specific to SQLite.
 */
import { seedExpiringClients } from "../support/fixtures.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  type BetterSqlite3Database,
  type SqliteDriver,
  SQLITE_MIGRATIONS,
  createSqliteStorage,
  migrate,
  sweepExpired,
} from "../../src/storage/sqlite/index.js";
import { describeStorageConformance } from "../../src/testing/index.js";
import { callEveryStorageMethod } from "../support/storage-methods.js";
import { type SqliteConnection, sqliteEngines } from "../support/sqlite.js";

// Compile-time check: a better-sqlite3 Database is a BetterSqlite3Database as it is.
export const acceptsBetterSqlite3 = (db: BetterSqlite3.Database): BetterSqlite3Database => db;

const TABLES = ["clients", "authorization_codes", "grants", "refresh_families", "access_tokens", "grant_props"];
const GRANT_TABLES = ["grants", "refresh_families", "access_tokens", "grant_props"];

/** Rows across the tables that reference the grant (test-only inspection for the conformance suite). */
const countGrantRows = (connection: SqliteConnection) => async (grantId: string) =>
  GRANT_TABLES.reduce((total, table) => total + Number(connection.rows(`SELECT count(*) AS n FROM ${table} WHERE grant_id = '${grantId.replace(/'/g, "''")}'`)[0]!.n), 0);

const dir = mkdtempSync(join(tmpdir(), "oauthkit-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

for (const { name, engine } of sqliteEngines()) {
  if (typeof engine === "string") {
    console.warn(`[skip] SQLite store on ${name}: ${engine}`);
    describe.skip(`SQLite store on ${name} (skipped: ${engine})`, () => {
      it("needs the engine", () => {});
    });
    continue;
  }
  describe(`SQLite store on ${name}`, () => {
    const connections: SqliteConnection[] = [];
    const open = (path = join(dir, `${name.replace(":", "-")}-${files++}.sqlite`)) => {
      const connection = engine.open(path);
      connections.push(connection);
      return { connection, path };
    };
    afterAll(() => {
      for (const connection of connections) connection.close();
    });
    const dump = (connection: SqliteConnection) => async () =>
      TABLES.flatMap((table) => connection.rows(`SELECT * FROM ${table}`).map((row) => `${table} ${JSON.stringify(row)}`)).join("\n");

    describeStorageConformance(`sqlite (${name}, WAL file)`, async () => {
      const { connection } = open();
      await migrate(connection.driver);
      return { storage: createSqliteStorage({ driver: connection.driver }), dump: dump(connection), countGrantRecords: countGrantRows(connection) };
    });

    describe("SQLite specifics", () => {
      it("migrate is idempotent and records each migration once across connections", async () => {
        const { connection, path } = open();
        const other = open(path).connection;
        const results = await Promise.all([migrate(connection.driver), migrate(other.driver)]);
        expect(results.map((r) => r.applied.length).sort()).toEqual([0, SQLITE_MIGRATIONS.length]);
        expect((await migrate(connection.driver)).applied).toEqual([]);
        expect(connection.rows("SELECT version, name FROM oauthkit_migrations")).toEqual([
          { version: 1, name: "001_init" },
          { version: 2, name: "002_grant_props" },
          { version: 3, name: "003_subject_index" },
          { version: 4, name: "004_refresh_families" },
        ]);
      });

      it("migration 004 keeps each live grant's current refresh token working as its family; rotated-out hashes go", async () => {
        const { connection } = open();
        // The schema as version 3 left it, with a grant rotated twice (three hashes kept).
        await connection.driver.batch([
          ...SQLITE_MIGRATIONS.slice(0, 3).flatMap((m) => m.statements.map((sql) => ({ sql, params: [] }))),
          { sql: "CREATE TABLE IF NOT EXISTS oauthkit_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)", params: [] },
          { sql: "INSERT INTO oauthkit_migrations (version, name, applied_at) VALUES (1, '001_init', 0), (2, '002_grant_props', 0), (3, '003_subject_index', 0)", params: [] },
        ]);
        const t = Math.floor(Date.now() / 1000);
        const record = { grantId: "g", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 };
        await connection.driver.batch([
          {
            sql: "INSERT INTO grants (grant_id, client_id, record, refresh, refresh_token_hash, expires_at) VALUES ('g', 'c', ?, ?, 'r3', ?)",
            params: [JSON.stringify(record), JSON.stringify({ tokenHash: "r3", previousTokenHash: "r2", expiresAt: t + 600 }), t + 600],
          },
          { sql: "INSERT INTO refresh_tokens (token_hash, grant_id) VALUES ('r1', 'g'), ('r2', 'g'), ('r3', 'g')", params: [] },
        ]);
        expect((await migrate(connection.driver)).applied).toEqual(["004_refresh_families"]);
        const storage = createSqliteStorage({ driver: connection.driver });
        expect((await storage.getGrantByRefreshFamily("r3"))?.refresh?.tokenHash).toBe("r3");
        expect(await storage.getGrantByRefreshFamily("r2")).toBeNull();
        expect(await countGrantRows(connection)("g")).toBe(2);
        // Applied again (two instances migrating at once): nothing changes.
        await connection.driver.batch(SQLITE_MIGRATIONS[3]!.statements.map((sql) => ({ sql, params: [] })));
        expect(await countGrantRows(connection)("g")).toBe(2);
      });

      it("refuses a driver without all() and batch() (TypeError naming the option)", () => {
        expect(() => createSqliteStorage({ driver: {} as SqliteDriver })).toThrow(/options\.driver/);
      });

      it("every method is one driver call: one statement or one atomic batch (storage-call counts)", async () => {
        const { connection } = open();
        await migrate(connection.driver);
        let calls = 0;
        const counting: SqliteDriver = {
          all: (statement) => (calls++, connection.driver.all(statement)),
          batch: (statements) => (calls++, connection.driver.batch(statements)),
        };
        const storage = createSqliteStorage({ driver: counting });
        await callEveryStorageMethod(storage, async (method, call) => {
          calls = 0;
          await call();
          expect(calls, method).toBe(1);
        });
      });

      it("createGrant and rotateRefreshToken are all-or-nothing: a clashing access-token hash stores neither grant nor refresh hash", async () => {
        const { connection } = open();
        await migrate(connection.driver);
        const storage = createSqliteStorage({ driver: connection.driver });
        const t = Math.floor(Date.now() / 1000);
        const token = (tokenHash: string, grantId: string) => ({ tokenHash, grantId, clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 });
        const grant = (grantId: string, refreshHash: string) => ({ grantId, clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600, refresh: { tokenHash: refreshHash, expiresAt: t + 600 } });
        expect(await storage.createGrant(grant("g1", "r1"), token("a1", "g1"))).toBe(true);
        await expect(storage.createGrant(grant("g2", "r2"), token("a1", "g2"))).rejects.toThrow();
        expect(connection.rows("SELECT grant_id FROM grants WHERE grant_id = 'g2'")).toEqual([]);
        expect(await storage.getGrantByRefreshFamily("r2")).toBeNull();
        await expect(storage.rotateRefreshToken({ grantId: "g1", expectedTokenHash: "r1", refresh: { tokenHash: "r3", expiresAt: t + 600 }, accessToken: token("a1", "g1") })).rejects.toThrow();
        expect((await storage.getGrantByRefreshFamily("r1"))?.refresh?.tokenHash).toBe("r1");
        expect(await storage.getGrantByRefreshFamily("r3")).toBeNull();
      });

      it("sweepExpired deletes dynamically registered clients past expires_at with their grants, and keeps the others (registration.unusedClientLifetime)", async () => {
        const { connection } = open();
        await migrate(connection.driver);
        const storage = createSqliteStorage({ driver: connection.driver });
        const t = Math.floor(Date.now() / 1000);
        await seedExpiringClients(storage, t);
        expect((await sweepExpired(connection.driver, { batchSize: 1 })).clients).toBe(1);
        expect(await storage.getClient("expired")).toBeNull();
        expect(await storage.getAccessToken("expired-at")).toBeNull();
        expect(connection.rows("SELECT count(*) AS n FROM access_tokens WHERE grant_id = 'of-expired'")).toEqual([{ n: 0 }]);
        expect(await storage.getClient("extended")).not.toBeNull();
        expect(await storage.getClient("pre-registered")).not.toBeNull();
        expect(await storage.getAccessToken("extended-at")).not.toBeNull();
      });

      it("sweepExpired deletes expired codes, grants (with their tokens), tombstones past their horizon and expired tokens, and keeps live ones", async () => {
        const { connection } = open();
        await migrate(connection.driver);
        const storage = createSqliteStorage({ driver: connection.driver });
        const t = Math.floor(Date.now() / 1000);
        const base = { clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t - 100 };
        const token = (tokenHash: string, grantId: string, expiresAt: number) => ({ tokenHash, grantId, clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t - 100, expiresAt });
        await storage.saveAuthorizationCode({ ...base, codeHash: "old-code", grantId: "x", expiresAt: t - 1 });
        await storage.saveAuthorizationCode({ ...base, codeHash: "new-code", grantId: "y", expiresAt: t + 60 });
        await storage.createGrant({ ...base, grantId: "dead", expiresAt: t - 1, refresh: { tokenHash: "dead-rt", expiresAt: t - 1 } }, token("dead-at", "dead", t + 60));
        await storage.createGrant({ ...base, grantId: "live", expiresAt: t + 600 }, token("live-at", "live", t + 60));
        await storage.saveAccessToken(token("live-old-at", "live", t - 1));
        await storage.revokeGrant("old-tombstone", { until: t - 1 });
        await storage.revokeGrant("tombstone", { until: t + 600 });

        // A batch size of 1 still reaches everything.
        expect(await sweepExpired(connection.driver, { batchSize: 1 })).toEqual({ clients: 0, authorizationCodes: 1, grants: 2, accessTokens: 1 });
        const count = (table: string) => Number(connection.rows(`SELECT count(*) AS n FROM ${table}`)[0]!.n);
        expect(count("authorization_codes")).toBe(1);
        expect(count("grants")).toBe(2);
        expect(count("refresh_families")).toBe(0);
        expect(count("access_tokens")).toBe(1);
        expect(await storage.getAccessToken("live-at")).not.toBeNull();
        expect(await storage.createGrant({ ...base, grantId: "tombstone", expiresAt: t + 600 }, token("tomb-at", "tombstone", t + 60))).toBe(false);
        await expect(sweepExpired(connection.driver, { batchSize: 0 })).rejects.toThrow(TypeError);
      });
    });
  });
}
