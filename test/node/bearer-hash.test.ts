/**
 * Bearer validation from the `Authorization` header value alone (RFC 6750 §2.1, §3.1), through
 * `validateBearerAuthorization`, `server.validateBearerAuthorization` and oauthkit/node's
 * `authenticateNodeRequest` over real HTTP; and the injected hash: `nodeHashToken` is the portable
 * `hashToken`, byte for byte, so records stored by either are found by the other.
 */
import { createHash } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createAuthorizationServer, createMemoryStorage, hashToken, validateBearerAuthorization, validateBearerToken } from "../../src/index.js";
import { authenticateNodeRequest, nodeHashToken } from "../../src/node/index.js";
import { ISSUER, RESOURCE, createTestServer, exchangeCode, obtainCode, registerClient } from "../support/fixtures.js";

const METADATA = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

describe("nodeHashToken: the same hash as hashToken", () => {
  it("on the RFC 7636 Appendix B vector (the S256 transform)", () => {
    expect(nodeHashToken("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("on any string, lone surrogates included (both encode them as U+FFFD)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (value) => {
        expect(nodeHashToken(value)).toBe(hashToken(value));
      }),
      { numRuns: 2000, seed: 11 },
    );
    for (const value of ["", "\ud800", "a\udc00b", "ü€😀", "x".repeat(10_000)]) expect(nodeHashToken(value)).toBe(hashToken(value));
  });

  it("is SHA-256 in base64url without padding (RFC 4648 §5)", () => {
    expect(nodeHashToken("abc")).toBe(createHash("sha256").update("abc").digest("base64url"));
    expect(nodeHashToken("abc")).toHaveLength(43);
  });

  it("a server given a hasher of another encoding refuses it at startup, naming the option", () => {
    const hex = (value: string) => createHash("sha256").update(value).digest("hex");
    expect(() => createAuthorizationServer({ issuer: ISSUER, storage: createMemoryStorage(), hash: hex })).toThrow(
      new TypeError("hash must give base64url(SHA-256(UTF-8(value))) without padding, exactly as hashToken does."),
    );
    expect(() => createAuthorizationServer({ issuer: ISSUER, storage: createMemoryStorage(), hash: "sha256" as never })).toThrow(/^hash must be a function/);
  });

  it("is what a server with hash: nodeHashToken calls, and tokens it issued validate on a server with the portable hash", async () => {
    let calls = 0;
    const counted = (value: string) => {
      calls++;
      return nodeHashToken(value);
    };
    const t = createTestServer({ hash: counted });
    const client = await registerClient(t.storage);
    const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(calls).toBeGreaterThanOrEqual(5); // code, secret, PKCE, refresh and access token
    const portable = createAuthorizationServer({ issuer: ISSUER, storage: t.storage, resources: [RESOURCE], now: t.clock.now });
    const info = await portable.validateBearerAuthorization(`Bearer ${tokens.access_token}`);
    expect("status" in info ? info.status : info.subject).toBe("user-1");
  });
});

async function start() {
  const t = createTestServer({ hash: nodeHashToken });
  const client = await registerClient(t.storage);
  const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
  return { ...t, client, accessToken: tokens.access_token as string };
}

describe("validateBearerAuthorization: the header value, no Request (RFC 6750)", () => {
  it("returns the token's information for a valid token", async () => {
    const t = await start();
    const result = await t.server.validateBearerAuthorization(`Bearer ${t.accessToken}`, { requiredScopes: ["read"] });
    expect(result).toMatchObject({ subject: "user-1", clientId: t.client.clientId, scope: ["read"], audience: [RESOURCE] });
  });

  it("a missing header: 401 with a bare challenge and no body (RFC 6750 §3.1)", async () => {
    const t = await start();
    for (const missing of [undefined, null]) {
      expect(await t.server.validateBearerAuthorization(missing)).toEqual({
        status: 401,
        // Readable by browser-based clients (MCP 2026-07-28: the challenge starts discovery).
        headers: {
          "WWW-Authenticate": `Bearer resource_metadata="${METADATA}"`,
          "Content-Type": "application/json",
          "Cache-Control": "no-store",
          "Access-Control-Allow-Origin": "*",
          "Access-Control-Expose-Headers": "WWW-Authenticate",
        },
        body: "",
      });
    }
  });

  it("a malformed header: 400 invalid_request (RFC 6750 §3.1)", async () => {
    const t = await start();
    const result = await t.server.validateBearerAuthorization("Bearer not a token");
    expect(result).toMatchObject({ status: 400, body: JSON.stringify({ error: "invalid_request", error_description: "The Authorization header is malformed." }) });
  });

  it("an expired token: 401 invalid_token", async () => {
    const t = await start();
    t.clock.advance(3601);
    const result = await t.server.validateBearerAuthorization(`Bearer ${t.accessToken}`);
    expect(result).toMatchObject({ status: 401, body: JSON.stringify({ error: "invalid_token", error_description: "The access token is invalid or has expired." }) });
    expect((result as { headers: Record<string, string> }).headers["WWW-Authenticate"]).toContain('error="invalid_token"');
  });

  it("insufficient scope: 403 naming the scope (RFC 6750 §3.1)", async () => {
    const t = await start();
    const result = await t.server.validateBearerAuthorization(`Bearer ${t.accessToken}`, { requiredScopes: ["write"] });
    expect(result).toMatchObject({ status: 403, body: JSON.stringify({ error: "insufficient_scope", error_description: "The access token lacks a required scope." }) });
    expect((result as { headers: Record<string, string> }).headers["WWW-Authenticate"]).toContain('scope="write"');
  });

  it("gives the same status, headers and body as the Request form, case by case", async () => {
    const t = await start();
    const cases: [string | undefined, string[] | undefined][] = [
      [undefined, undefined],
      ["Bearer !!", undefined],
      ["Basic abc", undefined],
      [`Bearer ${t.accessToken}x`, undefined],
      [`Bearer ${t.accessToken}`, ["write"]],
    ];
    for (const [header, requiredScopes] of cases) {
      const plain = await t.server.validateBearerAuthorization(header, { requiredScopes });
      const web = await t.server.validateBearerToken(new Request(RESOURCE, header === undefined ? {} : { headers: { Authorization: header } }), { requiredScopes });
      if (!(web instanceof Response) || !("status" in plain)) throw new Error("expected refusals");
      const headers: Record<string, string> = {};
      web.headers.forEach((value, name) => (headers[name] = value));
      expect({ status: plain.status, headers: Object.fromEntries(Object.entries(plain.headers).map(([k, v]) => [k.toLowerCase(), v])), body: plain.body }).toEqual({
        status: web.status,
        headers,
        body: await web.text(),
      });
    }
  });

  it("the standalone function checks the audience and reports a failing store as 500 without rejecting", async () => {
    const t = await start();
    const options = { storage: t.storage, resource: "https://other.example.com/api", now: t.clock.now, hash: nodeHashToken };
    expect(await validateBearerAuthorization(`Bearer ${t.accessToken}`, options)).toMatchObject({ status: 401 });
    expect(() => validateBearerAuthorization("Bearer x", { storage: t.storage, resource: "" })).toThrow(TypeError);
    const reported: unknown[] = [];
    const failing = {
      storage: { getAccessToken: () => Promise.reject(new Error("store down")) },
      resource: RESOURCE,
      onError: (error: unknown, request: Request) => reported.push([error, request.url]),
    };
    const result = await validateBearerAuthorization("Bearer abc", failing);
    expect(result).toMatchObject({ status: 500, body: JSON.stringify({ error: "server_error", error_description: "The server encountered an unexpected error." }) });
    expect(reported).toEqual([[new Error("store down"), RESOURCE]]);
    // The Request form answers the same.
    const web = await validateBearerToken(new Request(RESOURCE, { headers: { Authorization: "Bearer abc" } }), { ...failing, onError: () => undefined });
    expect((web as Response).status).toBe(500);
  });
});

describe("authenticateNodeRequest: a protected node:http route", () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  it("lets a valid token through and writes the challenge otherwise", async () => {
    const t = await start();
    const server = createServer(async (req, res) => {
      const token = await authenticateNodeRequest(t.server, req, res, { requiredScopes: ["read"] });
      if (token === null) return;
      res.end(`hello ${token.subject}`);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;

    const ok = await fetch(url, { headers: { Authorization: `Bearer ${t.accessToken}` } });
    expect([ok.status, await ok.text()]).toEqual([200, "hello user-1"]);
    const missing = await fetch(url);
    expect([missing.status, missing.headers.get("www-authenticate"), await missing.text()]).toEqual([401, `Bearer scope="read", resource_metadata="${METADATA}"`, ""]);
    const malformed = await fetch(url, { headers: { Authorization: "Bearer a b" } });
    expect([malformed.status, (await malformed.json()).error]).toEqual([400, "invalid_request"]);
    t.clock.advance(3601);
    const expired = await fetch(url, { headers: { Authorization: `Bearer ${t.accessToken}` } });
    expect([expired.status, (await expired.json()).error]).toEqual([401, "invalid_token"]);
  });
});
