/**
 * oauthkit/node over real HTTP: a node:http server whose token, revocation and introspection
 * endpoints are served by `createNodeHandler` (no Web Request/Response), beside one serving the
 * same authorization server through the Web path (`handleRequest` on a Request built from the
 * node request). The two must answer every request of a table identically — status, headers and
 * body — failures included (RFC 6749 §5.2, RFC 7009 §2.2, RFC 7662 §2.3).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthorizationServer, hashToken } from "../../src/index.js";
import { createNodeHandler, nodeHashToken, toWebRequest, writeWebResponse } from "../../src/node/index.js";
import {
  ISSUER,
  RFC7636_VERIFIER,
  type TestClient,
  basicAuth,
  createTestServer,
  obtainCode,
  registerClient,
} from "../support/fixtures.js";

const MAX_BODY_BYTES = 2048;

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let oauth: AuthorizationServer;
let client: TestClient;
let nodeUrl: string;
let webUrl: string;
const servers: Server[] = [];

beforeAll(async () => {
  const t = createTestServer({
    hash: nodeHashToken,
    maxBodyBytes: MAX_BODY_BYTES,
    endpoints: { registration: "/register" },
    introspectionCredentials: [{ id: "rs", secretHash: hashToken("rs-secret") }],
  });
  oauth = t.server;
  // Stored with the portable hash: the native one must find it (the two give the same strings).
  client = await registerClient(t.storage, { secret: "s3cret", clientId: "node-client" });
  await registerClient(t.storage, { method: "none", clientId: "public-client" });
  const handle = createNodeHandler(oauth);
  const node = await listen((req, res) => {
    handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "Content-Type": "text/plain" }).end("host route");
    });
  });
  const web = await listen((req, res) => {
    oauth.handleRequest(toWebRequest(req, ISSUER)).then((response) => {
      if (response === null) res.writeHead(404, { "Content-Type": "text/plain" }).end("host route");
      else void writeWebResponse(response, res);
    });
  });
  servers.push(node.server, web.server);
  nodeUrl = node.url;
  webUrl = web.url;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that depend on the transport, not on oauthkit. */
const TRANSPORT_HEADERS = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);

async function send(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(base + path, { ...init, ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

const form = "application/x-www-form-urlencoded";
const post = (body: BodyInit, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": form, ...headers },
  body,
});
const auth = () => ({ Authorization: basicAuth("node-client", "s3cret") });

/** A body streamed without Content-Length (chunked), so only the streamed count can cap it. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.slice(i, i + 512));
      controller.close();
    },
  });
}

const TABLE: [string, string, () => RequestInit][] = [
  ["GET at the token endpoint: 405 with Allow (RFC 9110 §15.5.6)", "/token", () => ({ method: "GET" })],
  ["a JSON body: 400, the form content type is required (RFC 6749 §3.2)", "/token", () => post("{}", { "Content-Type": "application/json" })],
  ["a charset other than UTF-8: 400", "/token", () => post("grant_type=x", { "Content-Type": `${form}; charset=iso-8859-1` })],
  ["no grant_type: 400 invalid_request (RFC 6749 §5.2)", "/token", () => post("")],
  ["malformed percent-encoding: 400 invalid_request", "/token", () => post("grant_type=%zz")],
  ["invalid UTF-8: 400 invalid_request", "/token", () => post(new Uint8Array([0x67, 0x3d, 0xff, 0xfe]))],
  ["a repeated parameter: 400 invalid_request (RFC 6749 §3.1)", "/token", () => post("grant_type=a&grant_type=b")],
  ["an unsupported grant type: 400 unsupported_grant_type", "/token", () => post("grant_type=password", auth())],
  ["an oversized body with Content-Length: 413", "/token", () => post(`grant_type=${"a".repeat(MAX_BODY_BYTES)}`)],
  ["an oversized chunked body: 413", "/token", () => post(chunked(`grant_type=${"a".repeat(MAX_BODY_BYTES * 2)}`))],
  ["an oversized body with a wrong content type: the content type wins (400)", "/token", () => post("x".repeat(MAX_BODY_BYTES * 2), { "Content-Type": "text/plain" })],
  ["a wrong client secret: 401 invalid_client with a Basic challenge (RFC 6749 §5.2)", "/token", () => post("grant_type=authorization_code&code=x", { Authorization: basicAuth("node-client", "wrong") })],
  ["malformed Basic credentials: 401 invalid_client", "/token", () => post("grant_type=authorization_code&code=x", { Authorization: "Basic !!!" })],
  ["an unknown code: 400 invalid_grant (RFC 6749 §4.1.3)", "/token", () => post(`grant_type=authorization_code&code=unknown&code_verifier=${RFC7636_VERIFIER}`, auth())],
  ["an unknown refresh token: 400 invalid_grant (RFC 6749 §6)", "/token", () => post("grant_type=refresh_token&refresh_token=unknown", auth())],
  ["revocation of an unknown token: 200 (RFC 7009 §2.2)", "/revoke", () => post("token=unknown", auth())],
  ["revocation without a token: 400 invalid_request", "/revoke", () => post("", auth())],
  ["revocation by GET: 405", "/revoke", () => ({ method: "GET" })],
  ["introspection of an unknown token: active false (RFC 7662 §2.2)", "/introspect", () => post("token=unknown", auth())],
  ["introspection by a resource server credential", "/introspect", () => post("token=unknown", { Authorization: basicAuth("rs", "rs-secret") })],
  ["introspection by a public client: 401 (RFC 7662 §2.1)", "/introspect", () => post(`token=unknown&client_id=public-client`)],
  ["a CORS preflight: 204", "/token", () => ({ method: "OPTIONS", headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" } })],
  ["the RFC 8414 metadata document", "/.well-known/oauth-authorization-server", () => ({})],
  ["a resource's metadata path, the resource being on another origin: 421 through the Web path (RFC 9110 §15.5.20)", "/.well-known/oauth-protected-resource/mcp", () => ({})],
  ["registration, through the Web path: 400 on invalid metadata (RFC 7591 §3.2.2)", "/register", () => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })],
  ["a path that is not an endpoint: left to the host", "/elsewhere", () => ({ method: "POST", body: "x" })],
];

describe("oauthkit/node answers exactly as the Web path", () => {
  it.each(TABLE)("%s", async (_name, path, init) => {
    const [node, web] = await Promise.all([send(nodeUrl, path, init()), send(webUrl, path, init())]);
    expect(node).toEqual(web);
    expect(node.status).not.toBe(500);
  });

  it("answers the table's failures with the RFC-shaped errors (spot checks)", async () => {
    const large = await send(nodeUrl, "/token", post(chunked(`grant_type=${"a".repeat(MAX_BODY_BYTES * 2)}`)));
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body)).toEqual({ error: "invalid_request", error_description: `The request body exceeds ${MAX_BODY_BYTES} bytes.` });
    const wrongType = await send(nodeUrl, "/token", post("{}", { "Content-Type": "application/json" }));
    expect(wrongType.status).toBe(400);
    expect(JSON.parse(wrongType.body).error_description).toBe("The request body must be application/x-www-form-urlencoded.");
    const malformed = await send(nodeUrl, "/token", post("grant_type=%zz"));
    expect(JSON.parse(malformed.body)).toEqual({ error: "invalid_request", error_description: "The request contains malformed percent-encoding." });
    const get = await send(nodeUrl, "/token", { method: "GET" });
    expect([get.status, get.headers["allow"]]).toEqual([405, "POST"]);
    const badClient = await send(nodeUrl, "/token", post("grant_type=authorization_code&code=x", { Authorization: basicAuth("node-client", "wrong") }));
    expect(badClient.status).toBe(401);
    expect(badClient.headers["www-authenticate"]).toMatch(/^Basic /);
  });
});

describe("oauthkit/node end to end (RFC 6749 §4.1.3, §6; RFC 7009; RFC 7662)", () => {
  it("exchanges a code, refreshes, introspects and revokes over node:http, with the Web path's response headers", async () => {
    const code = await obtainCode(oauth, client, { scope: "read offline_access" });
    const exchanged = await send(
      nodeUrl,
      "/token",
      post(new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: client.record.redirect_uris[0]!, code_verifier: RFC7636_VERIFIER }), auth()),
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers).toMatchObject({ "cache-control": "no-store", pragma: "no-cache", "content-type": "application/json", "access-control-allow-origin": "*" });
    const tokens = JSON.parse(exchanged.body);
    expect(tokens).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600, scope: "read offline_access", refresh_token: expect.any(String) });

    // The replay is refused (RFC 6749 §4.1.2), whichever path it arrives on.
    const replay = await send(webUrl, "/token", post(new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: RFC7636_VERIFIER }), auth()));
    expect(JSON.parse(replay.body).error).toBe("invalid_grant");

    const code2 = await obtainCode(oauth, client, { scope: "read offline_access" });
    const tokens2 = JSON.parse(
      (await send(nodeUrl, "/token", post(new URLSearchParams({ grant_type: "authorization_code", code: code2, redirect_uri: client.record.redirect_uris[0]!, code_verifier: RFC7636_VERIFIER }), auth()))).body,
    );
    const refreshed = await send(nodeUrl, "/token", post(new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens2.refresh_token }), auth()));
    expect(refreshed.status).toBe(200);
    const rotated = JSON.parse(refreshed.body);
    expect(rotated.refresh_token).not.toBe(tokens2.refresh_token);

    const introspected = await send(nodeUrl, "/introspect", post(`token=${rotated.access_token}`, auth()));
    expect(JSON.parse(introspected.body)).toMatchObject({ active: true, client_id: "node-client", sub: "user-1", scope: "read offline_access" });

    const revoked = await send(nodeUrl, "/revoke", post(`token=${rotated.refresh_token}&token_type_hint=refresh_token`, auth()));
    expect([revoked.status, revoked.body]).toEqual([200, ""]);
    const after = await send(nodeUrl, "/introspect", post(`token=${rotated.access_token}`, auth()));
    expect(JSON.parse(after.body)).toEqual({ active: false });
  });

  it("leaves a request that is not an endpoint untouched, body unread, for the host", async () => {
    const handle = createNodeHandler(oauth);
    let read = "";
    const { server, url } = await listen((req, res) => {
      handle(req, res).then((handled) => {
        expect(handled).toBe(false);
        req.setEncoding("utf8");
        req.on("data", (chunk: string) => (read += chunk));
        req.on("end", () => res.end("ok"));
      });
    });
    try {
      await fetch(`${url}/api?x=1`, { method: "POST", body: "the host's body" });
      expect(read).toBe("the host's body");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses an origin option that is not an origin, naming it (a configuration mistake)", () => {
    expect(() => createNodeHandler(oauth, { origin: "https://as.example.com/path" })).toThrow(TypeError);
    expect(() => createNodeHandler(oauth, { origin: "https://as.example.com/path" })).toThrow(/origin/);
  });
});

describe("createNodeHandler: what the Web path adds", () => {
  async function nodeServer(overrides: Parameters<typeof createTestServer>[0]): Promise<string> {
    const t = createTestServer(overrides);
    const handle = createNodeHandler(t.server);
    const node = await listen((req, res) => {
      handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404, { "Content-Type": "text/plain" }).end("host route");
      });
    });
    servers.push(node.server);
    return node.url;
  }

  it("asks the host's rateLimit hook on the token endpoint too: 429 with Retry-After (RFC 6585 §4)", async () => {
    const seen: string[] = [];
    const url = await nodeServer({
      rateLimit: ({ endpoint }) => {
        seen.push(endpoint);
        return { retryAfter: 30 };
      },
    });
    const answer = await send(url, "/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&refresh_token=x&client_id=public-client",
    });
    expect([answer.status, answer.headers["retry-after"], JSON.parse(answer.body).error]).toEqual([429, "30", "temporarily_unavailable"]);
    expect(seen).toEqual(["token"]);
  });

  it("serves the OpenID Connect discovery copy and the root protected-resource document (MCP 2026-07-28)", async () => {
    // One resource, on the issuer's origin (where this handler answers).
    const url = await nodeServer({ openIdConfiguration: true, resources: [`${ISSUER}/mcp`] });
    const openid = await send(url, "/.well-known/openid-configuration");
    expect([openid.status, JSON.parse(openid.body).issuer]).toEqual([200, ISSUER]);
    const root = await send(url, "/.well-known/oauth-protected-resource");
    expect(root.status).toBe(200);
    expect(JSON.parse(root.body).authorization_servers).toEqual([ISSUER]);
  });
});
