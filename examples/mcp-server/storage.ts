/**
 * The store: Redis when REDIS_URL is set; a Redis Cluster when REDIS_CLUSTER_URLS is (comma-separated
 * node URLs, any of the cluster's nodes: the client discovers the rest); PostgreSQL when
 * DATABASE_URL is; in memory when
 * STORAGE=memory; otherwise a SQLite file at SQLITE_PATH (default `.data/oauthkit.sqlite` in the
 * repository root), so that clients, grants and tokens survive a restart. SQLite runs on
 * node:sqlite where Node has it (≥ 22.13: nothing to build) and on better-sqlite3 elsewhere (Node 20;
 * see docs/storage-sqlite.md for why).
 *
 * A networked store can go away and come back. The process must survive that (an `'error'` event
 * without a listener kills Node) and every request must get its answer quickly (oauthkit turns a
 * failing store call into `500 server_error`), so each client is set up to fail fast while the
 * server is unreachable and to reconnect by itself when it returns. See docs/storage.md.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Storage, createMemoryStorage } from "oauthkit";
import type { SqliteDriver } from "oauthkit/sqlite";

export interface ChosenStorage {
  storage: Storage;
  kind: "memory" | "redis" | "redis-cluster" | "postgres" | "sqlite";
  /** Where the data is, for the start-up line (the SQLite file and engine). */
  detail?: string;
  /** Closes the connection, if there is one. */
  close(): Promise<void>;
}

/** Reports a store's connection errors without ever throwing (the listener runs outside any request). */
const logStoreError = (kind: string) => (error: unknown) => {
  console.error(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
};

// While disconnected, commands fail at once instead of waiting in the offline queue until Redis
// returns (by default they wait forever, and so would the HTTP request); reconnects forever, at
// most 1 s apart, so the store is back soon after Redis is.
const REDIS_FAIL_FAST = {
  disableOfflineQueue: true,
  socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
} as const;

export async function storageFromEnvironment(env: Record<string, string | undefined>): Promise<ChosenStorage> {
  if (env.REDIS_CLUSTER_URLS || env.REDIS_URL) {
    const [{ createClient, createCluster }, { createRedisStorage, sweepExpiredClients }] = await Promise.all([import("redis"), import("oauthkit/redis")]);
    // A Redis Cluster client, given any of its nodes (the rest are discovered), or a plain client.
    const urls = (env.REDIS_CLUSTER_URLS ?? "").split(",").map((url) => url.trim()).filter((url) => url !== "");
    const client = urls.length > 0 ? createCluster({ rootNodes: urls.map((url) => ({ url })), defaults: REDIS_FAIL_FAST }) : createClient({ url: env.REDIS_URL, ...REDIS_FAIL_FAST });
    const kind = urls.length > 0 ? "redis-cluster" : "redis";
    client.on("error", logStoreError(kind));
    await client.connect();
    // Redis expires everything natively except clients unused past unusedClientLifetime.
    const sweep = setInterval(() => void sweepExpiredClients({ client }).catch(logStoreError(`${kind} sweep`)), SWEEP_INTERVAL_MS);
    sweep.unref();
    return {
      storage: createRedisStorage({ client }),
      kind,
      ...(urls.length > 0 ? { detail: `${urls.length} seed node(s)` } : {}),
      close: async () => {
        clearInterval(sweep);
        await client.close();
      },
    };
  }
  if (env.DATABASE_URL) {
    const [{ default: pg }, { createPostgresStorage, migrate, sweepExpired }] = await Promise.all([import("pg"), import("oauthkit/postgres")]);
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      connectionTimeoutMillis: 2_000, // a connection (or a free pool slot) within 2 s, or the query fails
      query_timeout: 2_500, // a query on a connection that stopped answering fails
    });
    // Idle connections error when the server stops or restarts; the pool drops them and opens
    // new ones on demand. Without this listener the 'error' event would end the process.
    pool.on("error", logStoreError("postgres"));
    await migrate(pool);
    const sweep = setInterval(() => void sweepExpired(pool).catch(logStoreError("postgres sweep")), SWEEP_INTERVAL_MS);
    sweep.unref();
    return {
      storage: createPostgresStorage({ pool }),
      kind: "postgres",
      close: () => {
        clearInterval(sweep);
        return pool.end();
      },
    };
  }
  if (env.STORAGE === "memory") return { storage: createMemoryStorage(), kind: "memory", close: async () => {} };
  if (env.STORAGE !== undefined && env.STORAGE !== "" && env.STORAGE !== "sqlite") {
    throw new TypeError(`STORAGE must be "memory" or "sqlite" (Redis and PostgreSQL are chosen by REDIS_URL / DATABASE_URL), not ${JSON.stringify(env.STORAGE)}`);
  }
  return sqliteStorage(env.SQLITE_PATH || DEFAULT_SQLITE_PATH);
}

/** `.data/oauthkit.sqlite` in the repository root, wherever the server is started from. */
export const DEFAULT_SQLITE_PATH = fileURLToPath(new URL("../../.data/oauthkit.sqlite", import.meta.url));

/** How often expired codes, grants and tokens are deleted (reads never return them; this reclaims space). */
const SWEEP_INTERVAL_MS = 10 * 60_000;

interface SqliteDatabase {
  exec(sql: string): void;
  close(): void;
}

/**
 * Opens the SQLite file: node:sqlite when this Node has it, which needs no native module; else
 * better-sqlite3 (a devDependency, built from source by npm install when no prebuilt binary
 * can be downloaded).
 */
function openSqlite(path: string, { nodeSqliteDriver, betterSqlite3Driver }: typeof import("oauthkit/sqlite")): { db: SqliteDatabase; driver: SqliteDriver; engine: string } {
  let nodeSqlite: { DatabaseSync: new (path: string) => SqliteDatabase & Parameters<typeof nodeSqliteDriver>[0] } | undefined;
  try {
    nodeSqlite = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.("node:sqlite") as typeof nodeSqlite;
  } catch {
    // Node 22.5–22.12 without --experimental-sqlite: fall back to better-sqlite3.
  }
  if (nodeSqlite !== undefined) {
    const db = new nodeSqlite.DatabaseSync(path);
    return { db, driver: nodeSqliteDriver(db), engine: "node:sqlite" };
  }
  const Database = createRequire(import.meta.url)("better-sqlite3") as new (path: string) => SqliteDatabase & Parameters<typeof betterSqlite3Driver>[0];
  const db = new Database(path);
  return { db, driver: betterSqlite3Driver(db), engine: "better-sqlite3" };
}

async function sqliteStorage(path: string): Promise<ChosenStorage> {
  const sqlite = await import("oauthkit/sqlite");
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const { db, driver, engine } = openSqlite(file, sqlite);
  // WAL: readers never wait for the writer; busy_timeout: a writer waits for another process's
  // write (a second server on the same file) instead of failing; NORMAL is durable in WAL mode
  // except for the last commits on power loss.
  for (const pragma of ["journal_mode = WAL", "busy_timeout = 5000", "synchronous = NORMAL"]) db.exec(`PRAGMA ${pragma}`);
  await sqlite.migrate(driver);
  const sweep = setInterval(() => void sqlite.sweepExpired(driver).catch(logStoreError("sqlite sweep")), SWEEP_INTERVAL_MS);
  sweep.unref();
  return {
    storage: sqlite.createSqliteStorage({ driver }),
    kind: "sqlite",
    detail: `${file} via ${engine}`,
    close: async () => {
      clearInterval(sweep);
      db.close();
    },
  };
}
