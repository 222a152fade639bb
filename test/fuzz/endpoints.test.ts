/**
 * The endpoints under generated requests: authorization query strings (RFC 6749 §4.1.1), token
 * request bodies (§3.2, §4.1.3, §6), registration JSON (RFC 7591 §3) and client ID metadata
 * documents. Every answer is RFC-shaped and 4xx (or a success); none is a 500 or a rejection.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isOAuthError } from "../../src/index.js";
import { ISSUER, RFC7636_CHALLENGE, RFC7636_VERIFIER, authorizeUrl, basicAuth, createTestServer, registerClient } from "../support/fixtures.js";
import { RFC_ERROR_CODES, anyText, expectErrorResponse, hostileText, syntaxText } from "./support.js";

/** A value that is sometimes right, sometimes nearly right, mostly wrong. */
function valueFrom(...good: string[]) {
  return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: hostileText }, { weight: 1, arbitrary: fc.constant("") });
}

/** Parameters in any order, some repeated, some raw (not percent-encoded at all). */
function query(params: fc.Arbitrary<[string, string]>) {
  return fc
    .tuple(fc.array(params, { maxLength: 9 }), fc.array(syntaxText, { maxLength: 2 }))
    .map(([pairs, raw]) => [...pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`), ...raw].join("&"));
}

describe("fuzz: authorization requests (RFC 6749 §4.1.1)", () => {
  it("answers any query string with a request, a 400 JSON error, or an error redirect to a registered URI (§4.1.2.1)", async () => {
    const t = createTestServer({ pkce: { methods: ["S256", "plain"], required: "public-clients" } });
    const pub = await registerClient(t.storage, { clientId: "pub", method: "none", redirectUris: ["https://client.example.com/cb", "http://127.0.0.1/cb"] });
    const conf = await registerClient(t.storage, { clientId: "conf", redirectUris: ["https://client.example.com/cb"], scope: "read" });
    const registered = [...pub.record.redirect_uris, ...conf.record.redirect_uris];
    const param = fc.oneof(
      fc.tuple(fc.constant("client_id"), valueFrom("pub", "conf", "https://app.example.com/client.json")),
      fc.tuple(fc.constant("redirect_uri"), valueFrom(...registered, "http://127.0.0.1:4711/cb", "https://client.example.com/cb/", "https://client.example.com:8080/cb")),
      fc.tuple(fc.constant("response_type"), valueFrom("code", "token", "code id_token")),
      fc.tuple(fc.constant("scope"), valueFrom("read", "read write", "offline_access", "admin")),
      fc.tuple(fc.constant("state"), anyText),
      fc.tuple(fc.constant("code_challenge"), valueFrom(RFC7636_CHALLENGE, RFC7636_VERIFIER)),
      fc.tuple(fc.constant("code_challenge_method"), valueFrom("S256", "plain", "s256")),
      fc.tuple(fc.constant("resource"), valueFrom("https://api.example.com/mcp", "https://other.example.com/api", "https://evil.example/")),
      fc.tuple(fc.constant("response_mode"), valueFrom("query", "fragment")),
      fc.tuple(hostileText, hostileText),
    );
    await fc.assert(
      fc.asyncProperty(query(param), fc.boolean(), async (q, post) => {
        const request = post
          ? new Request(`${ISSUER}/authorize`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: q })
          : new Request(`${ISSUER}/authorize?${q}`);
        const result = await t.server.parseAuthorizationRequest(request);
        if (!(result instanceof Response)) {
          expect(["pub", "conf"]).toContain(result.client.client_id);
          return;
        }
        if (result.status === 302) {
          // Only ever to a redirect URI the client registered (up to the loopback port).
          const location = new URL(result.headers.get("location")!);
          const target = `${location.origin}${location.pathname}`;
          expect(registered.some((uri) => uri === target || (uri.startsWith("http://127.0.0.1/") && location.hostname === "127.0.0.1"))).toBe(true);
          expect(RFC_ERROR_CODES.has(location.searchParams.get("error")!)).toBe(true);
          expect(location.searchParams.get("iss")).toBe(ISSUER);
          return;
        }
        await expectErrorResponse(result, [400]);
      }),
    );
  });
});

describe("fuzz: token requests (RFC 6749 §3.2, §5.2)", () => {
  it("answers any form body with a token or an RFC 6749 §5.2 error, never a 500", async () => {
    const t = createTestServer();
    const conf = await registerClient(t.storage, { clientId: "conf", secret: "conf-secret", grantTypes: ["authorization_code", "refresh_token", "client_credentials"] });
    await registerClient(t.storage, { clientId: "pub", method: "none" });
    const param = fc.oneof(
      fc.tuple(fc.constant("grant_type"), valueFrom("authorization_code", "refresh_token", "client_credentials", "password")),
      fc.tuple(fc.constant("client_id"), valueFrom("pub", "conf")),
      fc.tuple(fc.constant("client_secret"), valueFrom("conf-secret")),
      fc.tuple(fc.constant("code"), hostileText),
      fc.tuple(fc.constant("refresh_token"), hostileText),
      fc.tuple(fc.constant("code_verifier"), valueFrom(RFC7636_VERIFIER)),
      fc.tuple(fc.constant("redirect_uri"), valueFrom(conf.record.redirect_uris[0]!)),
      fc.tuple(fc.constant("scope"), valueFrom("read", "read write", "admin")),
      fc.tuple(fc.constant("resource"), valueFrom("https://api.example.com/mcp", "https://evil.example/")),
      fc.tuple(hostileText, hostileText),
    );
    const authorization = fc.option(fc.oneof(fc.constant(basicAuth("conf", "conf-secret")), fc.constant(basicAuth("conf", "wrong")), fc.constant("Basic !!"), fc.constant("Bearer x")), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(query(param), authorization, async (body, auth) => {
        const request = new Request(`${ISSUER}/token`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", ...(auth === undefined ? {} : { Authorization: auth }) },
          body,
        });
        const response = await t.server.handleTokenRequest(request);
        expect(response.headers.get("cache-control")).toBe("no-store");
        if (response.status === 200) {
          expect((await response.json()).token_type).toBe("Bearer");
          return;
        }
        const error = await expectErrorResponse(response, [400, 401]);
        if (response.status === 401) expect(error.error).toBe("invalid_client");
      }),
    );
  });
});

describe("fuzz: dynamic client registration (RFC 7591 §3)", () => {
  it("answers any JSON with 201 or 400 invalid_client_metadata / invalid_redirect_uri, never a 500", async () => {
    const t = createTestServer({ endpoints: { registration: "/register" } });
    const uri = fc.oneof(fc.constantFrom("https://app.example.com/cb", "http://127.0.0.1/cb", "http://evil.example/cb", "javascript:alert(1)", "cursor://cb", "https://a#f"), hostileText);
    const metadata = fc.record(
      {
        redirect_uris: fc.oneof(fc.array(uri, { maxLength: 3 }), fc.jsonValue()),
        token_endpoint_auth_method: fc.oneof(fc.constantFrom("none", "client_secret_basic", "client_secret_post", "private_key_jwt"), fc.jsonValue()),
        grant_types: fc.oneof(fc.subarray(["authorization_code", "refresh_token", "client_credentials", "implicit", "password"]), fc.jsonValue()),
        response_types: fc.oneof(fc.subarray(["code", "token"]), fc.jsonValue()),
        scope: fc.oneof(fc.constantFrom("read", "read write", "admin"), hostileText, fc.jsonValue()),
        client_name: fc.oneof(anyText, fc.jsonValue()),
        client_uri: fc.oneof(fc.constantFrom("https://app.example.com", "ftp://x"), hostileText),
        contacts: fc.oneof(fc.array(anyText, { maxLength: 2 }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: metadata }, { weight: 1, arbitrary: fc.jsonValue() }), async (body) => {
        const response = await t.server.handleRegistrationRequest(
          new Request(`${ISSUER}/register`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
        );
        if (response.status === 201) {
          expect((await response.json()).client_id).toEqual(expect.any(String));
          return;
        }
        const error = await expectErrorResponse(response, [400]);
        expect(["invalid_client_metadata", "invalid_redirect_uri"]).toContain(error.error);
      }),
      { numRuns: 150 },
    );
  });

  it("refuses the same way through server.registerClient: only OAuthError is thrown", async () => {
    const t = createTestServer({ endpoints: { registration: "/register" } });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        try {
          await t.server.registerClient(body, new Request(`${ISSUER}/register`, { method: "POST" }));
        } catch (error) {
          expect(isOAuthError(error)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("fuzz: client ID metadata documents", () => {
  it("turns any fetched document into a client or a 400 invalid_client, never redirected", async () => {
    const CLIENT_ID = "https://app.example.com/oauth/client.json";
    const document = fc.record(
      {
        client_id: fc.oneof(fc.constant(CLIENT_ID), fc.jsonValue()),
        redirect_uris: fc.oneof(fc.constant(["http://127.0.0.1/cb"]), fc.array(hostileText, { maxLength: 2 }), fc.jsonValue()),
        token_endpoint_auth_method: fc.oneof(fc.constantFrom("none", "client_secret_basic", "private_key_jwt"), fc.jsonValue()),
        grant_types: fc.oneof(fc.constant(["authorization_code"]), fc.jsonValue()),
        client_secret: fc.string(),
        client_name: fc.oneof(anyText, fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof({ weight: 4, arbitrary: document.map((d) => JSON.stringify(d)) }, { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) }, { weight: 1, arbitrary: hostileText });
    const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "application/ld+json", "text/html");
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.constantFrom(200, 200, 200, 301, 404, 500), async (text, type, status) => {
        const fetch = async () => new Response(text, { status, headers: { "Content-Type": type } });
        const t = createTestServer({ clientIdMetadataDocuments: { fetch } });
        const result = await t.server.parseAuthorizationRequest(
          new Request(authorizeUrl({ response_type: "code", client_id: CLIENT_ID, redirect_uri: "http://127.0.0.1/cb", state: "s", code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
        );
        if (!(result instanceof Response)) {
          expect(result.client.client_id).toBe(CLIENT_ID);
          return;
        }
        expect(result.headers.get("location")).toBeNull();
        const error = await expectErrorResponse(result, [400]);
        expect(["invalid_client", "invalid_request"]).toContain(error.error);
      }),
      { numRuns: 150 },
    );
  });
});
