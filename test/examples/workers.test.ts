/**
 * The reference MCP server as a Cloudflare Worker (examples/cloudflare) on workerd, locally through
 * Miniflare, its records in D1 — nothing needs a Cloudflare account or the network:
 *
 * - `node examples/cloudflare/dev.mjs` (what `npm run example:workers` runs) on PORT: metadata, the
 *   whole browser flow with sign-in demo/demo, and the D1 database surviving a restart;
 * - the MCP SDK's client against the Worker, registering by DCR and by a client ID metadata
 *   document (served through Miniflare's outbound service, standing in for the client's host);
 * - the storage conformance suite on the same D1 database, driven from Node through Miniflare's
 *   `getD1Database()` with `d1Driver`: the statements run in workerd's D1.
 *
 * Miniflare 4 needs Node ≥ 22: under Node 20 the file is skipped with the reason printed (CI runs
 * it on Node 22 and 24 through scripts/node-versions.sh).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { D1Database } from "@cloudflare/workers-types/experimental";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type D1DatabaseLike, SQLITE_MIGRATIONS, createSqliteStorage, d1Driver, migrate } from "../../src/storage/sqlite/index.js";
import { describeStorageConformance } from "../../src/testing/index.js";
import { type RunningExample, distBuilt, startProcess } from "./child-process.js";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { runExampleFlow, signInAndDecide } from "../../scripts/example-flow.mjs";
// @ts-expect-error: plain JavaScript module (writes examples/cloudflare/migrations)
import { migrationFiles } from "../../examples/cloudflare/write-migrations.mjs";
import { clientMetadata, InMemoryOAuthProvider } from "../support/mcp-sdk-provider.js";

// Compile-time check: a Worker's D1Database binding is a D1DatabaseLike as it is.
export const acceptsD1Database = (db: D1Database): D1DatabaseLike => db;

const SUITE = "Cloudflare Workers example (workerd, D1)";
const nodeMajor = Number(process.versions.node.split(".")[0]);
const skipReason =
  nodeMajor < 22 ? `Miniflare 4 (workerd) needs Node ≥ 22, this is ${process.version}; scripts/node-versions.sh runs this file on Node 22 and 24` : undefined;
if (skipReason !== undefined) console.warn(`[skip] ${SUITE}: ${skipReason}`);
const enabled = skipReason === undefined && distBuilt(SUITE);

// Every D1 call crosses from Node to workerd: the conformance suite's 50-caller races take up to
// ~20 s on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

const CLIENT_DOCUMENT_URL = "https://mcp-client.example.com/oauth/client.json";
const REDIRECT_URI = "http://127.0.0.1:8976/callback";

interface StartedWorker {
  miniflare: {
    getD1Database(binding: string): Promise<unknown>;
    dispose(): Promise<void>;
  };
  url: URL;
}

/** Every outgoing fetch the Worker made (Miniflare's outbound service sees them all). */
const outboundFetches: string[] = [];

/** The Worker in this process, started once for the SDK and conformance tests. */
let started: Promise<StartedWorker> | undefined;
function worker(): Promise<StartedWorker> {
  started ??= (async () => {
    // @ts-expect-error: plain JavaScript module (the launcher of npm run example:workers)
    const { startWorker } = await import("../../examples/cloudflare/dev.mjs");
    const { Response: MiniflareResponse } = await import("miniflare");
    return (await startWorker({
      // No ISSUER: the Worker takes the request's origin, http://localhost:<port>.
      // No network either: the one host the Worker may reach is the MCP client's, for its document.
      outboundService: (request: Request) => {
        outboundFetches.push(request.url);
        if (request.url !== CLIENT_DOCUMENT_URL) return new MiniflareResponse("Not found", { status: 404 });
        const document = { ...clientMetadata("CIMD client", REDIRECT_URI), client_id: CLIENT_DOCUMENT_URL };
        return new MiniflareResponse(JSON.stringify(document), { headers: { "Content-Type": "application/json", "Cache-Control": "max-age=300" } });
      },
    })) as StartedWorker;
  })();
  return started;
}
if (enabled) afterAll(async () => (await started)?.miniflare.dispose());


/** Every row of every table of the D1 database, as text (D1's own `_cf_` tables left out). */
async function dumpD1(db: D1DatabaseLike): Promise<string> {
  const driver = d1Driver(db);
  const tables = await driver.all({ sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", params: [] });
  const lines: string[] = [];
  for (const { name } of tables) {
    for (const row of await driver.all({ sql: `SELECT * FROM "${String(name)}"`, params: [] })) lines.push(`${String(name)} ${JSON.stringify(row)}`);
  }
  return lines.join("\n");
}

describe.skipIf(!enabled)(`${SUITE}: npm run example:workers`, () => {
  let running: RunningExample;
  let persist = "";
  const start = () => startProcess({ command: process.execPath, args: ["examples/cloudflare/dev.mjs"], env: { D1_PERSIST: persist }, timeoutMs: 90_000 });
  const stop = async () => {
    const exited = new Promise((resolve) => running.child.once("exit", resolve));
    running.stop();
    await exited;
  };
  beforeAll(async () => {
    persist = mkdtempSync(join(tmpdir(), "oauthkit-workers-d1-"));
    running = await start();
  }, 120_000);
  afterAll(async () => {
    if (running !== undefined) await stop();
    if (persist !== "") rmSync(persist, { recursive: true, force: true });
  });

  it("prints where it listens, the issuer http://localhost:PORT and the demo credentials", () => {
    expect(running.output()).toContain(`ready on ${running.origin} (issuer ${running.origin}, D1 storage kept in ${persist})`);
    expect(running.output()).toContain(`MCP endpoint: ${running.origin}/mcp — sign in as demo / demo (default credentials; set DEMO_PASSWORD to change)`);
  });

  it("serves AS metadata (RFC 8414 §2) and protected resource metadata for /mcp (RFC 9728 §3)", async () => {
    const metadata = await fetch(`${running.origin}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({
      issuer: running.origin,
      authorization_endpoint: `${running.origin}/authorize`,
      token_endpoint: `${running.origin}/token`,
      registration_endpoint: `${running.origin}/register`,
      revocation_endpoint: `${running.origin}/revoke`,
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["mcp"],
      client_id_metadata_document_supported: true,
    });
    const resource = await fetch(`${running.origin}/.well-known/oauth-protected-resource/mcp`);
    expect(resource.status).toBe(200);
    expect(await resource.json()).toMatchObject({ resource: `${running.origin}/mcp`, authorization_servers: [running.origin] });
    // Reached under another host name, the Worker still answers as the issuer (RFC 8414 §3.3).
    const viaAddress = await fetch(`${running.origin.replace("localhost", "127.0.0.1")}/.well-known/oauth-authorization-server`);
    expect(await viaAddress.json()).toMatchObject({ issuer: running.origin, token_endpoint: `${running.origin}/token` });
  });

  it("runs the whole flow on workerd: 401 → DCR → sign-in demo/demo → consent → code → whoami → refresh → revoke", async () => {
    expect(await runExampleFlow(running.origin)).toMatchObject({ subject: "demo" });
  });

  it("redirects a denial with access_denied (RFC 6749 §4.1.2.1)", async () => {
    expect(await runExampleFlow(running.origin, { decision: "deny" })).toEqual({ error: "access_denied" });
  });

  it("refuses a wrong password with the sign-in page again", async () => {
    await expect(runExampleFlow(running.origin, { password: "wrong" })).rejects.toThrow(/consent page after sign-in/);
  });

  it("keeps its records in D1 on disk: after a restart on the same port the client is known, the access token valid, the refresh token redeems once", async () => {
    const registration = await fetch(`${running.origin}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "Before the restart", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }),
    });
    expect(registration.status).toBe(201);
    const { client_id: clientId } = (await registration.json()) as { client_id: string };
    const verifier = "v".repeat(43);
    const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
    const query = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: REDIRECT_URI, scope: "mcp", code_challenge: challenge, code_challenge_method: "S256", resource: `${running.origin}/mcp` });
    const callback: URL = await signInAndDecide(new URL(`/authorize?${query}`, running.origin), { expectClientName: "Before the restart" });
    const token = (params: Record<string, string>) =>
      fetch(`${running.origin}/token`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ client_id: clientId, ...params }) });
    const issued = await token({ grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    expect(issued.status).toBe(200);
    const tokens = (await issued.json()) as { access_token: string; refresh_token: string };

    const origin = running.origin;
    await stop();
    running = await startProcess({ command: process.execPath, args: ["examples/cloudflare/dev.mjs"], env: { D1_PERSIST: persist, PORT: new URL(origin).port }, timeoutMs: 90_000 });
    expect(running.origin).toBe(origin);
    const whoami = await fetch(`${origin}/mcp`, {
      method: "POST",
      headers: { Authorization: `Bearer ${tokens.access_token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }),
    });
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { result: { content: { text: string }[] } }).result.content[0]!.text).toBe("demo");
    const refreshed = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    // Rotated (RFC 9700 §4.14.2): the same refresh token again is refused.
    const replay = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");
  }, 180_000);
});


describe.skipIf(!enabled)(`${SUITE}: the MCP SDK client`, () => {
  let origin: string;
  let db: D1DatabaseLike;
  beforeAll(async () => {
    const { miniflare, url } = await worker();
    origin = url.origin;
    db = (await miniflare.getD1Database("DB")) as D1DatabaseLike;
  }, 120_000);

  /** The SDK client's state; its "browser" plays the user on the Worker's sign-in and consent pages. */
  const newProvider = (name: string, clientMetadataUrl?: string) =>
    new InMemoryOAuthProvider({
      name,
      redirectUrl: REDIRECT_URI,
      issuer: origin,
      ...(clientMetadataUrl === undefined ? {} : { clientMetadataUrl }),
      authorize: (url) => signInAndDecide(url, { expectClientName: name }),
    });
  const transportFor = (provider: InMemoryOAuthProvider) => new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider });
  async function whoami(provider: InMemoryOAuthProvider): Promise<string> {
    const client = new Client({ name: "oauthkit-workers-test", version: "0.0.0" });
    await client.connect(transportFor(provider));
    const result = await client.callTool({ name: "whoami", arguments: {} });
    await client.close();
    return (result.content as { type: string; text: string }[])[0]!.text;
  }

  /** 401 → discovery → registration → sign-in and consent → code → whoami → refresh → whoami. */
  async function runFlow(provider: InMemoryOAuthProvider): Promise<void> {
    const transport = transportFor(provider);
    await expect(new Client({ name: "oauthkit-workers-test", version: "0.0.0" }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl!.searchParams.get("code_challenge_method")).toBe("S256"); // RFC 7636 §4.3
    expect(provider.authorizationUrl!.searchParams.get("resource")).toBe(`${origin}/mcp`); // RFC 8707 §2
    await transport.finishAuth(provider.code!);
    const first = provider.tokens()!;
    expect(first.refresh_token).toBeTruthy();
    expect(await whoami(provider)).toBe("demo");

    // An access token the Worker refuses makes the SDK refresh (RFC 6749 §6, rotated) and retry.
    provider.saveTokens({ ...first, access_token: "not-a-token" });
    expect(await whoami(provider)).toBe("demo");
    const second = provider.tokens()!;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);

    // The rotated-out refresh token replayed: invalid_grant, and the grant is revoked with every
    // token of it (RFC 9700 §4.14.2), so the current access token stops working too.
    const replay = await fetch(`${origin}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: first.refresh_token!, client_id: provider.clientInformation()!.client_id }),
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    const afterReplay = await fetch(`${origin}/mcp`, { method: "POST", headers: { Authorization: `Bearer ${second.access_token}` } });
    expect(afterReplay.status).toBe(401);
  }

  it("registers by DCR (RFC 7591), signs in, calls whoami, refreshes; the client is stored in D1, tokens only as hashes", async () => {
    const provider = newProvider("DCR client");
    await runFlow(provider);
    const clientId = provider.clientInformation()!.client_id;
    expect(clientId).not.toMatch(/^https:/);
    const storage = createSqliteStorage({ driver: d1Driver(db) });
    expect(await storage.getClient(clientId)).toMatchObject({ client_name: "DCR client", token_endpoint_auth_method: "none", scope: "mcp" });
    const dump = await dumpD1(db);
    expect(dump).toContain(clientId);
    expect(dump).not.toContain(provider.tokens()!.access_token);
    expect(dump).not.toContain(provider.tokens()!.refresh_token!);
  });

  it("identifies the client by a client ID metadata document, fetched once by the Worker, with nothing registered", async () => {
    const storage = createSqliteStorage({ driver: d1Driver(db) });
    const before = await storage.countClients();
    const fetchesBefore = outboundFetches.length;
    const provider = newProvider("CIMD client", CLIENT_DOCUMENT_URL);
    await runFlow(provider);
    expect(provider.clientInformation()!.client_id).toBe(CLIENT_DOCUMENT_URL);
    expect(provider.authorizationUrl!.searchParams.get("client_id")).toBe(CLIENT_DOCUMENT_URL);
    expect(await storage.countClients()).toBe(before);
    // Authorization, consent, code exchange and refresh used the cached document (max-age=300).
    expect(outboundFetches.slice(fetchesBefore)).toEqual([CLIENT_DOCUMENT_URL]);
  });
});

const migrationsDir = join(import.meta.dirname, "..", "..", "examples", "cloudflare", "migrations");
const expectedMigrations = migrationFiles(SQLITE_MIGRATIONS) as { name: string; sql: string }[];

describe(`${SUITE}: the SQL migrations for wrangler d1 migrations apply`, () => {
  it("are what write-migrations.mjs writes from SQLITE_MIGRATIONS (else: npm run build && node examples/cloudflare/write-migrations.mjs)", () => {
    expect(readdirSync(migrationsDir).sort()).toEqual(expectedMigrations.map((file) => file.name));
    for (const file of expectedMigrations) expect(readFileSync(join(migrationsDir, file.name), "utf8")).toBe(file.sql);
  });

  it.skipIf(!enabled)("applied to an empty D1 database, leave migrate() nothing to do, and the store works on them", async () => {
    const { Miniflare } = await import("miniflare");
    const miniflare = new Miniflare({ modules: true, script: "export default { fetch: () => new Response(null) }", d1Databases: { DB: "fresh" }, compatibilityDate: "2025-09-01" });
    try {
      const db = (await miniflare.getD1Database("DB")) as unknown as D1DatabaseLike;
      // As wrangler applies a migration file: its statements in one go.
      for (const file of expectedMigrations) await db.prepare(readFileSync(join(migrationsDir, file.name), "utf8")).all();
      const driver = d1Driver(db);
      expect(await migrate(driver)).toEqual({ applied: [] });
      expect(await driver.all({ sql: "SELECT version, name FROM oauthkit_migrations", params: [] })).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
      const storage = createSqliteStorage({ driver });
      expect(await storage.countClients()).toBe(0);
    } finally {
      await miniflare.dispose();
    }
  });
});

if (enabled) {
  describeStorageConformance("Cloudflare D1 (workerd, through Miniflare)", async () => {
    const { miniflare } = await worker();
    const db = (await miniflare.getD1Database("DB")) as D1DatabaseLike;
    const driver = d1Driver(db);
    await migrate(driver);
    // Rows of the grant in every table keyed by grant id (the bound of refresh families).
    const countGrantRecords = async (grantId: string): Promise<number> => {
      let count = 0;
      for (const table of ["grants", "refresh_families", "access_tokens", "grant_props"]) {
        const [row] = await driver.all({ sql: `SELECT count(*) AS n FROM ${table} WHERE grant_id = ?`, params: [grantId] });
        count += Number(row?.["n"]);
      }
      return count;
    };
    return { storage: createSqliteStorage({ driver }), dump: () => dumpD1(db), countGrantRecords };
  });
}
