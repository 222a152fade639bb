/**
 * MCP end to end, with the official SDK on both sides and nothing mocked:
 *
 * - the MCP server is the SDK's `McpServer` behind its `StreamableHTTPServerTransport` (stateless),
 *   with one tool, `whoami`, that answers the access token's subject; `/mcp` is protected by
 *   oauthkit's `validateBearerToken`;
 * - oauthkit's `handleRequest` serves the authorization server (RFC 8414 and RFC 9728 metadata,
 *   token, registration), and a tiny `/authorize` auto-approves as user `alice` (the test plays
 *   the user);
 * - all of it over real HTTP on 127.0.0.1 with `node:http`;
 * - the SDK's own `Client` + `StreamableHTTPClientTransport`, with the `OAuthClientProvider` below,
 *   starts unauthenticated and goes 401 → Protected Resource Metadata (RFC 9728) → AS metadata
 *   (RFC 8414) → registration (RFC 7591 DCR, or a client ID metadata document) → authorization
 *   with PKCE (RFC 7636) and `resource` (RFC 8707) → code exchange → `whoami` → refresh after the
 *   access token expires (RFC 6749 §6) → `whoami` again.
 *
 * The MCP authorization specification (2025-11-25) requires metadata documents to be fetched over
 * `https`. This test server speaks plain http, so the CIMD `fetch` injected into oauthkit maps the
 * document's https URL onto the same test server (a real HTTP request to 127.0.0.1): every other
 * rule — exact `client_id`, no redirects, JSON only, size and time caps — applies as in production.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthorizationServer, type ClientInfo, createAuthorizationServer, createMemoryStorage } from "../../src/index.js";
import { clientMetadata, InMemoryOAuthProvider } from "../support/mcp-sdk-provider.js";

const ACCESS_TOKEN_LIFETIME = 60;
const CLIENT_DOCUMENT_URL = "https://mcp-client.example.com/oauth/client.json";
const CLIENT_DOCUMENT_PATH = "/client-documents/client.json";

/** The server clock, in seconds: real time plus an offset the test moves to expire tokens. */
let clockOffset = 0;
const now = () => Math.floor(Date.now() / 1000) + clockOffset;

let origin = "";
let oauth: AuthorizationServer;
const storage = createMemoryStorage({ now });
/** What the consent screen would have shown, per authorization. */
const consentShown: ClientInfo[] = [];
/** Every metadata document fetch oauthkit made. */
const documentFetches: string[] = [];
let httpServer: ReturnType<typeof createServer>;

/** The MCP server: a fresh McpServer per request (stateless Streamable HTTP). */
function createMcpServer(): McpServer {
  const server = new McpServer({ name: "oauthkit-interop", version: "0.0.0" });
  server.registerTool("whoami", { description: "The subject of the access token" }, (extra) => ({
    content: [{ type: "text", text: String(extra.authInfo?.extra?.["subject"]) }],
  }));
  return server;
}

/** node:http → Web Request (for oauthkit), reading the body unless `withoutBody`. */
async function toWebRequest(req: IncomingMessage, options: { withoutBody?: boolean } = {}): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = !options.withoutBody && req.method !== "GET" && req.method !== "HEAD";
  let body: ArrayBuffer | undefined;
  if (hasBody) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = Uint8Array.from(Buffer.concat(chunks)).buffer;
  }
  return new Request(new URL(req.url ?? "/", origin), { method: req.method ?? "GET", headers, ...(body === undefined ? {} : { body }) });
}

/** Web Response → node:http. */
async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(Buffer.from(await response.arrayBuffer()));
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", origin).pathname;

  if (path === "/mcp") {
    // Headers are enough to validate the token; the body stays unread for the SDK's transport.
    const token = await oauth.validateBearerToken(await toWebRequest(req, { withoutBody: true }));
    if (token instanceof Response) return sendWebResponse(res, token); // 401 + resource_metadata
    const bearer = req.headers.authorization!.slice("Bearer ".length);
    const auth = { token: bearer, clientId: token.clientId, scopes: token.scope, expiresAt: token.expiresAt, extra: { subject: token.subject } };
    const server = createMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    return transport.handleRequest(Object.assign(req, { auth }), res);
  }

  if (path === "/authorize") {
    // The host's page: here it approves at once, as user alice.
    const request = await oauth.parseAuthorizationRequest(await toWebRequest(req));
    if (request instanceof Response) return sendWebResponse(res, request);
    consentShown.push(request.client);
    return sendWebResponse(res, await oauth.issueAuthorizationCode(request, { subject: "alice" }));
  }

  if (path === CLIENT_DOCUMENT_PATH) {
    // The MCP client's metadata document, as its owner would publish it at CLIENT_DOCUMENT_URL.
    const document = { ...clientMetadata("CIMD client", "http://127.0.0.1:8976/callback"), client_id: CLIENT_DOCUMENT_URL };
    return sendWebResponse(res, Response.json(document, { headers: { "Cache-Control": "max-age=300" } }));
  }

  const handled = await oauth.handleRequest(await toWebRequest(req));
  return sendWebResponse(res, handled ?? new Response("Not found", { status: 404 }));
}

beforeAll(async () => {
  httpServer = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  oauth = createAuthorizationServer({
    issuer: origin, // http is accepted for a loopback issuer (RFC 8414 §2 wants https elsewhere)
    storage,
    now,
    scopesSupported: ["mcp"],
    defaultScopes: ["mcp"],
    resources: [`${origin}/mcp`],
    accessTokenLifetime: ACCESS_TOKEN_LIFETIME,
    endpoints: { registration: "/register" },
    clientIdMetadataDocuments: {
      // Test-only: the https document URL is served by this test server over http (see above).
      fetch: (request) => {
        documentFetches.push(request.url);
        const url = new URL(request.url);
        if (url.href !== CLIENT_DOCUMENT_URL) return Promise.resolve(new Response("Not found", { status: 404 }));
        return fetch(new Request(`${origin}${CLIENT_DOCUMENT_PATH}`, request));
      },
    },
  });
});
afterAll(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));



/** The SDK client's state; its "browser" follows the authorization URL (the test server approves). */
function newProvider(name: string, clientMetadataUrl?: string): InMemoryOAuthProvider {
  return new InMemoryOAuthProvider({
    name,
    redirectUrl: "http://127.0.0.1:8976/callback",
    issuer: origin,
    ...(clientMetadataUrl === undefined ? {} : { clientMetadataUrl }),
    async authorize(url) {
      const response = await fetch(url, { redirect: "manual" });
      const location = response.headers.get("location");
      if (response.status !== 302 || location === null) throw new Error(`authorization failed: ${response.status} ${await response.text()}`);
      return new URL(location);
    },
  });
}

function transportFor(provider: InMemoryOAuthProvider) {
  return new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { authProvider: provider });
}

async function connect(provider: InMemoryOAuthProvider): Promise<Client> {
  const client = new Client({ name: "oauthkit-interop-client", version: "0.0.0" });
  await client.connect(transportFor(provider));
  return client;
}

async function whoami(client: Client): Promise<string> {
  const result = await client.callTool({ name: "whoami", arguments: {} });
  return (result.content as { type: string; text: string }[])[0]!.text;
}

/** The whole flow for one provider: unauthenticated start, authorization, whoami, refresh, whoami. */
async function runFlow(provider: InMemoryOAuthProvider): Promise<void> {
  // 1. Unauthenticated: 401 → discovery → registration → authorization (auto-approved) → redirect.
  const transport = transportFor(provider);
  await expect(new Client({ name: "oauthkit-interop-client", version: "0.0.0" }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const authorizationUrl = provider.authorizationUrl!;
  expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256"); // RFC 7636 §4.3
  expect(authorizationUrl.searchParams.get("resource")).toBe(`${origin}/mcp`); // RFC 8707 §2
  expect(provider.code).toBeTruthy();

  // 2. The SDK exchanges the code (with its PKCE verifier) and keeps the tokens.
  await transport.finishAuth(provider.code!);
  const first = provider.tokens()!;
  expect(first.refresh_token).toBeTruthy();
  expect(first.expires_in).toBe(ACCESS_TOKEN_LIFETIME);

  // 3. Reconnected with the token: whoami is the approving user.
  const client = await connect(provider);
  expect(await whoami(client)).toBe("alice");
  await client.close();

  // 4. The access token expires; the next request gets a 401, the SDK refreshes (RFC 6749 §6,
  //    with rotation) and retries.
  clockOffset += ACCESS_TOKEN_LIFETIME + 1;
  const expired = await oauth.validateBearerToken(new Request(`${origin}/mcp`, { headers: { Authorization: `Bearer ${first.access_token}` } }));
  expect((expired as Response).status).toBe(401);
  const again = await connect(provider);
  expect(await whoami(again)).toBe("alice");
  const second = provider.tokens()!;
  expect(second.access_token).not.toBe(first.access_token);
  expect(second.refresh_token).not.toBe(first.refresh_token);
  await again.close();
}

describe("MCP SDK client and server with oauthkit (MCP authorization 2025-11-25)", () => {
  it("advertises DCR and client ID metadata documents (RFC 8414 §2, RFC 9728 §3)", async () => {
    const resource = await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(resource).toMatchObject({ resource: `${origin}/mcp`, authorization_servers: [origin] });
    const metadata = await (await fetch(`${origin}/.well-known/oauth-authorization-server`)).json();
    expect(metadata).toMatchObject({ registration_endpoint: `${origin}/register`, client_id_metadata_document_supported: true });
  });

  it("registers by DCR (RFC 7591), authorizes, calls whoami, refreshes and calls again", async () => {
    const provider = newProvider("DCR client");
    await runFlow(provider);
    const clientId = provider.clientInformation()!.client_id;
    expect(clientId).not.toMatch(/^https:/);
    expect(await storage.getClient(clientId)).toMatchObject({ client_name: "DCR client", token_endpoint_auth_method: "none", scope: "mcp" });
    expect(consentShown.at(-1)).toEqual({ client_id: clientId, client_name: "DCR client" });
  });

  it("identifies the client by a client ID metadata document, with nothing registered", async () => {
    const before = await storage.countClients();
    const provider = newProvider("CIMD client", CLIENT_DOCUMENT_URL);
    await runFlow(provider);
    expect(provider.clientInformation()!.client_id).toBe(CLIENT_DOCUMENT_URL);
    expect(provider.authorizationUrl!.searchParams.get("client_id")).toBe(CLIENT_DOCUMENT_URL);
    expect(await storage.countClients()).toBe(before);
    // The consent screen gets the document's name and the host that vouches for it.
    expect(consentShown.at(-1)).toEqual({ client_id: CLIENT_DOCUMENT_URL, client_name: "CIMD client", host: "mcp-client.example.com" });
    // Fetched once: authorization, code exchange and refresh all used the cached document (max-age=300).
    expect(documentFetches).toEqual([CLIENT_DOCUMENT_URL]);
  });
});
