import { describe, expect, it } from "vitest";
import { type AuthorizationCodeRecord, type GrantRecord, type Storage, createMemoryStorage, generateToken, hashToken, refreshFamilyHash, hashTaggedToken } from "../../src/index.js";
import {
  ISSUER,
  REDIRECT_URI,
  RESOURCE,
  RFC7636_CHALLENGE,
  RFC7636_VERIFIER,
  authorizeUrl,
  createTestServer,
  exchangeCode,
  formRequest,
  obtainCode,
  registerClient,
  tokenRequest,
} from "../support/fixtures.js";

const bearer = (token: string) => new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } });

describe("authorization_code grant (RFC 6749 §4.1.3)", () => {
  it.each(["client_secret_basic", "client_secret_post", "none"] as const)("exchanges a code for tokens with %s (RFC 6749 §5.1)", async (method) => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage, { method });
    const response = await exchangeCode(server, client, await obtainCode(server, client));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = await response.json();
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]{43}$/),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "read write",
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/),
    });
  });

  it("stores tokens only as hashes", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    const body = await (await exchangeCode(server, client, await obtainCode(server, client))).json();
    expect(await storage.getAccessToken(body.access_token)).toBeNull();
    expect(await storage.getAccessToken(hashTaggedToken(body.access_token))).not.toBeNull();
    expect(await storage.getGrantByRefreshFamily(body.refresh_token)).toBeNull();
    const stored = JSON.stringify(await storage.getGrantByRefreshFamily(refreshFamilyHash(body.refresh_token)));
    expect(stored).not.toContain(body.refresh_token);
    // Nor its family: the store keys the grant by the family's hash (docs/security.md).
    expect(stored).not.toContain(body.refresh_token.slice(0, body.refresh_token.lastIndexOf(".")));
    expect(stored).toContain(refreshFamilyHash(body.refresh_token));
  });

  it("binds the audience of the token to the resource (RFC 8707 §2.2) and hands props back", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    const code = await obtainCode(server, client, { resource: ["https://other.example.com/api"], props: { upstream: "u-token" } });
    const body = await (await exchangeCode(server, client, code)).json();
    const info = await server.validateBearerToken(bearer(body.access_token), { resource: "https://other.example.com/api" });
    expect(info).toMatchObject({ audience: ["https://other.example.com/api"], props: { upstream: "u-token" }, subject: "user-1" });
  });

  it("narrows the audience with a resource parameter at the token endpoint, and refuses widening (RFC 8707 §2.2)", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    const both = [RESOURCE, "https://other.example.com/api"];
    const narrowed = await exchangeCode(server, client, await obtainCode(server, client, { resource: both }), { resource: RESOURCE });
    const info = await server.validateBearerToken(bearer((await narrowed.json()).access_token));
    expect(info).toMatchObject({ audience: [RESOURCE] });
    const wider = await exchangeCode(server, client, await obtainCode(server, client, { resource: [RESOURCE] }), { resource: "https://other.example.com/api" });
    expect(wider.status).toBe(400);
    expect((await wider.json()).error).toBe("invalid_target");
  });

  it("refuses a replayed code and revokes the tokens issued from it (RFC 6749 §4.1.2, RFC 9700 §4.2.4)", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    const code = await obtainCode(server, client);
    const first = await (await exchangeCode(server, client, code)).json();
    expect(await server.validateBearerToken(bearer(first.access_token))).not.toBeInstanceOf(Response);

    const replay = await exchangeCode(server, client, code);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    const after = await server.validateBearerToken(bearer(first.access_token));
    expect(after).toBeInstanceOf(Response);
    expect((after as Response).status).toBe(401);
    expect(await storage.getGrantByRefreshFamily(refreshFamilyHash(first.refresh_token))).toBeNull();
  });

  it("yields exactly one success for 20 parallel redemptions of one code (RFC 6749 §4.1.2)", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    const code = await obtainCode(server, client);
    const responses = await Promise.all(Array.from({ length: 20 }, () => exchangeCode(server, client, code)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    for (const response of responses.filter((r) => r.status === 400)) expect((await response.json()).error).toBe("invalid_grant");
  });

  it("a replay whose revocation lands before the first use's createGrant: both are invalid_grant, no token is issued (RFC 6749 §4.1.2)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    // The first use's createGrant waits until the replay has revoked the grant.
    let revoked!: () => void;
    const revocation = new Promise<void>((resolve) => (revoked = resolve));
    const saved: AuthorizationCodeRecord[] = [];
    const revocations: Array<{ grantId: string; until: number | undefined }> = [];
    const created: boolean[] = [];
    const storage: Storage = {
      ...t.storage,
      saveAuthorizationCode: async (record) => (saved.push(record), t.storage.saveAuthorizationCode(record)),
      createGrant: async (grant, token) => {
        await revocation;
        const result = await t.storage.createGrant(grant, token);
        created.push(result);
        return result;
      },
      revokeGrant: async (grantId, options) => {
        revocations.push({ grantId, until: options?.until });
        await t.storage.revokeGrant(grantId, options);
        revoked();
      },
    };
    const config = { storage, now: t.clock.now, refreshTokens: { absoluteLifetime: 1000 }, accessTokenLifetime: 300 };
    const { server } = createTestServer(config);
    const code = await obtainCode(server, client);
    const first = exchangeCode(server, client, code);
    const replay = await exchangeCode(server, client, code);
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe("invalid_grant");
    const response = await first;
    expect(response.status).toBe(400);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
    expect(created).toEqual([false]);
    // The tombstone outlives any grant the first use could create: code expiry + longest lifetime + 60 s skew.
    expect(revocations).toEqual([{ grantId: saved[0]!.grantId, until: saved[0]!.expiresAt + 1000 + 60 }]);
  });

  it("refuses a code issued to another client (RFC 6749 §4.1.3)", async () => {
    const { server, storage } = createTestServer();
    const alice = await registerClient(storage);
    const mallory = await registerClient(storage);
    const code = await obtainCode(server, alice);
    const response = await exchangeCode(server, mallory, code);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("invalid_grant");
  });

  it("refuses a redirect_uri that differs from the authorization request's (RFC 6749 §4.1.3)", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage, { redirectUris: ["https://client.example.com/callback", "https://client.example.com/other"] });
    const wrong = await exchangeCode(server, client, await obtainCode(server, client), { redirect_uri: "https://client.example.com/other" });
    expect((await wrong.json()).error).toBe("invalid_grant");
    const missing = await server.handleTokenRequest(
      tokenRequest(client, { grant_type: "authorization_code", code: await obtainCode(server, client), code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" }),
    );
    expect((await missing.json()).error).toBe("invalid_grant");
  });

  describe("a loopback redirect URI must be the very one the code was issued for (RFC 6749 §4.1.3; the port exemption of RFC 8252 §7.3 is for /authorize)", () => {
    const SENT = "http://127.0.0.1:5555/cb";
    async function loopbackCode() {
      const { server, storage } = createTestServer();
      const client = await registerClient(storage, { redirectUris: ["http://127.0.0.1/cb"] });
      const code = await obtainCode(server, { ...client, record: { ...client.record, redirect_uris: [SENT] } });
      return { server, client, code };
    }

    it("accepts the URI sent at /authorize", async () => {
      const { server, client, code } = await loopbackCode();
      expect((await exchangeCode(server, client, code, { redirect_uri: SENT })).status).toBe(200);
    });

    it.each([
      ["the registered URI, without the port", "http://127.0.0.1/cb"],
      ["another port", "http://127.0.0.1:5556/cb"],
      ["127.1", "http://127.1:5555/cb"],
      ["a decimal IPv4", "http://2130706433:5555/cb"],
      ["a dot segment", "http://127.0.0.1:5555/x/../cb"],
      ["a trailing dot on the host", "http://127.0.0.1.:5555/cb"],
      ["an upper-case scheme", "HTTP://127.0.0.1:5555/cb"],
      ["backslashes", "http:\\\\127.0.0.1:5555\\cb"],
      ["localhost", "http://localhost:5555/cb"],
      ["a trailing slash", "http://127.0.0.1:5555/cb/"],
    ])("refuses %s with invalid_grant", async (_name, uri) => {
      const { server, client, code } = await loopbackCode();
      const response = await exchangeCode(server, client, code, { redirect_uri: uri });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: "invalid_grant", error_description: "The redirect_uri does not match the authorization request." });
    });
  });

  it("refuses an expired code; codes live 60 s by default and the lifetime is configurable", async () => {
    const { server, storage, clock } = createTestServer();
    const client = await registerClient(storage);
    const code = await obtainCode(server, client);
    clock.advance(60);
    const response = await exchangeCode(server, client, code);
    expect((await response.json()).error).toBe("invalid_grant");

    const longer = createTestServer({ authorizationCodeLifetime: 300 });
    const other = await registerClient(longer.storage);
    const later = await obtainCode(longer.server, other);
    longer.clock.advance(120);
    expect((await exchangeCode(longer.server, other, later)).status).toBe(200);
  });

  it("refuses an unknown code and a missing code", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    expect((await (await exchangeCode(server, client, "not-a-code")).json()).error).toBe("invalid_grant");
    const missing = await server.handleTokenRequest(tokenRequest(client, { grant_type: "authorization_code" }));
    expect(await missing.json()).toMatchObject({ error: "invalid_request" });
  });

  it("issues no refresh token to a client not registered for refresh_token", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage, { grantTypes: ["authorization_code"] });
    const body = await (await exchangeCode(server, client, await obtainCode(server, client))).json();
    expect(body.refresh_token).toBeUndefined();
  });

  it("issues refresh tokens only with offline_access when so configured", async () => {
    const { server, storage } = createTestServer({ refreshTokens: { issue: "offline_access" } });
    const client = await registerClient(storage);
    const without = await (await exchangeCode(server, client, await obtainCode(server, client, { scope: "read" }))).json();
    expect(without.refresh_token).toBeUndefined();
    const withOffline = await (await exchangeCode(server, client, await obtainCode(server, client, { scope: "read offline_access" }))).json();
    expect(withOffline.refresh_token).toBeDefined();
  });

  it("uses the configured access token lifetime", async () => {
    const { server, storage } = createTestServer({ accessTokenLifetime: 600 });
    const client = await registerClient(storage);
    expect((await (await exchangeCode(server, client, await obtainCode(server, client))).json()).expires_in).toBe(600);
  });
});

describe("token endpoint dispatch (RFC 6749 §5.2)", () => {
  it("answers an unknown grant type with unsupported_grant_type", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    const response = await server.handleTokenRequest(tokenRequest(client, { grant_type: "password", username: "a", password: "b" }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("unsupported_grant_type");
  });

  it("answers a missing grant_type with invalid_request", async () => {
    const { server } = createTestServer();
    const response = await server.handleTokenRequest(formRequest(`${ISSUER}/token`, {}));
    expect((await response.json()).error).toBe("invalid_request");
  });

  it("answers a grant type the client is not registered for with unauthorized_client", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage, { grantTypes: ["authorization_code"] });
    const response = await server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials" }));
    expect((await response.json()).error).toBe("unauthorized_client");
  });

  it("answers a grant type the server turned off with unsupported_grant_type", async () => {
    const { server, storage } = createTestServer({ grantTypes: ["authorization_code", "refresh_token"] });
    const client = await registerClient(storage, { grantTypes: ["client_credentials"] });
    const response = await server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials" }));
    expect((await response.json()).error).toBe("unsupported_grant_type");
  });

  it("turns an unexpected storage failure into 500 server_error without detail, reported to onError", async () => {
    const reported: unknown[] = [];
    const t = createTestServer({ onError: (error) => reported.push(error) });
    const client = await registerClient(t.storage);
    const code = await obtainCode(t.server, client);
    t.storage.redeemAuthorizationCode = async () => {
      throw new Error("connection reset: secret-db-host:5432");
    };
    const response = await exchangeCode(t.server, client, code);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "server_error", error_description: "The server encountered an unexpected error." });
    expect(text).not.toContain("secret-db-host");
    expect(reported).toHaveLength(1);
  });
});

/**
 * A server whose store never expires anything on its own (its clock stands still while the
 * server's moves), so that the library's own expiry checks are what decides; and which records
 * every grant it is asked to create.
 */
function serverOverLenientStore(config: Parameters<typeof createTestServer>[0] = {}) {
  const storage = createMemoryStorage({ now: () => 1_800_000_000 });
  const grants: GrantRecord[] = [];
  const createGrant = storage.createGrant.bind(storage);
  storage.createGrant = async (grant, accessToken) => {
    grants.push(structuredClone(grant));
    return createGrant(grant, accessToken);
  };
  const t = createTestServer({ storage, ...config });
  return { ...t, storage, grants };
}

describe("authorization_code grant: the checks the library makes itself (RFC 6749 §4.1.3, RFC 7636 §4.6)", () => {
  it("refuses a code at its expiry even if the store still returns it (RFC 6749 §4.1.2: short-lived codes)", async () => {
    const t = serverOverLenientStore();
    const client = await registerClient(t.storage);
    const expired = await obtainCode(t.server, client);
    const fresh = await obtainCode(t.server, client);
    t.clock.advance(59);
    expect((await exchangeCode(t.server, client, fresh)).status).toBe(200);
    t.clock.advance(1);
    const response = await exchangeCode(t.server, client, expired);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_grant", error_description: "The authorization code is invalid or has expired." });
    expect(t.grants).toHaveLength(1);
  });

  it("requires redirect_uri when the authorization request had one, even for a client with one URI (RFC 6749 §4.1.3)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const send = async (redirect: string | undefined) =>
      t.server.handleTokenRequest(
        tokenRequest(client, { grant_type: "authorization_code", code: await obtainCode(t.server, client), redirect_uri: redirect, code_verifier: RFC7636_VERIFIER }),
      );
    const missing = await send(undefined);
    expect(missing.status).toBe(400);
    expect((await missing.json()).error_description).toBe("The redirect_uri parameter is required: it was in the authorization request.");
    expect((await send(client.record.redirect_uris[0])).status).toBe(200);
  });

  it("accepts a code requested without redirect_uri with or without it, but never another one (RFC 6749 §4.1.3)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { method: "none" });
    const code = async () => {
      const parsed = await t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
      if (parsed instanceof Response) throw new Error("refused");
      const redirect = await t.server.issueAuthorizationCode(parsed, { subject: "u" });
      return new URL(redirect.headers.get("location")!).searchParams.get("code")!;
    };
    const send = async (redirect: string | undefined) =>
      t.server.handleTokenRequest(tokenRequest(client, { grant_type: "authorization_code", code: await code(), redirect_uri: redirect, code_verifier: RFC7636_VERIFIER }));
    expect((await send(undefined)).status).toBe(200);
    expect((await send(REDIRECT_URI)).status).toBe(200);
    const other = await send("https://client.example.com/other");
    expect(other.status).toBe(400);
    expect(await other.json()).toEqual({ error: "invalid_grant", error_description: "The redirect_uri does not match the authorization request." });
  });

  it("exchanges a code issued without PKCE, where the server allows that, without a code_verifier (OAuth 2.1 §4.1.1)", async () => {
    const t = createTestServer({ pkce: { required: "public-clients" } });
    const client = await registerClient(t.storage);
    const parsed = await t.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT_URI })),
    );
    if (parsed instanceof Response) throw new Error("refused");
    const code = new URL((await t.server.issueAuthorizationCode(parsed, { subject: "u" })).headers.get("location")!).searchParams.get("code")!;
    const response = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI }));
    expect(response.status).toBe(200);
  });

  it("refuses a code with a challenge when code_verifier is absent, and applies the code's own method (RFC 7636 §4.6)", async () => {
    const t = createTestServer({ pkce: { methods: ["S256", "plain"] } });
    const client = await registerClient(t.storage);
    const absent = await t.server.handleTokenRequest(
      tokenRequest(client, { grant_type: "authorization_code", code: await obtainCode(t.server, client), redirect_uri: REDIRECT_URI }),
    );
    expect(await absent.json()).toEqual({ error: "invalid_grant", error_description: "The code_verifier parameter is required (RFC 7636)." });

    // A plain challenge is the verifier itself: the verifier matches, its S256 transform does not.
    const plainCode = async () => {
      const parsed = await t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT_URI, code_challenge: RFC7636_VERIFIER, code_challenge_method: "plain" })),
      );
      if (parsed instanceof Response) throw new Error("refused");
      return new URL((await t.server.issueAuthorizationCode(parsed, { subject: "u" })).headers.get("location")!).searchParams.get("code")!;
    };
    expect((await exchangeCode(t.server, client, await plainCode(), { code_verifier: RFC7636_VERIFIER })).status).toBe(200);
    const hashed = await exchangeCode(t.server, client, await plainCode(), { code_verifier: RFC7636_CHALLENGE });
    expect(await hashed.json()).toEqual({ error: "invalid_grant", error_description: "The code_verifier does not match the code_challenge." });
  });

  it("creates the grant with the absolute lifetime, the first refresh token's idle expiry, and no key in the record", async () => {
    const t = serverOverLenientStore({ refreshTokens: { idleLifetime: 100, absoluteLifetime: 1000 } });
    const client = await registerClient(t.storage);
    const now = t.clock.now();
    const body = await (await exchangeCode(t.server, client, await obtainCode(t.server, client))).json();
    expect(t.grants).toHaveLength(1);
    expect(t.grants[0]).toMatchObject({ clientId: client.clientId, subject: "user-1", issuedAt: now, expiresAt: now + 1000, refresh: { tokenHash: hashToken(body.refresh_token), expiresAt: now + 100 } });
    expect(Object.keys(t.grants[0]!)).not.toContain("rotationKey");
    // The first refresh token's idle expiry is enforced, not only recorded (RFC 9700 §4.14.2).
    t.clock.advance(100);
    const late = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: body.refresh_token }));
    expect(late.status).toBe(400);
    expect((await late.json()).error).toBe("invalid_grant");
  });

  it("caps the first refresh token's idle expiry at the grant's end; the grace window's key stays out of the store", async () => {
    const rotationSecret = generateToken();
    const t = serverOverLenientStore({ refreshTokens: { idleLifetime: 500, absoluteLifetime: 200, gracePeriod: 10, rotationSecret } });
    const client = await registerClient(t.storage);
    const now = t.clock.now();
    await exchangeCode(t.server, client, await obtainCode(t.server, client));
    expect(t.grants[0]).toMatchObject({ expiresAt: now + 200, refresh: { expiresAt: now + 200 } });
    expect(JSON.stringify(t.grants[0])).not.toContain(rotationSecret);
    expect(Object.keys(t.grants[0]!)).not.toContain("rotationKey");
  });

  it("gives a grant without refresh token the access token's lifetime", async () => {
    const t = serverOverLenientStore({ accessTokenLifetime: 600 });
    const client = await registerClient(t.storage, { grantTypes: ["authorization_code"] });
    const now = t.clock.now();
    await exchangeCode(t.server, client, await obtainCode(t.server, client));
    expect(t.grants[0]).toMatchObject({ expiresAt: now + 600 });
    expect(t.grants[0]!.refresh).toBeUndefined();
  });
});

describe("authorization_code grant: exact refusals and the grant record (RFC 6749 §4.1.3, §5.2)", () => {
  const refusal = async (response: Response) => ({ status: response.status, body: await response.json() });

  it("names why a code was refused: unknown, replayed, another client's, a verifier without challenge", async () => {
    const t = createTestServer({ pkce: { required: "public-clients" } });
    const client = await registerClient(t.storage);
    const other = await registerClient(t.storage);
    const invalidGrant = (error_description: string) => ({ status: 400, body: { error: "invalid_grant", error_description } });
    expect(await refusal(await exchangeCode(t.server, client, "unknown-code"))).toEqual(invalidGrant("The authorization code is invalid or has expired."));
    const code = await obtainCode(t.server, client);
    await exchangeCode(t.server, client, code);
    expect(await refusal(await exchangeCode(t.server, client, code))).toEqual(invalidGrant("The authorization code has already been used."));
    expect(await refusal(await exchangeCode(t.server, other, await obtainCode(t.server, client)))).toEqual(invalidGrant("The authorization code was issued to another client."));
    const parsed = await t.server.parseAuthorizationRequest(new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, redirect_uri: REDIRECT_URI })));
    if (parsed instanceof Response) throw new Error("refused");
    const noChallenge = new URL((await t.server.issueAuthorizationCode(parsed, { subject: "u" })).headers.get("location")!).searchParams.get("code")!;
    expect(await refusal(await exchangeCode(t.server, client, noChallenge))).toEqual(
      invalidGrant("A code_verifier was sent, but the authorization request had no code_challenge."),
    );
  });

  it("creates exactly the grant the code describes, with props only when the approval had some", async () => {
    const t = serverOverLenientStore({ refreshTokens: { idleLifetime: 100, absoluteLifetime: 1000 } });
    const client = await registerClient(t.storage);
    const now = t.clock.now();
    const body = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
    expect(t.grants[0]).toStrictEqual({
      grantId: expect.any(String),
      clientId: client.clientId,
      subject: "user-1",
      scope: ["read"],
      resource: [RESOURCE],
      issuedAt: now,
      expiresAt: now + 1000,
      refresh: { tokenHash: hashToken(body.refresh_token), familyHash: refreshFamilyHash(body.refresh_token), expiresAt: now + 100 },
    });
    await exchangeCode(t.server, client, await obtainCode(t.server, client, { props: { tenant: "acme" } }));
    // Sealed at rest: the grant carries the ciphertext only, and bearer validation unseals it.
    expect(t.grants[1]?.props).toBeUndefined();
    expect(t.grants[1]?.sealedProps).toMatch(/^test\./);
    expect(JSON.stringify(t.grants[1])).not.toContain("acme");
  });

  it("does not fall back to the first registered URI once the client has several (RFC 6749 §4.1.3)", async () => {
    // The code was requested without redirect_uri while the client had one URI; it registers a
    // second before the exchange (RFC 7592): the code is bound to no URI the request can name.
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const parsed = await t.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
    );
    if (parsed instanceof Response) throw new Error("refused");
    const code = new URL((await t.server.issueAuthorizationCode(parsed, { subject: "u" })).headers.get("location")!).searchParams.get("code")!;
    await t.storage.updateClient({ ...client.record, redirect_uris: [REDIRECT_URI, "https://client.example.com/second"] });
    const response = await exchangeCode(t.server, client, code, { redirect_uri: REDIRECT_URI });
    expect(await refusal(response)).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "The redirect_uri does not match the authorization request." } });
  });
});

describe("authorization_code grant: a grant the store refuses to create (RFC 6749 §4.1.2)", () => {
  it("answers createGrant → false (the grant id was tombstoned by a replay) exactly as a replay: invalid_grant, already used", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const attempts: string[] = [];
    const storage: Storage = {
      ...t.storage,
      createGrant: async (grant) => (attempts.push(grant.grantId), false),
    };
    const { server } = createTestServer({ storage, now: t.clock.now });
    const response = await exchangeCode(server, client, await obtainCode(server, client));
    expect(response.status).toBe(400);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ error: "invalid_grant", error_description: "The authorization code has already been used." });
    expect(attempts).toHaveLength(1);
  });
});
