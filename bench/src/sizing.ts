/**
 * Measured sizing (issue 17): loads a store with N grants, each with a few refreshes and live
 * access tokens, written through the store's own methods (so the records are exactly what a server
 * writes), and reports
 * - bytes per grant: Redis `INFO memory` used_memory delta (summed over a cluster's nodes),
 *   PostgreSQL `pg_total_relation_size` of the tables;
 * - the time of a code exchange, a refresh and a bearer validation through a real
 *   `createAuthorizationServer` at that size (median and p99 of sequential requests);
 * - the sweep time for expired records (PostgreSQL `sweepExpired`; Redis expires keys natively).
 *
 * Run from the repository root (throwaway servers are started unless a URL is given):
 *
 *   npx tsx bench/src/sizing.ts --stores redis,redis-cluster,postgres --grants 1000000
 *   REDIS_URL=redis://… DATABASE_URL=postgres://… npx tsx bench/src/sizing.ts --stores redis,postgres
 *
 * A 10,000-grant run is test/bench/sizing.test.ts.
 */
import pg from "pg";
import { createClient, createCluster } from "redis";
import { createPostgresStorage, migrate, sweepExpired } from "../../src/storage/postgres/index.js";
import { createRedisStorage } from "../../src/storage/redis/index.js";
import type { AccessTokenRecord, GrantRecord, Storage } from "../../src/storage/types.js";
import { authorize, exchangeCode, flowServer, refresh, registerFlowClient, validateBearer } from "../../src/testing/server-flow.js";
import { generateAccessToken, generateGrantId, generateRefreshFamily, hashTaggedToken, refreshTokenOf } from "../../src/token-format.js";
import { generateToken, hashToken } from "../../src/crypto.js";
import { postgresBinaries, redisBinary, redisCliBinary, startPostgres, startRedis, startRedisCluster } from "../../test/support/servers.js";

export type SizingStore = "redis" | "redis-cluster" | "postgres";

export interface SizingOptions {
  store: SizingStore;
  /** Grants to load (default 1,000,000). */
  grants?: number;
  /** Rotations per grant (default 3): each leaves a live access token, as refreshes within an hour do. */
  refreshes?: number;
  /** Concurrent writers while loading (default 64). */
  concurrency?: number;
  /** Sequential requests per timed operation (default 200). */
  samples?: number;
  /** Expired grants written for the sweep measurement (default grants / 10). */
  expired?: number;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
}

export interface SizingResult {
  store: SizingStore;
  grants: number;
  refreshes: number;
  loadSeconds: number;
  bytesPerGrant: number;
  /** Milliseconds: median and 99th percentile. */
  exchangeMs: { p50: number; p99: number };
  refreshMs: { p50: number; p99: number };
  bearerMs: { p50: number; p99: number };
  /** Seconds to delete `expired` expired grants with their tokens; null where the store expires natively. */
  sweepSeconds: number | null;
  expired: number;
}

interface Target {
  storage: Storage;
  /** Storage-engine bytes in use by oauthkit's data (or the whole instance for Redis). */
  bytes(): Promise<number>;
  /** The same store with its clock moved back, to write records that are already expired now. */
  past(seconds: number): Storage;
  sweep: (() => Promise<void>) | null;
  close(): Promise<void>;
}

const now = (): number => Math.floor(Date.now() / 1000);

async function redisTarget(cluster: boolean, env: Record<string, string | undefined>): Promise<Target> {
  let stopServer = async (): Promise<void> => {};
  let urls: string[];
  const given = cluster ? env.REDIS_CLUSTER_URLS : env.REDIS_URL;
  if (given) {
    urls = given.split(",").map((url) => url.trim());
  } else {
    const binary = redisBinary();
    if (binary === null) throw new Error("redis-server not found");
    if (cluster) {
      const cli = redisCliBinary(binary);
      if (cli === null) throw new Error("redis-cli not found");
      const started = await startRedisCluster(binary, cli);
      urls = started.urls;
      stopServer = started.stop;
    } else {
      const started = await startRedis(binary);
      urls = [started.url];
      stopServer = started.stop;
    }
  }
  // One plain client per node for INFO (a cluster's used_memory is the sum over its masters).
  const nodes = await Promise.all(urls.map((url) => createClient({ url }).connect()));
  const client = cluster ? await createCluster({ rootNodes: urls.map((url) => ({ url })) }).connect() : nodes[0]!;
  const prefix = `sizing-${generateToken().slice(0, 8)}:`;
  const usedMemory = async (): Promise<number> => {
    let total = 0;
    for (const node of nodes) total += Number(/used_memory:(\d+)/.exec(await node.info("memory"))?.[1] ?? 0);
    return total;
  };
  return {
    storage: createRedisStorage({ client, prefix }),
    bytes: usedMemory,
    past: (seconds) => createRedisStorage({ client, prefix, now: () => now() - seconds }),
    sweep: null,
    async close() {
      if (cluster) await client.close();
      await Promise.all(nodes.map((node) => node.close()));
      await stopServer();
    },
  };
}

async function postgresTarget(env: Record<string, string | undefined>): Promise<Target> {
  let stopServer = async (): Promise<void> => {};
  let pool: pg.Pool;
  if (env.DATABASE_URL) {
    pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 20 });
  } else {
    const binaries = postgresBinaries();
    if (binaries === null) throw new Error("initdb/postgres not found");
    const started = await startPostgres(binaries);
    pool = new pg.Pool({ ...started.connection, max: 20 });
    stopServer = started.stop;
  }
  pool.on("error", () => {});
  const schema = `sizing_${generateToken().slice(0, 8).replace(/[^A-Za-z0-9]/g, "x").toLowerCase()}`;
  await migrate(pool, { schema });
  return {
    storage: createPostgresStorage({ pool, schema }),
    async bytes() {
      const result = await pool.query(
        `SELECT coalesce(sum(pg_total_relation_size(format('%I.%I', table_schema, table_name)::regclass)), 0)::bigint AS bytes
         FROM information_schema.tables WHERE table_schema = $1`,
        [schema],
      );
      return Number(result.rows[0].bytes);
    },
    past: (seconds) => createPostgresStorage({ pool, schema, now: () => now() - seconds }),
    sweep: async () => void (await sweepExpired(pool, { schema })),
    async close() {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
      await stopServer();
    },
  };
}

/** One grant as the core writes it: created with its first tokens, then rotated `refreshes` times. */
async function loadGrant(storage: Storage, clientId: string, refreshes: number, t: number, lifetime: number): Promise<void> {
  const grantId = generateGrantId();
  const family = generateRefreshFamily(grantId);
  let token = refreshTokenOf(family, generateToken());
  const grant: GrantRecord = {
    grantId, clientId, subject: `user-${grantId.slice(5, 13)}`, scope: ["mcp"], resource: ["https://api.example.com/mcp"],
    issuedAt: t, expiresAt: t + lifetime, subjectType: "user",
    refresh: { tokenHash: hashToken(token), familyHash: hashTaggedToken(family), expiresAt: t + Math.min(lifetime, 30 * 86_400) },
  };
  const access = (): AccessTokenRecord => ({
    tokenHash: hashTaggedToken(generateAccessToken(grantId)), grantId, clientId, subject: grant.subject, subjectType: "user",
    scope: grant.scope, audience: grant.resource, issuedAt: t, expiresAt: t + Math.min(lifetime, 3600),
  });
  await storage.createGrant(grant, access());
  for (let i = 0; i < refreshes; i++) {
    const next = refreshTokenOf(family, generateToken());
    await storage.rotateRefreshToken({
      grantId,
      expectedTokenHash: hashToken(token),
      refresh: { ...grant.refresh!, tokenHash: hashToken(next), previousTokenHash: hashToken(token), rotatedAt: t },
      accessToken: access(),
    });
    token = next;
  }
}

async function loadMany(storage: Storage, count: number, concurrency: number, load: (storage: Storage) => Promise<void>, log: (line: string) => void): Promise<void> {
  let next = 0;
  let done = 0;
  const step = Math.max(1, Math.floor(count / 10));
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await load(storage);
      if (++done % step === 0) log(`  ${done.toLocaleString("en")} / ${count.toLocaleString("en")}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const round = (ms: number): number => Math.round(ms * 100) / 100;

async function timed(samples: number, operation: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await operation();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) };
}

async function ok(response: Response | Promise<Response>, what: string): Promise<Record<string, string>> {
  const r = await response;
  if (r.status !== 200) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, string>;
}

/** Loads one store with `grants` grants and measures it; see the module comment. */
export async function runSizing(options: SizingOptions): Promise<SizingResult> {
  const grants = options.grants ?? 1_000_000;
  const refreshes = options.refreshes ?? 3;
  const concurrency = options.concurrency ?? 64;
  const samples = options.samples ?? 200;
  const expired = options.expired ?? Math.max(1, Math.floor(grants / 10));
  const log = options.log ?? (() => {});
  const env = options.env ?? process.env;
  const target = options.store === "postgres" ? await postgresTarget(env) : await redisTarget(options.store === "redis-cluster", env);
  try {
    const client = await registerFlowClient(target.storage);
    const before = await target.bytes();
    log(`${options.store}: loading ${grants.toLocaleString("en")} grants × ${refreshes} refreshes`);
    const loadStart = performance.now();
    const t = now();
    await loadMany(target.storage, grants, concurrency, (storage) => loadGrant(storage, client.clientId, refreshes, t, 90 * 86_400), log);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const bytesPerGrant = Math.round(((await target.bytes()) - before) / grants);

    const server = flowServer(target.storage);
    const exchangeMs = await timed(samples, async () => void (await ok(exchangeCode(server, client, await authorize(server, client)), "exchange")));
    const tokens = await ok(exchangeCode(server, client, await authorize(server, client)), "exchange");
    let refreshToken = tokens.refresh_token!;
    const refreshMs = await timed(samples, async () => {
      refreshToken = (await ok(refresh(server, client, refreshToken), "refresh")).refresh_token!;
    });
    const bearerMs = await timed(samples, async () => {
      if ((await validateBearer(server, tokens.access_token!)) instanceof Response) throw new Error("bearer validation failed");
    });

    let sweepSeconds: number | null = null;
    if (target.sweep !== null) {
      // Grants that began two days ago and ended a day ago, with their tokens: all expired now.
      const past = target.past(2 * 86_400);
      await loadMany(past, expired, concurrency, (storage) => loadGrant(storage, client.clientId, refreshes, now() - 2 * 86_400, 86_400), () => {});
      const sweepStart = performance.now();
      await target.sweep();
      sweepSeconds = Math.round((performance.now() - sweepStart) / 10) / 100;
    }
    return { store: options.store, grants, refreshes, loadSeconds: Math.round(loadSeconds * 10) / 10, bytesPerGrant, exchangeMs, refreshMs, bearerMs, sweepSeconds, expired };
  } finally {
    await target.close();
  }
}

/** The result as a Markdown table row (docs/storage.md). */
export function sizingRow(r: SizingResult): string {
  const ms = (m: { p50: number; p99: number }) => `${m.p50} / ${m.p99}`;
  const perMillion = ((r.bytesPerGrant * 1_000_000) / 1024 ** 3).toFixed(2);
  const sweep = r.sweepSeconds === null ? "native expiry" : `${r.sweepSeconds} s for ${r.expired.toLocaleString("en")}`;
  return `| ${r.store} | ${r.grants.toLocaleString("en")} | ${r.bytesPerGrant} B | ${perMillion} GiB | ${ms(r.exchangeMs)} | ${ms(r.refreshMs)} | ${ms(r.bearerMs)} | ${sweep} | ${r.loadSeconds} s |`;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const arg = (name: string): string | undefined => {
    const index = process.argv.indexOf(`--${name}`);
    return index === -1 ? undefined : process.argv[index + 1];
  };
  const stores = (arg("stores") ?? "redis,redis-cluster,postgres").split(",") as SizingStore[];
  const grants = Number(arg("grants") ?? 1_000_000);
  console.log("| store | grants | bytes per grant | per million grants | exchange ms p50 / p99 | refresh ms p50 / p99 | bearer ms p50 / p99 | sweep of expired grants | load time |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const store of stores) {
    const result = await runSizing({ store, grants, log: (line) => console.error(line) });
    console.log(sizingRow(result));
  }
}
