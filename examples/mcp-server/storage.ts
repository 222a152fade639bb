/**
 * The store: in memory by default; Redis when REDIS_URL is set; PostgreSQL when DATABASE_URL is.
 */
import { type Storage, createMemoryStorage } from "oauthkit";

export interface ChosenStorage {
  storage: Storage;
  kind: "memory" | "redis" | "postgres";
  /** Closes the connection, if there is one. */
  close(): Promise<void>;
}

export async function storageFromEnvironment(env: Record<string, string | undefined>): Promise<ChosenStorage> {
  if (env.REDIS_URL) {
    const [{ createClient }, { createRedisStorage }] = await Promise.all([import("redis"), import("oauthkit/redis")]);
    const client = await createClient({ url: env.REDIS_URL }).connect();
    return { storage: createRedisStorage({ client }), kind: "redis", close: async () => void (await client.quit()) };
  }
  if (env.DATABASE_URL) {
    const [{ default: pg }, { createPostgresStorage, migrate }] = await Promise.all([import("pg"), import("oauthkit/postgres")]);
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
    await migrate(pool);
    return { storage: createPostgresStorage({ pool }), kind: "postgres", close: () => pool.end() };
  }
  return { storage: createMemoryStorage(), kind: "memory", close: async () => {} };
}
