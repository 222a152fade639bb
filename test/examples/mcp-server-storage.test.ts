/**
 * The reference server on a real Redis and a real PostgreSQL, chosen from REDIS_URL / DATABASE_URL
 * as `npm run example` does: the whole flow must work on each.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../examples/mcp-server/app.js";
import { storageFromEnvironment } from "../../examples/mcp-server/storage.js";
import { serve } from "../../examples/node-http/serve.js";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { runExampleFlow } from "../../scripts/example-flow.mjs";
import { type RunningServer, postgresBinaries, redisBinary, serverMissing, startPostgres, startRedis } from "../support/servers.js";

function describeWith(kind: string, start: () => Promise<{ server: RunningServer; env: Record<string, string> }>) {
  describe(`reference server with ${kind}`, () => {
    let database: RunningServer;
    let http: Awaited<ReturnType<typeof serve>>;
    let close: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const started = await start();
      database = started.server;
      const { storage, kind: chosen, close: closeStorage } = await storageFromEnvironment(started.env);
      expect(chosen).toBe(kind);
      close = closeStorage;
      http = await serve((origin) => createApp({ issuer: origin, storage, demo: { username: "demo", password: "demo" } }).handle, {
        port: 0,
        hostname: "127.0.0.1",
      });
    }, 60_000);

    afterAll(async () => {
      await http?.close();
      await close?.();
      await database?.stop();
    });

    it("runs the whole flow", async () => {
      expect((await runExampleFlow(http.origin)).subject).toBe("demo");
    });
  });
}

const redis = redisBinary();
if (redis === null) serverMissing("reference server with redis", "redis-server not found");
else describeWith("redis", async () => {
  const server = await startRedis(redis);
  return { server, env: { REDIS_URL: server.url } };
});

const postgres = postgresBinaries();
if (postgres === null) serverMissing("reference server with postgres", "initdb/postgres not found");
else describeWith("postgres", async () => {
  const server = await startPostgres(postgres);
  const { host, port, user, database } = server.connection;
  return { server, env: { DATABASE_URL: `postgres://${user}@${host}:${port}/${database}` } };
});
