/** The Redis store against the storage conformance suite, on a throwaway redis-server. */
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateId } from "../../src/crypto.js";
import { GRANT_TOMBSTONE_DEFAULT_SECONDS } from "../../src/storage/types.js";
import { type RedisScriptingClient, createRedisStorage, sweepExpiredClients } from "../../src/storage/redis/index.js";
import { countGrantKeys, dumpPrefix } from "../support/redis-inspect.js";
import { describeStorageConformance } from "../../src/testing/index.js";
import { type RunningRedis, redisBinary, serverMissing, startRedis } from "../support/servers.js";

type Client = ReturnType<typeof createClient>;

// Compile-time check: a node-redis v5 client is a RedisScriptingClient as it is.
export const acceptsNodeRedis = (client: Client): RedisScriptingClient => client;

const binary = redisBinary();
if (binary === null) {
  serverMissing("Redis store", "redis-server not found on PATH (apt-get install redis-server)");
} else {
  describe("Redis store", () => {
    let server: RunningRedis;
    const clients: Client[] = [];
    async function connect(): Promise<Client> {
      const client = createClient({ url: server.url });
      client.on("error", () => {}); // reported through the failing command instead
      await client.connect();
      clients.push(client);
      return client;
    }
    beforeAll(async () => {
      server = await startRedis(binary);
    });
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.close()));
      await server?.stop();
    });

    describeStorageConformance("redis", async () => {
      const client = await connect();
      const prefix = `conformance-${generateId()}:`;
      return {
        storage: createRedisStorage({ client, prefix }),
        dump: () => dumpPrefix([client], prefix),
        countGrantRecords: (grantId) => countGrantKeys([client], prefix, grantId),
      };
    });

    describe("Redis specifics", () => {
      it("sets native expiries from expiresAt (EXPIREAT)", async () => {
        const client = await connect();
        const storage = createRedisStorage({ client, prefix: "ttl:" });
        const expiresAt = Math.floor(Date.now() / 1000) + 600;
        await storage.saveAuthorizationCode({
          codeHash: "h1", grantId: "g1", clientId: "c1", subject: "s", scope: [], resource: [], issuedAt: expiresAt - 600, expiresAt,
        });
        expect(await client.expireTime("ttl:code:h1")).toBe(expiresAt);
      });

      it("every key but the clients' expires: nothing leaks after codes, grants, rotations and revocations", async () => {
        const client = await connect();
        const prefix = `leak-${generateId()}:`;
        const storage = createRedisStorage({ client, prefix });
        const t = Math.floor(Date.now() / 1000);
        const token = (tokenHash: string, grantId: string, expiresAt: number) => ({ tokenHash, grantId, clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt });
        await storage.createClient({ client_id: "c", token_endpoint_auth_method: "none", redirect_uris: [], grant_types: [], response_types: [] });
        await storage.saveAuthorizationCode({ codeHash: "code", grantId: "g1", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 60 });
        await storage.redeemAuthorizationCode("code");
        for (const id of ["g1", "g2"]) {
          await storage.createGrant({ grantId: id, clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600, refresh: { tokenHash: `${id}-r1`, expiresAt: t + 600 } }, token(`${id}-a1`, id, t + 60));
          // A rotation whose access token is already expired still leaves only expiring keys.
          await storage.rotateRefreshToken({ grantId: id, expectedTokenHash: `${id}-r1`, refresh: { tokenHash: `${id}-r2`, expiresAt: t + 600 }, accessToken: token(`${id}-a2`, id, t - 1) });
          await storage.saveAccessToken(token(`${id}-a3`, id, t + 60));
        }
        await storage.revokeAccessToken("g1-a3");
        await storage.revokeGrant("g2");
        const persistent: string[] = [];
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
          for (const key of keys) if ((await client.ttl(key)) === -1) persistent.push(key.slice(prefix.length));
        }
        expect(persistent.sort()).toEqual(["client:c", "clients"]);
      });

      it("sweepExpiredClients deletes clients past expires_at with their grants, follows updates, keeps the others (registration.unusedClientLifetime)", async () => {
        const client = await connect();
        const prefix = `sweep-${generateId()}:`;
        const storage = createRedisStorage({ client, prefix });
        const t = Math.floor(Date.now() / 1000);
        const record = (client_id: string, expires_at?: number) => ({
          client_id, token_endpoint_auth_method: "none" as const, redirect_uris: [], grant_types: [], response_types: [], ...(expires_at === undefined ? {} : { expires_at }),
        });
        await storage.createClient(record("expired", t - 1));
        await storage.createClient(record("extended", t - 1));
        await storage.updateClient(record("extended", t + 600)); // a use moved its expiry
        await storage.createClient(record("made-permanent", t - 1));
        await storage.updateClient(record("made-permanent"));
        await storage.createClient(record("pre-registered"));
        const token = (tokenHash: string, grantId: string, clientId: string) => ({ tokenHash, grantId, clientId, subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 });
        await storage.createGrant({ grantId: "of-expired", clientId: "expired", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 }, token("expired-at", "of-expired", "expired"));
        await storage.createGrant({ grantId: "of-extended", clientId: "extended", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 }, token("extended-at", "of-extended", "extended"));
        expect(await sweepExpiredClients({ client, prefix, batchSize: 1 })).toBe(1);
        expect(await storage.getClient("expired")).toBeNull();
        expect(await storage.getAccessToken("expired-at")).toBeNull();
        expect(await storage.listSubjectGrants("s")).toEqual([expect.objectContaining({ grantId: "of-extended" })]);
        for (const id of ["extended", "made-permanent", "pre-registered"]) expect(await storage.getClient(id), id).not.toBeNull();
        expect(await storage.countClients()).toBe(3);
        expect(await sweepExpiredClients({ client, prefix })).toBe(0);
        await expect(sweepExpiredClients({ client, prefix, batchSize: 0 })).rejects.toThrow(TypeError);
        // deleteClient takes the client out of the expiry set too.
        await storage.deleteClient("extended");
        expect(await client.zCard(`${prefix}client-expiry`)).toBe(0);
      });

      it("a tombstone is a key that expires at its horizon: the grant's expiresAt, until, or now + the default (storage contract)", async () => {
        const client = await connect();
        const prefix = `tomb-${generateId()}:`;
        const storage = createRedisStorage({ client, prefix });
        const t = Math.floor(Date.now() / 1000);
        const token = { tokenHash: "a1", grantId: "live", clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 };
        expect(await storage.createGrant({ grantId: "live", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 }, token)).toBe(true);
        await storage.revokeGrant("live");
        expect(await client.expireTime(`${prefix}revoked:live`)).toBe(t + 600);
        // A later revocation with an earlier horizon never shortens it.
        await storage.revokeGrant("live", { until: t + 100 });
        expect(await client.expireTime(`${prefix}revoked:live`)).toBe(t + 600);
        await storage.revokeGrant("unknown", { until: t + 1234 });
        expect(await client.expireTime(`${prefix}revoked:unknown`)).toBe(t + 1234);
        await storage.revokeGrant("unknown-too");
        expect(Math.abs((await client.expireTime(`${prefix}revoked:unknown-too`)) - (t + GRANT_TOMBSTONE_DEFAULT_SECONDS))).toBeLessThanOrEqual(2);
        // A horizon already past leaves no key at all.
        await storage.revokeGrant("past", { until: t - 10 });
        expect(await client.exists(`${prefix}revoked:past`)).toBe(0);
      });

      it("reloads its scripts after SCRIPT FLUSH (EVALSHA falls back to EVAL on NOSCRIPT)", async () => {
        const client = await connect();
        const storage = createRedisStorage({ client, prefix: "flush:" });
        expect(await storage.countClients()).toBe(0);
        await client.scriptFlush();
        expect(await storage.countClients()).toBe(0);
      });

      it("keeps stores with different prefixes apart", async () => {
        const client = await connect();
        const a = createRedisStorage({ client, prefix: "a:" });
        const b = createRedisStorage({ client, prefix: "b:" });
        const record = { client_id: "same", token_endpoint_auth_method: "none" as const, redirect_uris: [], grant_types: [], response_types: [] };
        expect(await a.createClient(record)).toBe(true);
        expect(await b.createClient(record)).toBe(true);
        expect(await b.deleteClient("same")).toBe(true);
        expect(await a.getClient("same")).toEqual(record);
      });
    });
  });
}
