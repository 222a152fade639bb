/**
 * Two independent authorization-server instances over one shared store (separate connections,
 * as two processes would have): single use and revocation must hold across them, which is the
 * reason to run a networked store at all.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createClient, createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateId } from "../../src/crypto.js";
import type { Storage } from "../../src/index.js";
import { createPostgresStorage, migrate } from "../../src/storage/postgres/index.js";
import { type RedisScriptingClient, createRedisStorage } from "../../src/storage/redis/index.js";
import { createSqliteStorage, migrate as migrateSqlite } from "../../src/storage/sqlite/index.js";
import { createMemoryStorage } from "../../src/storage/memory.js";
import { authorize, exchangeCode, flowServer, refresh, registerFlowClient, revoke, validateBearer } from "../../src/testing/server-flow.js";
import { postgresBinaries, redisBinary, redisCliBinary, serverMissing, startPostgres, startRedis, startRedisCluster } from "../support/servers.js";
import { sqliteEngines } from "../support/sqlite.js";

interface SharedStore {
  a: Storage;
  b: Storage;
  close(): Promise<void>;
}

interface TokenResponse {
  access_token: string;
  refresh_token: string;
}

/**
 * Each call sleeps 0–`maxMs` ms first. Two server processes reach their store over independent
 * network paths; in one test process the event loop would otherwise order the round trips of two
 * concurrent requests almost the same way every time, and the race would rarely be run.
 */
function withJitter(storage: Storage, maxMs: number): Storage {
  return new Proxy(storage, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * maxMs));
        return value.apply(target, args);
      };
    },
  });
}

function describeTwoInstances(engine: string, open: () => Promise<SharedStore>, jitterMs: number): void {
  describe(`two server instances over one ${engine}`, () => {
    let shared: SharedStore;
    beforeAll(async () => {
      shared = await open();
    });
    afterAll(async () => {
      await shared?.close();
    });

    const instances = () => ({ a: flowServer(shared.a), b: flowServer(shared.b) });

    it("20 parallel redemptions of one code across both instances: at most one gets tokens, none of which work afterwards (RFC 6749 §4.1.2)", async () => {
      const { a, b } = instances();
      const client = await registerFlowClient(shared.a);
      const code = await authorize(a, client);
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => exchangeCode(i % 2 === 0 ? a : b, client, code)));
      const statuses = responses.map((r) => r.status);
      // One redemption is the first use; the 19 replays revoke its grant, and when one of those
      // revocations lands before the first use's createGrant, the first use is refused as well.
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(19);
      for (const response of responses.filter((r) => r.status === 400)) {
        expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
      }
      const winner = responses.find((r) => r.status === 200);
      if (winner !== undefined) {
        const tokens = (await winner.json()) as TokenResponse;
        expect(await validateBearer(a, tokens.access_token)).toBeInstanceOf(Response);
        expect((await refresh(b, client, tokens.refresh_token)).status).toBe(400);
      }
    });

    it("10 parallel refreshes of one refresh token across both instances: exactly one succeeds (RFC 9700 §4.14.2)", async () => {
      const { a, b } = instances();
      const client = await registerFlowClient(shared.a);
      const tokens = (await (await exchangeCode(a, client, await authorize(a, client))).json()) as TokenResponse;
      const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => refresh(i % 2 === 0 ? a : b, client, tokens.refresh_token)));
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    });

    it(`50 trials of two simultaneous redemptions of one code, 0–${jitterMs} ms latency jitter: the winner's tokens are dead afterwards in all 50 (RFC 6749 §4.1.2)`, async () => {
      const a = flowServer(withJitter(shared.a, jitterMs));
      const b = flowServer(withJitter(shared.b, jitterMs));
      const client = await registerFlowClient(shared.a);
      let survivors = 0;
      let refusedWinners = 0;
      for (let trial = 0; trial < 50; trial++) {
        const code = await authorize(a, client);
        const responses = await Promise.all([exchangeCode(a, client, code), exchangeCode(b, client, code)]);
        const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<TokenResponse & { error?: string }>;
        // At most one is answered with tokens; a replay is always invalid_grant.
        expect(responses.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
        for (const [i, response] of responses.entries()) {
          if (response.status !== 200) {
            expect(response.status).toBe(400);
            expect(bodies[i]!.error).toBe("invalid_grant");
            continue;
          }
          const tokens = bodies[i]!;
          const validations = await Promise.all([validateBearer(a, tokens.access_token), validateBearer(b, tokens.access_token)]);
          const refreshed = await refresh(i === 0 ? b : a, client, tokens.refresh_token);
          const refreshError = ((await refreshed.json()) as { error?: string }).error;
          const dead = validations.every((v) => v instanceof Response && v.status === 401) && refreshed.status === 400 && refreshError === "invalid_grant";
          if (!dead) survivors++;
        }
        // Both refused: the replay's revocation landed before the first use's createGrant.
        if (responses.every((r) => r.status === 400)) refusedWinners++;
      }
      console.log(`${engine}: 50 code-replay races, ${refusedWinners} where the revocation came first, ${survivors} with live tokens`);
      expect(survivors).toBe(0);
    }, 30_000);

    it("a revocation on one instance is seen by the other at once (RFC 7009 §2.1)", async () => {
      const { a, b } = instances();
      const client = await registerFlowClient(shared.a);
      const tokens = (await (await exchangeCode(a, client, await authorize(a, client))).json()) as TokenResponse;
      expect(await validateBearer(b, tokens.access_token)).not.toBeInstanceOf(Response);

      // Revoking the refresh token on A revokes the grant: B refuses its access and refresh tokens.
      expect((await revoke(a, client, tokens.refresh_token)).status).toBe(200);
      const refused = await validateBearer(b, tokens.access_token);
      expect(refused).toBeInstanceOf(Response);
      expect((refused as Response).status).toBe(401);
      expect((await refresh(b, client, tokens.refresh_token)).status).toBe(400);

      // And the other way round, for a single access token.
      const other = (await (await exchangeCode(b, client, await authorize(b, client))).json()) as TokenResponse;
      expect(await validateBearer(a, other.access_token)).not.toBeInstanceOf(Response);
      expect((await revoke(b, client, other.access_token)).status).toBe(200);
      expect(await validateBearer(a, other.access_token)).toBeInstanceOf(Response);
    });
  });
}

/** Two stores with one prefix over two connections of a Redis server or cluster (a node-redis client each). */
async function twoRedisStores(connections: Array<RedisScriptingClient & { connect(): Promise<unknown>; close(): Promise<unknown> }>, stop: () => Promise<void>) {
  await Promise.all(connections.map((c) => c.connect()));
  const prefix = `two-${generateId()}:`;
  return {
    a: createRedisStorage({ client: connections[0]!, prefix }),
    b: createRedisStorage({ client: connections[1]!, prefix }),
    async close() {
      await Promise.all(connections.map((c) => c.close()));
      await stop();
    },
  };
}

const redis = redisBinary();
if (redis === null) {
  serverMissing("two instances over Redis", "redis-server not found on PATH (apt-get install redis-server)");
} else {
  describeTwoInstances("Redis", async () => {
    const server = await startRedis(redis);
    return twoRedisStores([createClient({ url: server.url }), createClient({ url: server.url })], server.stop);
  }, 2);
}

const redisCli = redis === null ? null : redisCliBinary(redis);
if (redis === null || redisCli === null) {
  serverMissing("two instances over Redis Cluster", "redis-server or redis-cli not found on PATH (apt-get install redis-server)");
} else {
  describeTwoInstances("Redis Cluster (three nodes)", async () => {
    const cluster = await startRedisCluster(redis, redisCli);
    return twoRedisStores([0, 1].map(() => createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) })), cluster.stop);
  }, 2);
}

const postgres = postgresBinaries();
if (postgres === null) {
  serverMissing("two instances over PostgreSQL", "initdb/postgres not found (apt-get install postgresql)");
} else {
  describeTwoInstances("PostgreSQL", async () => {
    const server = await startPostgres(postgres);
    const pools = [new pg.Pool({ ...server.connection, max: 5 }), new pg.Pool({ ...server.connection, max: 5 })];
    // An idle client cut off by the server's shutdown emits "error" on its pool: expected here.
    for (const pool of pools) pool.on("error", () => {});
    await migrate(pools[0]!);
    return {
      a: createPostgresStorage({ pool: pools[0]! }),
      b: createPostgresStorage({ pool: pools[1]! }),
      async close() {
        await Promise.all(pools.map((pool) => pool.end()));
        await server.stop();
      },
    };
  }, 2);
}

// SQLite: two connections to one file (WAL, busy_timeout), as two processes on one host would
// have; writes are serialised by the database lock, not by this process.
for (const { name, engine } of sqliteEngines()) {
  if (typeof engine === "string") {
    console.warn(`[skip] two instances over SQLite (${name}): ${engine}`);
    continue;
  }
  describeTwoInstances(`SQLite file (${name}, WAL, two connections)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "oauthkit-two-sqlite-"));
    const path = join(dir, "oauthkit.sqlite");
    const connections = [engine.open(path), engine.open(path)];
    await migrateSqlite(connections[0]!.driver);
    return {
      a: createSqliteStorage({ driver: connections[0]!.driver }),
      b: createSqliteStorage({ driver: connections[1]!.driver }),
      async close() {
        for (const connection of connections) connection.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }, 2);
}

describeTwoInstances("memory store", async () => {
  const storage = createMemoryStorage();
  return { a: storage, b: storage, async close() {} };
}, 4);
