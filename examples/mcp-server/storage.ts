/**
 * The store: in memory by default; Redis when REDIS_URL is set; PostgreSQL when DATABASE_URL is.
 */
import { type Storage, createMemoryStorage } from "oauthkit";

export async function storageFromEnvironment(env: NodeJS.ProcessEnv): Promise<{ storage: Storage; kind: string }> {
  if (env.REDIS_URL) {
    const [{ createClient }, { createRedisStorage }] = await Promise.all([import("redis"), import("oauthkit/redis")]);
    const client = await createClient({ url: env.REDIS_URL }).connect();
    return { storage: createRedisStorage({ client }), kind: "redis" };
  }
  if (env.DATABASE_URL) {
    const [{ default: pg }, { createPostgresStorage, migrate }] = await Promise.all([import("pg"), import("oauthkit/postgres")]);
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
    await migrate(pool);
    return { storage: createPostgresStorage({ pool }), kind: "postgres" };
  }
  return { storage: createMemoryStorage(), kind: "memory" };
}
