/**
 * The reference server on a real Redis, a real three-node Redis Cluster and a real PostgreSQL,
 * chosen from REDIS_URL / REDIS_CLUSTER_URLS / DATABASE_URL
 * as `npm run example` does: the whole flow must work on each. Without either it keeps its data in
 * a SQLite file, which must survive a restart.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../examples/mcp-server/app.js";
import { storageFromEnvironment } from "../../examples/mcp-server/storage.js";
import { serve } from "../../examples/node-http/serve.js";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { callWhoami, runExampleFlow, signInAndDecide } from "../../scripts/example-flow.mjs";
import { type RunningExample, distBuilt, startExample } from "./child-process.js";
import {
  type RunningServer,
  postgresBinaries,
  redisBinary,
  redisCliBinary,
  serverMissing,
  startPostgres,
  startRedis,
  startRedisCluster,
} from "../support/servers.js";

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

const redisCli = redis === null ? null : redisCliBinary(redis);
if (redis === null || redisCli === null) serverMissing("reference server with redis-cluster", "redis-server or redis-cli not found");
else describeWith("redis-cluster", async () => {
  const cluster = await startRedisCluster(redis, redisCli);
  return { server: { port: Number(new URL(cluster.urls[0]!).port), stop: cluster.stop }, env: { REDIS_CLUSTER_URLS: cluster.urls.join(",") } };
});

const postgres = postgresBinaries();
if (postgres === null) serverMissing("reference server with postgres", "initdb/postgres not found");
else describeWith("postgres", async () => {
  const server = await startPostgres(postgres);
  const { host, port, user, database } = server.connection;
  return { server, env: { DATABASE_URL: `postgres://${user}@${host}:${port}/${database}` } };
});

describe("reference server storage choice", () => {
  it("STORAGE=memory keeps the in-memory store; an unknown STORAGE is a TypeError naming it; by default a SQLite file at SQLITE_PATH", async () => {
    expect((await storageFromEnvironment({ STORAGE: "memory" })).kind).toBe("memory");
    await expect(storageFromEnvironment({ STORAGE: "mongo" })).rejects.toThrow(/STORAGE must be/);
    const dir = mkdtempSync(join(tmpdir(), "oauthkit-choice-"));
    try {
      const chosen = await storageFromEnvironment({ SQLITE_PATH: join(dir, "nested", "db.sqlite") });
      expect(chosen.kind).toBe("sqlite");
      expect(chosen.detail).toContain(join(dir, "nested", "db.sqlite"));
      await chosen.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function stopAndWait(running: RunningExample): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once("exit", resolve));
  running.child.kill();
  await exited;
}

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

describe.skipIf(!distBuilt("reference server on SQLite"))("reference server on SQLite (the default)", () => {
  const dir = mkdtempSync(join(tmpdir(), "oauthkit-restart-"));
  const env = { SQLITE_PATH: join(dir, "oauthkit.sqlite") };
  const running: RunningExample[] = [];
  afterAll(async () => {
    for (const r of running) await stopAndWait(r);
    rmSync(dir, { recursive: true, force: true });
  });

  it("sqlite: survives a restart — the client, the access token and the refresh token (once) still work", async () => {
    const first = await startExample("examples/mcp-server/server.ts", env);
    running.push(first);
    expect(first.output()).toMatch(/sqlite storage at /);
    const metadata = (await (await fetch(`${first.origin}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
    const resource = ((await (await fetch(`${first.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string }).resource;
    const redirectUri = "http://127.0.0.1:8976/callback";
    const registration = await fetch(metadata.registration_endpoint!, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "Restart", redirect_uris: [redirectUri], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }),
    });
    expect(registration.status).toBe(201);
    const client = (await registration.json()) as { client_id: string };
    const verifier = base64url(randomBytes(32));
    const authorizeUrl = new URL(metadata.authorization_endpoint!);
    for (const [name, value] of Object.entries({
      response_type: "code", client_id: client.client_id, redirect_uri: redirectUri, scope: "mcp", state: "s",
      code_challenge: base64url(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256", resource,
    })) authorizeUrl.searchParams.set(name, value);
    const callback = (await signInAndDecide(authorizeUrl)) as URL;
    const token = (origin: string, params: Record<string, string>) =>
      fetch(`${origin}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: client.client_id, ...params }),
      });
    expect(new URL(metadata.token_endpoint!).pathname).toBe("/token");
    const exchanged = await token(first.origin, { grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: redirectUri, code_verifier: verifier });
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as { access_token: string; refresh_token: string };
    expect(await callWhoami(first.origin, tokens.access_token)).toBe("demo");

    await stopAndWait(first);
    // Same file, same port (so the same issuer and /mcp resource the tokens are bound to).
    const second = await startExample("examples/mcp-server/server.ts", { ...env, PORT: new URL(first.origin).port });
    running.push(second);

    // The access token issued before the restart still validates at /mcp (RFC 6750 §2.1).
    expect(await callWhoami(second.origin, tokens.access_token)).toBe("demo");
    // The refresh token redeems once (RFC 6749 §6); its replay is invalid_grant (RFC 9700 §4.14.2).
    const refreshed = await token(second.origin, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const rotated = (await refreshed.json()) as { access_token: string };
    expect(await callWhoami(second.origin, rotated.access_token)).toBe("demo");
    const replay = await token(second.origin, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");
  }, 90_000);
});
