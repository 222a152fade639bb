import { describe, expect, it } from "vitest";
import { type AuthorizationCodeRecord, type Storage, hashToken } from "../../src/index.js";
import {
  ISSUER,
  RESOURCE,
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
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "read write",
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it("stores tokens only as hashes", async () => {
    const { server, storage } = createTestServer();
    const client = await registerClient(storage);
    const body = await (await exchangeCode(server, client, await obtainCode(server, client))).json();
    expect(await storage.getAccessToken(body.access_token)).toBeNull();
    expect(await storage.getAccessToken(hashToken(body.access_token))).not.toBeNull();
    expect(await storage.getGrantByRefreshToken(body.refresh_token)).toBeNull();
    expect(JSON.stringify(await storage.getGrantByRefreshToken(hashToken(body.refresh_token)))).not.toContain(body.refresh_token);
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
    expect(await storage.getGrantByRefreshToken(hashToken(first.refresh_token))).toBeNull();
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
