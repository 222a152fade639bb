/**
 * The store: in memory by default; Redis when REDIS_URL is set; PostgreSQL when DATABASE_URL is.
 *
 * A networked store can go away and come back. The process must survive that (an `'error'` event
 * without a listener kills Node) and every request must get its answer quickly (oauthkit turns a
 * failing store call into `500 server_error`), so each client is set up to fail fast while the
 * server is unreachable and to reconnect by itself when it returns. See docs/storage.md.
 */
import { type Storage, createMemoryStorage } from "oauthkit";

export interface ChosenStorage {
  storage: Storage;
  kind: "memory" | "redis" | "postgres";
  /** Closes the connection, if there is one. */
  close(): Promise<void>;
}

/** Reports a store's connection errors without ever throwing (the listener runs outside any request). */
const logStoreError = (kind: string) => (error: unknown) => {
  console.error(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
};

export async function storageFromEnvironment(env: Record<string, string | undefined>): Promise<ChosenStorage> {
  if (env.REDIS_URL) {
    const [{ createClient }, { createRedisStorage }] = await Promise.all([import("redis"), import("oauthkit/redis")]);
    const client = createClient({
      url: env.REDIS_URL,
      // While disconnected, commands fail at once instead of waiting in the offline queue until
      // Redis returns (by default they wait forever, and so would the HTTP request).
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2_000,
        // Reconnects forever, at most 1 s apart, so the store is back soon after Redis is.
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
      },
    });
    client.on("error", logStoreError("redis"));
    await client.connect();
    return { storage: createRedisStorage({ client }), kind: "redis", close: async () => void (await client.close()) };
  }
  if (env.DATABASE_URL) {
    const [{ default: pg }, { createPostgresStorage, migrate }] = await Promise.all([import("pg"), import("oauthkit/postgres")]);
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      connectionTimeoutMillis: 2_000, // a connection (or a free pool slot) within 2 s, or the query fails
      query_timeout: 2_500, // a query on a connection that stopped answering fails
    });
    // Idle connections error when the server stops or restarts; the pool drops them and opens
    // new ones on demand. Without this listener the 'error' event would end the process.
    pool.on("error", logStoreError("postgres"));
    await migrate(pool);
    return { storage: createPostgresStorage({ pool }), kind: "postgres", close: () => pool.end() };
  }
  return { storage: createMemoryStorage(), kind: "memory", close: async () => {} };
}
