/** The PostgreSQL store against the storage conformance suite, on a throwaway PostgreSQL. */
import { seedExpiringClients } from "../support/fixtures.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateId } from "../../src/crypto.js";
import {
  POSTGRES_MIGRATIONS,
  type PostgresPool,
  type PostgresQueryable,
  createPostgresStorage,
  migrate,
  sweepExpired,
} from "../../src/storage/postgres/index.js";
import { describeStorageConformance } from "../../src/testing/index.js";
import { callEveryStorageMethod } from "../support/storage-methods.js";
import { type RunningPostgres, postgresBinaries, serverMissing, startPostgres } from "../support/servers.js";

// Compile-time check: a pg Pool is a PostgresPool as it is.
export const acceptsPgPool = (pool: pg.Pool): PostgresPool => pool;

const TABLES = ["clients", "authorization_codes", "grants", "refresh_families", "access_tokens"];
const GRANT_TABLES = ["grants", "refresh_families", "access_tokens"];

/** Rows across the tables that reference the grant (test-only inspection for the conformance suite). */
async function countGrantRows(pool: pg.Pool, schema: string, grantId: string): Promise<number> {
  let total = 0;
  for (const table of GRANT_TABLES) total += Number((await pool.query(`SELECT count(*) FROM "${schema}".${table} WHERE grant_id = $1`, [grantId])).rows[0].count);
  return total;
}

async function dumpSchema(pool: pg.Pool, schema: string): Promise<string> {
  const lines: string[] = [];
  for (const table of TABLES) {
    const result = await pool.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}".${table} t`);
    lines.push(...result.rows.map((r) => `${table} ${r.row}`));
  }
  return lines.join("\n");
}

const binaries = postgresBinaries();
if (binaries === null) {
  serverMissing("PostgreSQL store", "initdb/postgres not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)");
} else {
  describe("PostgreSQL store", () => {
    let server: RunningPostgres;
    const pools: pg.Pool[] = [];
    function newPool(): pg.Pool {
      const pool = new pg.Pool({ ...server.connection, max: 10 });
      // An idle client cut off by the server's shutdown emits "error" on its pool: expected here.
      pool.on("error", () => {});
      pools.push(pool);
      return pool;
    }
    async function migratedSchema(pool: pg.Pool): Promise<string> {
      const schema = `t_${generateId().replace(/-/g, "_")}`;
      await migrate(pool, { schema });
      return schema;
    }
    beforeAll(async () => {
      server = await startPostgres(binaries);
    });
    afterAll(async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await server?.stop();
    });

    describeStorageConformance("postgres", async () => {
      const pool = newPool();
      const schema = await migratedSchema(pool);
      return {
        storage: createPostgresStorage({ pool, schema }),
        dump: () => dumpSchema(pool, schema),
        countGrantRecords: (grantId) => countGrantRows(pool, schema, grantId),
      };
    });

    describe("PostgreSQL specifics", () => {
      it("ships the migration files' exact text embedded in the bundle", () => {
        expect(POSTGRES_MIGRATIONS.map((m) => m.name)).toEqual(["001_init", "002_grant_tombstones", "003_sealed_props", "004_subject_index", "005_refresh_families"]);
        expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5]);
        for (const migration of POSTGRES_MIGRATIONS) {
          const file = readFileSync(join(import.meta.dirname, `../../src/storage/postgres/migrations/${migration.name}.sql`), "utf8");
          expect(migration.sql, migration.name).toBe(file);
        }
      });

      it("migrate is idempotent and serialises concurrent callers (advisory lock)", async () => {
        const schema = `t_${generateId().replace(/-/g, "_")}`;
        const results = await Promise.all([newPool(), newPool(), newPool()].map((pool) => migrate(pool, { schema })));
        expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, POSTGRES_MIGRATIONS.length]);
        expect((await migrate(newPool(), { schema })).applied).toEqual([]);
      });

      it("migration 005 keeps each live grant's current refresh token working as its family; rotated-out hashes go", async () => {
        const pool = newPool();
        const schema = `t_${generateId().replace(/-/g, "_")}`;
        // The schema as version 4 left it, with a grant rotated twice (three hashes kept).
        const client = await pool.connect();
        try {
          await client.query(`CREATE SCHEMA "${schema}"`);
          await client.query(`SET search_path TO "${schema}"`);
          for (const migration of POSTGRES_MIGRATIONS.slice(0, 4)) await client.query(migration.sql);
          await client.query(`CREATE TABLE oauthkit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
          await client.query(`INSERT INTO oauthkit_migrations (version, name) VALUES (1, '001_init'), (2, '002_grant_tombstones'), (3, '003_sealed_props'), (4, '004_subject_index')`);
          const t = Math.floor(Date.now() / 1000);
          const record = { grantId: "g", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 };
          await client.query(
            `INSERT INTO grants (grant_id, client_id, record, refresh, refresh_token_hash, expires_at) VALUES ('g', 'c', $1, $2, 'r3', $3)`,
            [JSON.stringify(record), JSON.stringify({ tokenHash: "r3", previousTokenHash: "r2", expiresAt: t + 600 }), t + 600],
          );
          await client.query(`INSERT INTO refresh_tokens (token_hash, grant_id) VALUES ('r1', 'g'), ('r2', 'g'), ('r3', 'g')`);
        } finally {
          client.release();
        }
        const migrated = await migrate(pool, { schema });
        expect(migrated.applied).toEqual(["005_refresh_families"]);
        const storage = createPostgresStorage({ pool, schema });
        expect((await storage.getGrantByRefreshFamily("r3"))?.refresh?.tokenHash).toBe("r3");
        expect(await storage.getGrantByRefreshFamily("r2")).toBeNull();
        expect(await countGrantRows(pool, schema, "g")).toBe(2);
        // Applied again by another tool: nothing changes.
        const again = await pool.connect();
        try {
          await again.query(`SET search_path TO "${schema}"`);
          await again.query(POSTGRES_MIGRATIONS[4]!.sql);
        } finally {
          again.release();
        }
        expect(await countGrantRows(pool, schema, "g")).toBe(2);
      });

      it("refuses a schema name that is not a plain identifier", () => {
        expect(() => createPostgresStorage({ pool: newPool(), schema: 'x"; DROP TABLE y; --' })).toThrow(TypeError);
      });

      it("every method is exactly one SQL statement (one round trip)", async () => {
        const pool = newPool();
        const schema = await migratedSchema(pool);
        let queries = 0;
        const counting: PostgresQueryable = { query: (text, values) => (queries++, pool.query(text, values)) };
        const storage = createPostgresStorage({ pool: counting, schema });
        await callEveryStorageMethod(storage, async (method, call) => {
          queries = 0;
          await call();
          expect(queries, method).toBe(1);
        });
      });

      it("every lookup is served by an index (EXPLAIN with sequential scans disabled)", async () => {
        const pool = newPool();
        const schema = await migratedSchema(pool);
        const statements: Array<{ text: string; values: unknown[] | undefined }> = [];
        const recording: PostgresQueryable = { query: (text, values) => (statements.push({ text, values }), pool.query(text, values)) };
        const storage = createPostgresStorage({ pool: recording, schema });
        const t = Math.floor(Date.now() / 1000);
        const token = { tokenHash: "a1", grantId: "g", clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 };
        await storage.getClient("c");
        await storage.updateClient({ client_id: "c", token_endpoint_auth_method: "none", redirect_uris: [], grant_types: [], response_types: [] });
        await storage.deleteClient("c");
        await storage.redeemAuthorizationCode("h");
        await storage.saveAccessToken(token);
        await storage.getAccessToken("a1");
        await storage.getGrantByRefreshFamily("r1");
        await storage.rotateRefreshToken({ grantId: "g", expectedTokenHash: "r1", refresh: { tokenHash: "r2", expiresAt: t + 60 }, accessToken: token });
        await storage.revokeGrant("g");
        await storage.revokeAccessToken("a1");
        await storage.listSubjectGrants("s");
        await storage.revokeSubjectGrants("s");
        await storage.revokeSubjectGrants("s", { clientId: "c" });
        await sweepExpired(recording, { schema });
        const connection = await pool.connect();
        try {
          await connection.query("BEGIN");
          await connection.query("SET LOCAL enable_seqscan = off");
          for (const { text, values } of statements) {
            const plan = (await connection.query(`EXPLAIN ${text}`, values)).rows.map((row: Record<string, string>) => row["QUERY PLAN"]).join("\n");
            expect(plan, text).toMatch(/Index/);
            expect(plan, text).not.toMatch(/Seq Scan/);
          }
        } finally {
          await connection.query("ROLLBACK");
          connection.release();
        }
      });

      it("sweepExpired deletes dynamically registered clients past expires_at with their grants, and keeps the others (registration.unusedClientLifetime)", async () => {
        const pool = newPool();
        const schema = await migratedSchema(pool);
        const storage = createPostgresStorage({ pool, schema });
        const t = Math.floor(Date.now() / 1000);
        await seedExpiringClients(storage, t);
        expect((await sweepExpired(pool, { schema, batchSize: 1 })).clients).toBe(1);
        expect(await storage.getClient("expired")).toBeNull();
        expect(await storage.getAccessToken("expired-at")).toBeNull();
        expect(await storage.getClient("extended")).not.toBeNull();
        expect(await storage.getClient("pre-registered")).not.toBeNull();
        expect(await storage.getAccessToken("extended-at")).not.toBeNull();
      });

      it("sweepExpired deletes expired rows (tokens of expired grants by cascade) and keeps live ones", async () => {
        const pool = newPool();
        const schema = await migratedSchema(pool);
        const storage = createPostgresStorage({ pool, schema });
        const t = Math.floor(Date.now() / 1000);
        const base = { clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t - 100 };
        const token = (tokenHash: string, grantId: string, expiresAt: number) => ({ tokenHash, grantId, clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t - 100, expiresAt });
        await storage.saveAuthorizationCode({ ...base, codeHash: "old-code", grantId: "x", expiresAt: t - 1 });
        await storage.saveAuthorizationCode({ ...base, codeHash: "new-code", grantId: "y", expiresAt: t + 60 });
        await storage.createGrant({ ...base, grantId: "dead", expiresAt: t - 1, refresh: { tokenHash: "dead-rt", expiresAt: t - 1 } }, token("dead-at", "dead", t + 60));
        await storage.createGrant({ ...base, grantId: "live", expiresAt: t + 600 }, token("live-at", "live", t + 60));
        await storage.saveAccessToken(token("live-old-at", "live", t + 60));
        // An expired token of a live grant, inserted directly (saveAccessToken would accept it too).
        await pool.query(`UPDATE "${schema}".access_tokens SET expires_at = $1 WHERE token_hash = 'live-old-at'`, [t - 1]);

        // Tombstones are grant rows: one past its horizon, one still revoking its id.
        await storage.revokeGrant("old-tombstone", { until: t - 1 });
        await storage.revokeGrant("tombstone", { until: t + 600 });

        // A sweep with a tiny batch size still reaches everything.
        expect(await sweepExpired(pool, { schema, batchSize: 1 })).toEqual({ clients: 0, authorizationCodes: 1, grants: 2, accessTokens: 1 });
        const count = async (table: string) => Number((await pool.query(`SELECT count(*) FROM "${schema}".${table}`)).rows[0].count);
        expect(await count("authorization_codes")).toBe(1);
        expect(await count("grants")).toBe(2);
        expect(await count("refresh_families")).toBe(0);
        expect(await storage.createGrant({ ...base, grantId: "tombstone", expiresAt: t + 600 }, token("tomb-at", "tombstone", t + 60))).toBe(false);
        expect(await count("access_tokens")).toBe(1);
        expect(await storage.getAccessToken("live-at")).not.toBeNull();
      });
    });
  });
}
