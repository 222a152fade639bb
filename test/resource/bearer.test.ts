import { afterEach, describe, expect, it, vi } from "vitest";
import { type AccessTokenRecord, createMemoryStorage, generateToken, hashToken, validateBearerAuthorization, validateBearerToken } from "../../src/index.js";
import {
  RESOURCE,
  createTestServer,
  exchangeCode,
  obtainCode,
  registerClient,
  tokenRequest,
} from "../support/fixtures.js";

const METADATA = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

async function start(config: Parameters<typeof createTestServer>[0] = {}) {
  const t = createTestServer(config);
  const client = await registerClient(t.storage);
  const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
  const validate = (headers: Record<string, string>, options = {}) =>
    t.server.validateBearerToken(new Request(RESOURCE, { headers }), options);
  return { ...t, client, tokens, validate };
}

async function refusal(result: unknown) {
  expect(result).toBeInstanceOf(Response);
  const response = result as Response;
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get("www-authenticate"), body: text === "" ? null : JSON.parse(text) };
}

describe("bearer token validation (RFC 6750, RFC 9728 §5.1)", () => {
  it("returns subject, client, scope, audience and props for a valid token", async () => {
    const t = await start();
    const result = await t.validate({ Authorization: `Bearer ${t.tokens.access_token}` });
    expect(result).toEqual({
      subject: "user-1",
      subjectType: "user",
      clientId: t.client.clientId,
      scope: ["read"],
      audience: [RESOURCE],
      props: undefined,
      propsVersion: 0,
      expiresAt: t.clock.now() + 3600,
      grantId: expect.any(String),
    });
  });

  it("accepts the scheme case-insensitively (RFC 7235 §2.1)", async () => {
    const t = await start();
    expect(await t.validate({ Authorization: `bearer ${t.tokens.access_token}` })).not.toBeInstanceOf(Response);
  });

  it("answers a request without credentials with 401 and a challenge without error code (RFC 6750 §3.1)", async () => {
    const t = await start();
    const result = await refusal(await t.validate({}));
    expect(result).toEqual({ status: 401, challenge: `Bearer resource_metadata="${METADATA}"`, body: null });
  });

  it("ignores tokens in the query string (OAuth 2.1 §5.2)", async () => {
    const t = await start();
    const result = await t.server.validateBearerToken(new Request(`${RESOURCE}?access_token=${t.tokens.access_token}`));
    expect((await refusal(result)).status).toBe(401);
  });

  it("treats another scheme as no credentials", async () => {
    const t = await start();
    expect((await refusal(await t.validate({ Authorization: "Basic Zm9vOmJhcg==" }))).challenge).toBe(`Bearer resource_metadata="${METADATA}"`);
  });

  it("answers a malformed header with 400 invalid_request (RFC 6750 §3.1)", async () => {
    const t = await start();
    const result = await refusal(await t.validate({ Authorization: "Bearer a b c" }));
    expect(result.status).toBe(400);
    expect(result.challenge).toBe(`Bearer error="invalid_request", error_description="The Authorization header is malformed.", resource_metadata="${METADATA}"`);
    expect(result.body.error).toBe("invalid_request");
  });

  it("answers an unknown token with 401 invalid_token, error_description and resource_metadata", async () => {
    const t = await start();
    const result = await refusal(await t.validate({ Authorization: "Bearer unknown-token" }));
    expect(result.status).toBe(401);
    expect(result.challenge).toBe(
      `Bearer error="invalid_token", error_description="The access token is invalid or has expired.", resource_metadata="${METADATA}"`,
    );
  });

  it("answers an expired token with 401 invalid_token", async () => {
    const t = await start();
    t.clock.advance(3600);
    expect((await refusal(await t.validate({ Authorization: `Bearer ${t.tokens.access_token}` }))).challenge).toContain('error="invalid_token"');
  });

  it("refuses a token issued for another resource (RFC 8707, MCP audience validation)", async () => {
    const t = await start();
    const result = await refusal(await t.validate({ Authorization: `Bearer ${t.tokens.access_token}` }, { resource: "https://other.example.com/api" }));
    expect(result.status).toBe(401);
    expect(result.challenge).toContain('error="invalid_token"');
    expect(result.challenge).toContain('resource_metadata="https://other.example.com/.well-known/oauth-protected-resource/api"');
  });

  it("answers a missing scope with 403 insufficient_scope naming the scope (RFC 6750 §3.1)", async () => {
    const t = await start();
    const result = await refusal(await t.validate({ Authorization: `Bearer ${t.tokens.access_token}` }, { requiredScopes: ["read", "write"] }));
    expect(result.status).toBe(403);
    expect(result.challenge).toBe(
      `Bearer error="insufficient_scope", error_description="The access token lacks a required scope.", scope="read write", resource_metadata="${METADATA}"`,
    );
    expect(result.body).toEqual({ error: "insufficient_scope", error_description: "The access token lacks a required scope." });
  });

  it("answers a storage failure with 500 server_error instead of throwing, reported to the server's onError", async () => {
    const reported: unknown[] = [];
    const t = await start({ onError: (error) => reported.push(error) });
    const failure = new Error("db down");
    t.storage.getAccessToken = async () => {
      throw failure;
    };
    const result = await refusal(await t.validate({ Authorization: `Bearer ${t.tokens.access_token}` }));
    expect(result.status).toBe(500);
    expect(result.body).toEqual({ error: "server_error", error_description: "The server encountered an unexpected error." });
    expect(reported).toEqual([failure]);
  });

  it("on its own, answers a failing store with 500 server_error without detail and reports it to onError", async () => {
    const failure = new Error("db down at 10.0.0.7");
    const reported: unknown[] = [];
    const result = await validateBearerToken(new Request(RESOURCE, { headers: { Authorization: "Bearer tok" } }), {
      storage: { getAccessToken: async () => Promise.reject(failure) },
      resource: RESOURCE,
      onError: (error) => reported.push(error),
    });
    expect(result).toBeInstanceOf(Response);
    const response = result as Response;
    expect(response.status).toBe(500);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(JSON.parse(text).error).toBe("server_error");
    expect(text).not.toContain("10.0.0.7");
    expect(reported).toEqual([failure]);
  });

  it("is usable on its own over any store, with exactly one storage call", async () => {
    const storage = createMemoryStorage();
    let calls = 0;
    const now = Math.floor(Date.now() / 1000);
    await storage.createGrant(
      { grantId: "g", clientId: "c", subject: "s", scope: ["read"], resource: [RESOURCE], issuedAt: now, expiresAt: now + 60 },
      { tokenHash: hashToken("tok"), grantId: "g", clientId: "c", subject: "s", scope: ["read"], audience: [RESOURCE], issuedAt: now, expiresAt: now + 60 },
    );
    const counting = { getAccessToken: (hash: string) => (calls++, storage.getAccessToken(hash)) };
    const result = await validateBearerToken(new Request(RESOURCE, { headers: { Authorization: "Bearer tok" } }), {
      storage: counting,
      resource: RESOURCE,
      realm: "api",
    });
    expect(result).toMatchObject({ subject: "s" });
    expect(calls).toBe(1);
    const refused = await validateBearerToken(new Request(RESOURCE), { storage: counting, resource: RESOURCE, realm: "api" });
    expect((refused as Response).headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(calls).toBe(1);
  });
});

/** A token record as the store holds it, for the standalone function's tests. */
function storedToken(overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  const now = Math.floor(Date.now() / 1000);
  return { tokenHash: hashToken("tok"), grantId: "g", clientId: "c", subject: "s", scope: ["read"], audience: [RESOURCE], issuedAt: now, expiresAt: now + 60, ...overrides };
}

describe("client_credentials tokens are marked, and requireUser refuses them", () => {
  async function clientToken(config: Parameters<typeof createTestServer>[0] = {}) {
    const t = createTestServer(config);
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const body = await (await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", scope: "read" }))).json();
    return { ...t, client, token: body.access_token as string };
  }

  it("reports subjectType client for a client_credentials token, and lets it through without requireUser", async () => {
    const t = await clientToken();
    const info = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${t.token}` } }));
    expect(info).toMatchObject({ subject: t.client.clientId, subjectType: "client", clientId: t.client.clientId });
  });

  it("with requireUser, answers a client_credentials token 401 invalid_token, so the client runs the code flow (RFC 6750 §3.1)", async () => {
    const t = await clientToken();
    let calls = 0;
    const getAccessToken = t.storage.getAccessToken.bind(t.storage);
    t.storage.getAccessToken = (hash) => (calls++, getAccessToken(hash));
    const result = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${t.token}` } }), {
      requireUser: true,
      requiredScopes: ["read"],
    });
    expect(result).toBeInstanceOf(Response);
    const response = result as Response;
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="This resource requires a token issued for a user.", scope="read", ' +
        'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
    );
    expect(await response.json()).toEqual({ error: "invalid_token", error_description: "This resource requires a token issued for a user." });
    expect(calls).toBe(1);
  });

  it("with requireUser, accepts a user's token, from the code grant and from a refresh", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
    const refreshed = await (
      await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }))
    ).json();
    for (const token of [tokens.access_token, refreshed.access_token]) {
      const info = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } }), { requireUser: true });
      expect(info).toMatchObject({ subject: "user-1", subjectType: "user" });
    }
  });

  it("on its own: requireUser refuses a client token; a record stored without subjectType counts as a user's", async () => {
    const request = new Request(RESOURCE, { headers: { Authorization: "Bearer tok" } });
    const client = await validateBearerToken(request, {
      storage: { getAccessToken: async () => storedToken({ subjectType: "client", subject: "c" }) },
      resource: RESOURCE,
      requireUser: true,
    });
    expect((client as Response).status).toBe(401);
    expect((client as Response).headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="This resource requires a token issued for a user."',
    );
    const legacy = await validateBearerToken(request, { storage: { getAccessToken: async () => storedToken() }, resource: RESOURCE, requireUser: true });
    expect(legacy).toMatchObject({ subject: "s", subjectType: "user" });
  });
});

describe("the audience is always checked (RFC 8707 §2)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("the standalone function refuses to run without a resource (TypeError); an empty audience passes no resource", async () => {
    const storage = { getAccessToken: async () => storedToken() };
    const request = new Request(RESOURCE, { headers: { Authorization: "Bearer tok" } });
    const message = "validateBearerToken: resource is required (the token's audience is always checked, RFC 8707).";
    expect(() => validateBearerToken(request, { storage } as never)).toThrow(new TypeError(message));
    expect(() => validateBearerToken(request, { storage, resource: "" })).toThrow(new TypeError(message));
    // With one, a token with an empty audience (not audience-restricted) passes no resource check.
    const result = await validateBearerToken(request, { storage: { getAccessToken: async () => storedToken({ audience: [] }) }, resource: RESOURCE });
    expect((result as Response).status).toBe(401);
    expect((result as Response).headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="The access token was not issued for this resource."',
    );
  });

  it("a server without resources needs the route's resource (TypeError naming resources), and then checks it", async () => {
    const t = createTestServer({ resources: undefined });
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const mint = async (resource?: string) =>
      (await (await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", resource }))).json()).access_token as string;
    const bearer = (token: string) => new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } });
    const forApi = await mint(RESOURCE);
    const message = "validateBearerToken needs a resource: configure resources, or pass { resource } for the route.";
    expect(() => t.server.validateBearerToken(bearer(forApi))).toThrow(new TypeError(message));
    expect(() => t.server.validateBearerToken(bearer(forApi), { resource: "" })).toThrow(new TypeError(message));
    expect(await t.server.validateBearerToken(bearer(forApi), { resource: RESOURCE })).toMatchObject({ audience: [RESOURCE] });
    // Minted for another resource, or with no audience at all (no resource asked for): refused.
    for (const token of [await mint("https://other.example.com/api"), await mint()]) {
      const refused = (await t.server.validateBearerToken(bearer(token), { resource: RESOURCE })) as Response;
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toContain('error_description="The access token was not issued for this resource."');
    }
  });

  it("on its own without onError, logs a failing store with console.error", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const failure = new Error("db down");
    const result = await validateBearerToken(new Request(`${RESOURCE}?access_token=secret`, { headers: { Authorization: "Bearer tok" } }), {
      storage: { getAccessToken: async () => Promise.reject(failure) },
      resource: RESOURCE,
    });
    expect((result as Response).status).toBe(500);
    expect(log.mock.calls).toEqual([[`oauthkit: unexpected error answering GET ${RESOURCE}:`, failure]]);
  });
});

describe("bearer validation: the checks the library makes itself (RFC 6750 §3.1)", () => {
  const NOW = 1_800_000_000;
  const record = { tokenHash: hashToken("tok"), grantId: "g", clientId: "c", subject: "s", scope: ["read", "write"], audience: [RESOURCE], issuedAt: NOW, expiresAt: NOW + 60 };
  // A store that returns the record whatever its expiry: the library's own clock check decides.
  const lenient = { getAccessToken: async (hash: string) => (hash === record.tokenHash ? { ...record } : null) };
  const validate = (authorization: string | undefined, options: Partial<Parameters<typeof validateBearerToken>[1]> = {}, at = NOW) =>
    validateBearerToken(new Request(RESOURCE, { headers: authorization === undefined ? {} : { Authorization: authorization } }), { storage: lenient, resource: RESOURCE, now: () => at, ...options });

  it("refuses a token at its expiry even if the store still returns it: 401 invalid_token", async () => {
    expect(await validate("Bearer tok", {}, NOW + 59)).toMatchObject({ subject: "s", expiresAt: NOW + 60 });
    const result = await refusal(await validate("Bearer tok", {}, NOW + 60));
    expect(result).toEqual({
      status: 401,
      challenge: 'Bearer error="invalid_token", error_description="The access token is invalid or has expired."',
      body: { error: "invalid_token", error_description: "The access token is invalid or has expired." },
    });
  });

  it("uses the system clock when none is given", async () => {
    const now = Math.floor(Date.now() / 1000);
    const live = { getAccessToken: async () => ({ ...record, expiresAt: now + 60 }) };
    const dead = { getAccessToken: async () => ({ ...record, expiresAt: now - 1 }) };
    const request = () => new Request(RESOURCE, { headers: { Authorization: "Bearer tok" } });
    expect(await validateBearerToken(request(), { storage: live, resource: RESOURCE })).toMatchObject({ subject: "s" });
    expect((await validateBearerToken(request(), { storage: dead, resource: RESOURCE })) as Response).toHaveProperty("status", 401);
  });

  it("returns exactly the token's information, and nothing else of the record", async () => {
    expect(await validate("Bearer tok", { resource: RESOURCE, requiredScopes: ["write"] })).toEqual({
      subject: "s",
      clientId: "c",
      scope: ["read", "write"],
      audience: [RESOURCE],
      props: undefined,
      propsVersion: 0,
      expiresAt: NOW + 60,
      grantId: "g",
      subjectType: "user",
    });
  });

  it("reads the token after any run of spaces, in any case of the scheme (RFC 6750 §2.1, RFC 9110 §11.1)", async () => {
    for (const header of ["Bearer tok", "bearer tok", "BEARER   tok", "Bearer tok  ", "bEaReR tok"]) {
      expect(await validate(header)).toMatchObject({ subject: "s" });
    }
  });

  it("answers a malformed or empty bearer credential with 400 invalid_request, and another scheme as no credentials", async () => {
    for (const header of ["Bearer a b", "Bearer tok=x", "Bearer =tok", "Bearer t\u00e9k", "bearer a,b"]) {
      const result = await refusal(await validate(header));
      expect(result).toEqual({
        status: 400,
        challenge: 'Bearer error="invalid_request", error_description="The Authorization header is malformed."',
        body: { error: "invalid_request", error_description: "The Authorization header is malformed." },
      });
    }
    // (A bare "Bearer " arrives as "Bearer": the Fetch API trims header values.)
    for (const header of ["Bearertok", "Bearerx", "bearer1", "Basic dG9rOg==", "Token tok", "Bearer", "Bearer "]) {
      expect(await refusal(await validate(header))).toEqual({ status: 401, challenge: "Bearer", body: null });
    }
  });

  it("accepts the b64token alphabet and trailing padding (RFC 6750 §2.1)", async () => {
    const token = "aZ09-._~+/==";
    const storage = { getAccessToken: async (hash: string) => (hash === hashToken(token) ? { ...record, tokenHash: hash } : null) };
    expect(await validate(`Bearer ${token}`, { storage })).toMatchObject({ subject: "s" });
  });

  it("checks the audience only when a resource is configured, and every required scope (RFC 8707 §2, RFC 6750 §3.1)", async () => {
    expect(await validate("Bearer tok")).toMatchObject({ subject: "s" });
    expect(await validate("Bearer tok", { resource: RESOURCE })).toMatchObject({ subject: "s" });
    const wrong = await refusal(await validate("Bearer tok", { resource: "https://other.example.com/api", realm: "api", resourceMetadataUrl: METADATA }));
    expect(wrong).toEqual({
      status: 401,
      challenge: `Bearer realm="api", error="invalid_token", error_description="The access token was not issued for this resource.", resource_metadata="${METADATA}"`,
      body: { error: "invalid_token", error_description: "The access token was not issued for this resource." },
    });
    expect(await validate("Bearer tok", { requiredScopes: ["read", "write"] })).toMatchObject({ subject: "s" });
    const missing = await refusal(await validate("Bearer tok", { requiredScopes: ["read", "admin"] }));
    expect(missing).toEqual({
      status: 403,
      challenge: 'Bearer error="insufficient_scope", error_description="The access token lacks a required scope.", scope="read admin"',
      body: { error: "insufficient_scope", error_description: "The access token lacks a required scope." },
    });
  });

  it("sends no-store and a JSON content type with every challenge", async () => {
    for (const result of [await validate(undefined), await validate("Bearer nope"), await validate("Bearer a b")]) {
      const response = result as Response;
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-type")).toBe("application/json");
    }
  });
});

describe("challenges MCP clients can act on (MCP 2026-07-28, RFC 9728 §5.1, RFC 6750 §3)", () => {
  const OTHER = "https://other.example.com/api";
  const OTHER_METADATA = "https://other.example.com/.well-known/oauth-protected-resource/api";

  it("a 401 is readable by browser-based clients: any origin, WWW-Authenticate exposed", async () => {
    const t = await start();
    const response = (await t.validate({})) as Response;
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toBe("WWW-Authenticate");
    const forbidden = (await t.validate({ Authorization: `Bearer ${t.tokens.access_token}` }, { requiredScopes: ["write"] })) as Response;
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("access-control-expose-headers")).toBe("WWW-Authenticate");
  });

  it("the first 401 names the route's scopes, so the client asks for them (RFC 6750 §3)", async () => {
    const t = await start();
    const result = await refusal(await t.validate({}, { requiredScopes: ["read", "write"] }));
    expect(result).toEqual({ status: 401, challenge: `Bearer scope="read write", resource_metadata="${METADATA}"`, body: null });
  });

  it("for a route on a resource that is not the first configured: its own resource_metadata, and scope on insufficient_scope", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const code = await obtainCode(t.server, client, { scope: "read", resource: [OTHER] });
    const tokens = await (await exchangeCode(t.server, client, code, { resource: OTHER })).json();
    const validate = (headers: Record<string, string>) =>
      t.server.validateBearerToken(new Request(OTHER, { headers }), { resource: OTHER, requiredScopes: ["write"] });
    expect(await refusal(await validate({}))).toEqual({
      status: 401,
      challenge: `Bearer scope="write", resource_metadata="${OTHER_METADATA}"`,
      body: null,
    });
    expect(await refusal(await validate({ Authorization: `Bearer ${tokens.access_token}` }))).toEqual({
      status: 403,
      challenge: `Bearer error="insufficient_scope", error_description="The access token lacks a required scope.", scope="write", resource_metadata="${OTHER_METADATA}"`,
      body: { error: "insufficient_scope", error_description: "The access token lacks a required scope." },
    });
    // And the metadata it names is served (RFC 9728 §3).
    const served = await t.server.handleRequest(new Request(OTHER_METADATA));
    expect((await served?.json()).resource).toBe(OTHER);
  });
});

describe("validateBearerAuthorization: the header value's answers as plain data (RFC 6750 §3, RFC 9728 §5.1)", () => {
  const NOW = 1_800_000_000;
  const record = { tokenHash: hashToken("tok"), grantId: "g", clientId: "c", subject: "s", scope: ["read"], audience: [RESOURCE], issuedAt: NOW, expiresAt: NOW + 60 };
  const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "WWW-Authenticate" };
  const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" };
  function store() {
    const looked: string[] = [];
    return { looked, getAccessToken: async (hash: string) => (looked.push(hash), hash === record.tokenHash ? { ...record } : null) };
  }
  const options = (storage: ReturnType<typeof store>, extra: Partial<Parameters<typeof validateBearerAuthorization>[1]> = {}) => ({
    storage,
    resource: RESOURCE,
    now: () => NOW,
    realm: "api",
    resourceMetadataUrl: METADATA,
    ...extra,
  });

  it("refuses to run without a resource: a TypeError naming the function, thrown synchronously (RFC 8707 §2)", () => {
    for (const resource of [undefined, ""]) {
      expect(() => validateBearerAuthorization("Bearer tok", { storage: store(), resource } as never)).toThrow(
        new TypeError("validateBearerAuthorization: resource is required (the token's audience is always checked, RFC 8707)."),
      );
    }
  });

  it("returns the token's information for a valid token, in one storage call", async () => {
    const storage = store();
    expect(await validateBearerAuthorization("Bearer tok", options(storage, { requiredScopes: ["read"] }))).toMatchObject({ subject: "s", clientId: "c", grantId: "g" });
    expect(storage.looked).toEqual([hashToken("tok")]);
  });

  it("no header: 401, a challenge without error code naming realm, scope and resource_metadata, no body, readable cross-origin (RFC 6750 §3, RFC 9728 §5.1)", async () => {
    for (const missing of [undefined, null]) {
      const storage = store();
      expect(await validateBearerAuthorization(missing, options(storage, { requiredScopes: ["read", "write"] }))).toEqual({
        status: 401,
        headers: {
          "WWW-Authenticate": `Bearer realm="api", scope="read write", resource_metadata="${METADATA}"`,
          "Content-Type": "application/json",
          "Cache-Control": "no-store",
          ...CORS,
        },
        body: "",
      });
      expect(storage.looked).toEqual([]);
    }
  });

  it("an unknown token: 401 invalid_token with the JSON error, and the challenge readable cross-origin (RFC 6750 §3.1, RFC 9728 §5.1)", async () => {
    expect(await validateBearerAuthorization("Bearer unknown", options(store(), { requiredScopes: ["read"] }))).toEqual({
      status: 401,
      headers: {
        ...JSON_HEADERS,
        "WWW-Authenticate": `Bearer realm="api", error="invalid_token", error_description="The access token is invalid or has expired.", scope="read", resource_metadata="${METADATA}"`,
        ...CORS,
      },
      body: JSON.stringify({ error: "invalid_token", error_description: "The access token is invalid or has expired." }),
    });
  });

  it("a token lacking a scope: 403 insufficient_scope naming the route's scope, readable cross-origin (RFC 6750 §3.1)", async () => {
    expect(await validateBearerAuthorization("Bearer tok", options(store(), { requiredScopes: ["read", "admin"] }))).toEqual({
      status: 403,
      headers: {
        ...JSON_HEADERS,
        "WWW-Authenticate": `Bearer realm="api", error="insufficient_scope", error_description="The access token lacks a required scope.", scope="read admin", resource_metadata="${METADATA}"`,
        ...CORS,
      },
      body: JSON.stringify({ error: "insufficient_scope", error_description: "The access token lacks a required scope." }),
    });
  });

  it("a malformed credential: 400 invalid_request, readable cross-origin (RFC 6750 §3.1)", async () => {
    const storage = store();
    expect(await validateBearerAuthorization("Bearer a b", options(storage))).toEqual({
      status: 400,
      headers: {
        ...JSON_HEADERS,
        "WWW-Authenticate": `Bearer realm="api", error="invalid_request", error_description="The Authorization header is malformed.", resource_metadata="${METADATA}"`,
        ...CORS,
      },
      body: JSON.stringify({ error: "invalid_request", error_description: "The Authorization header is malformed." }),
    });
    expect(storage.looked).toEqual([]);
  });

  it("another scheme is no bearer credential even when its value ends in \"Bearer \" (RFC 6750 §2.1): a bare 401, no lookup", async () => {
    // The header value as a framework hands it over, untrimmed (the Fetch API would trim it).
    for (const header of ["Basic Bearer ", "Token xBearer "]) {
      const storage = store();
      const result = await validateBearerAuthorization(header, options(storage, { realm: undefined, resourceMetadataUrl: undefined }));
      expect(result).toEqual({ status: 401, headers: { "WWW-Authenticate": "Bearer", "Content-Type": "application/json", "Cache-Control": "no-store", ...CORS }, body: "" });
      expect(storage.looked).toEqual([]);
    }
  });

  it("an empty list of required scopes names no scope in the challenge (RFC 6750 §3: scope only when there is one)", async () => {
    const missing = await validateBearerAuthorization(undefined, options(store(), { requiredScopes: [] }));
    expect("status" in missing && missing.headers["WWW-Authenticate"]).toBe(`Bearer realm="api", resource_metadata="${METADATA}"`);
    const unknown = await validateBearerAuthorization("Bearer unknown", options(store(), { requiredScopes: [] }));
    expect("status" in unknown && unknown.headers["WWW-Authenticate"]).toBe(
      `Bearer realm="api", error="invalid_token", error_description="The access token is invalid or has expired.", resource_metadata="${METADATA}"`,
    );
    expect(await validateBearerAuthorization("Bearer tok", options(store(), { requiredScopes: [] }))).toMatchObject({ subject: "s" });
  });

  it("a failing store: 500 server_error without detail (RFC 6749 §5.2), reported to onError with a GET of the resource as the request", async () => {
    const failure = new Error("db down");
    const reported: [unknown, Request][] = [];
    const result = await validateBearerAuthorization("Bearer tok", {
      storage: { getAccessToken: async () => Promise.reject(failure) },
      resource: RESOURCE,
      onError: (error, request) => void reported.push([error, request]),
    });
    expect(result).toEqual({
      status: 500,
      headers: JSON_HEADERS,
      body: JSON.stringify({ error: "server_error", error_description: "The server encountered an unexpected error." }),
    });
    expect(reported).toHaveLength(1);
    expect(reported[0]![0]).toBe(failure);
    expect(reported[0]![1].method).toBe("GET");
    expect(reported[0]![1].url).toBe(RESOURCE);
  });
});

describe("bearer validation answers as Responses: a challenge without error code has no body at all (RFC 6750 §3.1)", () => {
  it("a 401 without credentials has a null body; one with an error carries its JSON", async () => {
    const storage = { getAccessToken: async () => null };
    const bare = (await validateBearerToken(new Request(RESOURCE), { storage, resource: RESOURCE })) as Response;
    expect(bare.status).toBe(401);
    expect(bare.body).toBeNull();
    const refused = (await validateBearerToken(new Request(RESOURCE, { headers: { Authorization: "Bearer unknown" } }), { storage, resource: RESOURCE })) as Response;
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "invalid_token", error_description: "The access token is invalid or has expired." });
  });

  it("sealed props no configured key opens: 500 server_error without detail, reported, never the token's information", async () => {
    const NOW = 1_800_000_000;
    const sealed = { tokenHash: hashToken("tok"), grantId: "g", clientId: "c", subject: "s", scope: [], audience: [RESOURCE], issuedAt: NOW, expiresAt: NOW + 60, sealedProps: "gone.AAAAAAAAAAAAAAAA.AAAA" };
    const reported: unknown[] = [];
    const result = (await validateBearerToken(new Request(RESOURCE, { headers: { Authorization: "Bearer tok" } }), {
      storage: { getAccessToken: async () => sealed },
      resource: RESOURCE,
      now: () => NOW,
      props: { keys: [{ id: "k", key: generateToken() }] },
      onError: (error) => void reported.push(error),
    })) as Response;
    expect(result.status).toBe(500);
    expect(result.headers.get("www-authenticate")).toBeNull();
    expect(await result.json()).toEqual({ error: "server_error", error_description: "The server encountered an unexpected error." });
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).message).toMatch(/^oauthkit: the grant's sealed props could not be unsealed/);
  });
});
