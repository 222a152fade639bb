/**
 * The Redis store on a real three-node Redis Cluster (three masters, started by
 * test/support/servers.ts) against the storage conformance suite: every script touches the keys of
 * one hash slot, so none fails with CROSSSLOT, and lookups by token stay one round trip.
 */
import { createClient, createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateId } from "../../src/crypto.js";
import { type RedisScriptingClient, createRedisStorage, sweepExpiredClients } from "../../src/storage/redis/index.js";
import { describeStorageConformance } from "../../src/testing/index.js";
import { generateAccessToken, generateGrantId, hashTaggedToken } from "../../src/token-format.js";
import { countGrantKeys, dumpPrefix } from "../support/redis-inspect.js";
import { type RunningRedisCluster, redisBinary, redisCliBinary, serverMissing, startRedisCluster } from "../support/servers.js";

type Cluster = ReturnType<typeof createCluster>;
type Client = ReturnType<typeof createClient>;

// Compile-time check: a node-redis v5 cluster client is a RedisScriptingClient as it is.
export const acceptsNodeRedisCluster = (cluster: Cluster): RedisScriptingClient => cluster;

const binary = redisBinary();
const cli = binary === null ? null : redisCliBinary(binary);
if (binary === null || cli === null) {
  serverMissing("Redis Cluster store", "redis-server or redis-cli not found on PATH (apt-get install redis-server)");
} else {
  describe("Redis Cluster store", () => {
    let cluster: RunningRedisCluster;
    const clusters: Cluster[] = [];
    const nodes: Client[] = [];
    async function connect(): Promise<Cluster> {
      const client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) });
      client.on("error", () => {}); // reported through the failing command instead
      await client.connect();
      clusters.push(client);
      return client;
    }
    beforeAll(async () => {
      cluster = await startRedisCluster(binary, cli);
      for (const url of cluster.urls) {
        const node = createClient({ url });
        node.on("error", () => {});
        await node.connect();
        nodes.push(node);
      }
    }, 60_000);
    afterAll(async () => {
      await Promise.all([...clusters, ...nodes].map((client) => client.close()));
      await cluster?.stop();
    });

    describeStorageConformance("redis cluster", async () => {
      const client = await connect();
      const prefix = `conformance-${generateId()}:`;
      return {
        storage: createRedisStorage({ client, prefix }),
        dump: () => dumpPrefix(nodes, prefix),
        countGrantRecords: (grantId) => countGrantKeys(nodes, prefix, grantId),
      };
    });

    describe("Redis Cluster specifics", () => {
      it("spreads grants over the nodes: each grant's keys share one slot, grants do not", async () => {
        const client = await connect();
        const prefix = `spread-${generateId()}:`;
        const storage = createRedisStorage({ client, prefix });
        const t = Math.floor(Date.now() / 1000);
        for (let i = 0; i < 30; i++) {
          const grantId = generateGrantId();
          const token = hashTaggedToken(generateAccessToken(grantId));
          const created = await storage.createGrant(
            { grantId, clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600, refresh: { tokenHash: "r", familyHash: hashTaggedToken(generateAccessToken(grantId)), expiresAt: t + 600 } },
            { tokenHash: token, grantId, clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 },
          );
          expect(created).toBe(true);
          expect(await storage.getAccessToken(token)).not.toBeNull();
        }
        const perNode = await Promise.all(nodes.map(async (node) => {
          let n = 0;
          for await (const keys of node.scanIterator({ MATCH: `${prefix}grant:*`, COUNT: 1000 })) n += keys.length;
          return n;
        }));
        expect(perNode.reduce((a, b) => a + b, 0)).toBe(30);
        expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1);
      });

      it("deleteClient revokes grants on every node and refuses a grant still in flight (RFC 7592 §2.3)", async () => {
        const client = await connect();
        const storage = createRedisStorage({ client, prefix: `delete-${generateId()}:` });
        const t = Math.floor(Date.now() / 1000);
        const record = { client_id: "c", token_endpoint_auth_method: "none" as const, redirect_uris: [], grant_types: [], response_types: [] };
        expect(await storage.createClient(record)).toBe(true);
        const grant = () => {
          const grantId = generateGrantId();
          const tokenHash = hashTaggedToken(generateAccessToken(grantId));
          return { grantId, tokenHash, create: () => storage.createGrant({ grantId, clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 }, { tokenHash, grantId, clientId: "c", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 }) };
        };
        const grants = Array.from({ length: 20 }, grant);
        for (const g of grants) expect(await g.create()).toBe(true);
        expect(await storage.deleteClient("c")).toBe(true);
        for (const g of grants) expect(await storage.getAccessToken(g.tokenHash)).toBeNull();
        const late = grant();
        expect(await late.create()).toBe(false);
        expect(await storage.getAccessToken(late.tokenHash)).toBeNull();
        // Registered again: its grants work again.
        expect(await storage.createClient(record)).toBe(true);
        const fresh = grant();
        expect(await fresh.create()).toBe(true);
        expect(await storage.getAccessToken(fresh.tokenHash)).not.toBeNull();
        expect(await storage.countClients()).toBe(1);
      });

      it("a subject's grants on many nodes are listed and revoked as one, with the grant of a pending code (storage contract)", async () => {
        const client = await connect();
        const storage = createRedisStorage({ client, prefix: `subject-${generateId()}:` });
        const t = Math.floor(Date.now() / 1000);
        const make = (subject: string, clientId: string) => {
          const grantId = generateGrantId();
          const tokenHash = hashTaggedToken(generateAccessToken(grantId));
          const create = () => storage.createGrant({ grantId, clientId, subject, scope: [], resource: [], issuedAt: t, expiresAt: t + 600 }, { tokenHash, grantId, clientId, subject, scope: [], audience: [], issuedAt: t, expiresAt: t + 60 });
          return { grantId, tokenHash, create };
        };
        const alice = Array.from({ length: 12 }, (_, i) => make("alice", i % 2 === 0 ? "a" : "b"));
        const bob = make("bob", "a");
        for (const g of [...alice, bob]) expect(await g.create()).toBe(true);
        const slots = new Set(alice.map((g) => g.grantId.slice(0, 4)));
        expect(slots.size).toBeGreaterThan(1);
        expect((await storage.listSubjectGrants("alice")).map((g) => g.grantId).sort()).toEqual(alice.map((g) => g.grantId).sort());
        // A code approved for alice before the revocation, redeemed after it: its grant is refused.
        const pending = make("alice", "a");
        await storage.saveAuthorizationCode({ codeHash: hashTaggedToken(generateAccessToken(pending.grantId)), grantId: pending.grantId, clientId: "a", subject: "alice", scope: [], resource: [], issuedAt: t, expiresAt: t + 60 });
        expect(await storage.revokeSubjectGrants("alice", { clientId: "a" })).toBe(6);
        expect(await pending.create()).toBe(false);
        for (const [i, g] of alice.entries()) expect((await storage.getAccessToken(g.tokenHash)) === null).toBe(i % 2 === 0);
        expect(await storage.revokeSubjectGrants("alice")).toBe(6);
        expect(await storage.listSubjectGrants("alice")).toEqual([]);
        expect(await storage.getAccessToken(bob.tokenHash)).not.toBeNull();
      });

      it("sweepExpiredClients deletes expired clients with their grants across slots, and keeps one whose expiry moved", async () => {
        const client = await connect();
        const prefix = `sweep-${generateId()}:`;
        const storage = createRedisStorage({ client, prefix });
        const t = Math.floor(Date.now() / 1000);
        const record = (clientId: string, expiresAt: number) => ({ client_id: clientId, token_endpoint_auth_method: "none" as const, redirect_uris: [], grant_types: [], response_types: [], expires_at: expiresAt });
        expect(await storage.createClient(record("old", t - 10))).toBe(true);
        expect(await storage.createClient(record("moved", t - 10))).toBe(true);
        expect(await storage.updateClient(record("moved", t + 3600))).toBe(true);
        const grantId = generateGrantId();
        const tokenHash = hashTaggedToken(generateAccessToken(grantId));
        expect(await storage.createGrant({ grantId, clientId: "old", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 }, { tokenHash, grantId, clientId: "old", subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 })).toBe(true);
        expect(await sweepExpiredClients({ client, prefix })).toBe(1);
        expect(await storage.getClient("old")).toBeNull();
        expect(await storage.getClient("moved")).not.toBeNull();
        expect(await storage.getAccessToken(tokenHash)).toBeNull();
        expect(await storage.countClients()).toBe(1);
      });
    });
  });
}
