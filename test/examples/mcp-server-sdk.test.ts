/**
 * The reference MCP server (examples/mcp-server) against the official MCP SDK client, over real
 * HTTP, as MCP 2026-07-28 has clients register: a client ID metadata document first (the server
 * advertises `client_id_metadata_document_supported`), dynamic registration as the fallback for
 * clients without one. Then the stateless transport: no session, any instance answers any request,
 * one MCP server shared by concurrent requests without mixing their answers.
 */
import type { AddressInfo } from "node:net";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage, generateToken, hashToken, type MemoryStorage } from "../../src/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { RequestMultiplexer } from "../../examples/mcp-server/mcp.js";
import { serve } from "../../examples/node-http/serve.js";
import { InMemoryOAuthProvider, clientMetadata } from "../support/mcp-sdk-provider.js";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { signInAndDecide } from "../../scripts/example-flow.mjs";

const CLIENT_DOCUMENT_URL = "https://mcp-client.example.com/oauth/client.json";
const REDIRECT_URI = "http://127.0.0.1:8976/callback";
const DEMO = { username: "alice", password: "wonderland" };

let storage: MemoryStorage;
const documentFetches: string[] = [];
let running: Awaited<ReturnType<typeof serve>>;
let second: Awaited<ReturnType<typeof serve>>;
/** Where the second instance listens (its requests are built with the first one's origin). */
let secondUrl = "";

beforeAll(async () => {
  storage = createMemoryStorage();
  const app = (origin: string) =>
    createApp({
      issuer: origin,
      storage,
      demo: DEMO,
      clientIdMetadataDocuments: {
        // The client's document, as its owner publishes it at CLIENT_DOCUMENT_URL (no network).
        fetch: async (request) => {
          documentFetches.push(request.url);
          if (request.url !== CLIENT_DOCUMENT_URL) return new Response("Not found", { status: 404 });
          const document = { ...clientMetadata("CIMD client", REDIRECT_URI), client_id: CLIENT_DOCUMENT_URL };
          return Response.json(document, { headers: { "Cache-Control": "max-age=300" } });
        },
      },
    }).handle;
  running = await serve(app, { port: 0, hostname: "127.0.0.1" });
  // A second instance over the same store, as behind a round-robin balancer.
  second = await serve(() => app(running.origin), { port: 0, hostname: "127.0.0.1", origin: running.origin });
  secondUrl = `http://127.0.0.1:${(second.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await running.close();
  await second.close();
});

function newProvider(name: string, clientMetadataUrl?: string): InMemoryOAuthProvider {
  return new InMemoryOAuthProvider({
    name,
    redirectUrl: REDIRECT_URI,
    issuer: running.origin,
    ...(clientMetadataUrl === undefined ? {} : { clientMetadataUrl }),
    authorize: (url) => signInAndDecide(url, { ...DEMO, expectClientName: name }),
  });
}

async function connectAndCallWhoami(provider: InMemoryOAuthProvider): Promise<string> {
  const transportFor = () => new StreamableHTTPClientTransport(new URL(`${running.origin}/mcp`), { authProvider: provider });
  const unauthenticated = transportFor();
  await expect(new Client({ name: "sdk-test", version: "0.0.0" }).connect(unauthenticated)).rejects.toBeInstanceOf(UnauthorizedError);
  await unauthenticated.finishAuth(provider.code!);
  const client = new Client({ name: "sdk-test", version: "0.0.0" });
  await client.connect(transportFor());
  const result = await client.callTool({ name: "whoami", arguments: {} });
  await client.close();
  return (result.content as { type: string; text: string }[])[0]!.text;
}

/** A bearer token for `subject`, stored as the server would store it. */
async function tokenFor(subject: string): Promise<string> {
  const token = generateToken();
  const now = Math.floor(Date.now() / 1000);
  const grantId = `grant-${subject}`;
  const common = { grantId, clientId: "test-client", subject, subjectType: "user", scope: ["mcp"], issuedAt: now } as const;
  await storage.createGrant(
    { ...common, scope: ["mcp"], resource: [`${running.origin}/mcp`], expiresAt: now + 3600 },
    { ...common, scope: ["mcp"], tokenHash: hashToken(token), audience: [`${running.origin}/mcp`], expiresAt: now + 600 },
  );
  return token;
}

function rpc(origin: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${origin}/mcp`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

describe("registration order with the MCP SDK client (MCP 2026-07-28 client registration)", () => {
  it("the server advertises metadata documents and registration", async () => {
    const metadata = await (await fetch(`${running.origin}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.registration_endpoint).toBe(`${running.origin}/register`);
  });

  it("a client with a metadata document uses it first: nothing is registered", async () => {
    const before = await storage.countClients();
    const provider = newProvider("CIMD client", CLIENT_DOCUMENT_URL);
    expect(await connectAndCallWhoami(provider)).toBe("alice");
    expect(provider.authorizationUrl!.searchParams.get("client_id")).toBe(CLIENT_DOCUMENT_URL);
    expect(await storage.countClients()).toBe(before);
    expect(documentFetches).toContain(CLIENT_DOCUMENT_URL);
  });

  it("a client without one falls back to dynamic registration (RFC 7591)", async () => {
    const before = await storage.countClients();
    const provider = newProvider("DCR client");
    expect(await connectAndCallWhoami(provider)).toBe("alice");
    expect(provider.clientInformation()!.client_id).not.toMatch(/^https:/);
    expect(await storage.countClients()).toBe(before + 1);
  });
});

describe("stateless /mcp (MCP 2026-07-28 streamable HTTP)", () => {
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "0" } },
  };

  it("mints no session: initialize on one instance, tools/list and tools/call on another", async () => {
    const token = await tokenFor("carol");
    const init = await rpc(running.origin, token, initialize, { "MCP-Protocol-Version": LATEST_PROTOCOL_VERSION });
    expect(init.status).toBe(200);
    expect(init.headers.get("mcp-session-id")).toBeNull();
    expect((await init.json()).result.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    const list = await rpc(secondUrl, token, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "MCP-Protocol-Version": LATEST_PROTOCOL_VERSION });
    expect(list.status).toBe(200);
    expect((await list.json()).result.tools.map((tool: { name: string }) => tool.name)).toEqual(["whoami"]);
    const call = await rpc(secondUrl, token, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "whoami", arguments: {} } });
    expect(await call.json()).toMatchObject({ id: 3, result: { content: [{ type: "text", text: "carol" }] } });
  });

  it("one shared MCP server answers concurrent requests with the same JSON-RPC id, each with its own caller", async () => {
    const users = Array.from({ length: 12 }, (_, index) => `user-${index}`);
    const tokens = await Promise.all(users.map(tokenFor));
    const answers = await Promise.all(
      tokens.map((token, index) =>
        rpc(index % 2 === 0 ? running.origin : secondUrl, token, { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "whoami", arguments: {} } }).then(
          (response) => response.json(),
        ),
      ),
    );
    expect(answers.map((answer) => [answer.id, answer.result.content[0].text])).toEqual(users.map((user) => [7, user]));
  });

  it("answers GET and DELETE 405: no standalone stream, no session to end", async () => {
    const token = await tokenFor("dave");
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(`${running.origin}/mcp`, { method, headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    }
  });

  it("answers a 2026-07-28 request 400 with a JSON-RPC error, so the client falls back to initialize (SDK 1.32.2 knows up to 2025-11-25)", async () => {
    expect(LATEST_PROTOCOL_VERSION).toBe("2025-11-25");
    const token = await tokenFor("erin");
    const response = await rpc(running.origin, token, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { "MCP-Protocol-Version": "2026-07-28" });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/Unsupported protocol version: 2026-07-28/);
    expect((await rpc(running.origin, token, initialize)).status).toBe(200);
  });
});

describe("/mcp for browser-based clients (CORS)", () => {
  it("answers the preflight without a token, allowing Authorization and the MCP headers", async () => {
    const response = await fetch(`${running.origin}/mcp`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type, mcp-protocol-version" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")).toBe("Authorization, *");
  });

  it("the 401 exposes WWW-Authenticate with scope and resource_metadata (RFC 9728 §5.1)", async () => {
    const response = await fetch(`${running.origin}/mcp`, { method: "POST", headers: { Origin: "https://app.example", "Content-Type": "application/json" }, body: "{}" });
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toBe("WWW-Authenticate");
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer scope="mcp", resource_metadata="${running.origin}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it("the root protected-resource metadata answers too (one resource configured)", async () => {
    const response = await fetch(`${running.origin}/.well-known/oauth-protected-resource`);
    expect(response.status).toBe(200);
    expect((await response.json()).resource).toBe(`${running.origin}/mcp`);
  });

  it("a successful answer carries CORS headers too", async () => {
    const token = await tokenFor("frank");
    const response = await rpc(running.origin, token, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("RequestMultiplexer: one MCP server for every request", () => {
  it("keeps two in-flight requests with the same JSON-RPC id apart, whatever order they finish in", async () => {
    const server = new McpServer({ name: "t", version: "0" });
    const gates: (() => void)[] = [];
    server.registerTool("slow-whoami", { description: "waits, then answers the caller" }, async (extra) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return { content: [{ type: "text", text: String(extra.authInfo?.extra?.["subject"]) }] };
    });
    const multiplexer = new RequestMultiplexer();
    await server.connect(multiplexer);
    const call = (subject: string) => {
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      multiplexer.attach(transport);
      const request = new Request("http://localhost/mcp", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "slow-whoami", arguments: {} } }),
      });
      return transport.handleRequest(request, { authInfo: { token: "", clientId: "c", scopes: [], extra: { subject } } }).then((response) => response.json());
    };
    const first = call("first");
    const second = call("second");
    await expect.poll(() => gates.length).toBe(2);
    gates[1]!(); // the second finishes first
    gates[0]!();
    expect(await first).toMatchObject({ id: 1, result: { content: [{ text: "first" }] } });
    expect(await second).toMatchObject({ id: 1, result: { content: [{ text: "second" }] } });
  });
});
