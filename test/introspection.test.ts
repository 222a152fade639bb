import { describe, expect, it } from "vitest";
import { hashToken, hashTaggedToken } from "../src/index.js";
import {
  ISSUER,
  RESOURCE,
  basicAuth,
  createTestServer,
  exchangeCode,
  formRequest,
  obtainCode,
  registerClient,
  tokenRequest,
} from "./support/fixtures.js";

const RS_SECRET = "resource-server-secret";

async function start() {
  const t = createTestServer({
    introspectionCredentials: [{ id: "mcp-rs", secretHash: hashToken(RS_SECRET), resource: RESOURCE }],
  });
  const client = await registerClient(t.storage);
  const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client))).json();
  const introspect = async (token: string, auth: string, extra: Record<string, string> = {}) => {
    const response = await t.server.handleIntrospectionRequest(formRequest(`${ISSUER}/introspect`, { token, ...extra }, { Authorization: auth }));
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  return { ...t, client, tokens, introspect, clientAuth: basicAuth(client.clientId, client.secret!), rsAuth: basicAuth("mcp-rs", RS_SECRET) };
}

describe("token introspection (RFC 7662)", () => {
  it("describes an active access token (RFC 7662 §2.2)", async () => {
    const t = await start();
    const result = await t.introspect(t.tokens.access_token, t.rsAuth);
    expect(result.status).toBe(200);
    expect(result.headers.get("cache-control")).toBe("no-store");
    expect(result.body).toEqual({
      active: true,
      scope: "read write",
      client_id: t.client.clientId,
      sub: "user-1",
      subject_type: "user",
      aud: RESOURCE,
      iss: ISSUER,
      exp: t.clock.now() + 3600,
      iat: t.clock.now(),
      token_type: "Bearer",
    });
  });

  it("lets a registered client introspect its own tokens, including its refresh token", async () => {
    const t = await start();
    expect((await t.introspect(t.tokens.access_token, t.clientAuth)).body.active).toBe(true);
    const refresh = await t.introspect(t.tokens.refresh_token, t.clientAuth, { token_type_hint: "refresh_token" });
    expect(refresh.body).toMatchObject({ active: true, token_type: "refresh_token", client_id: t.client.clientId, subject_type: "user" });
  });

  it("marks a client_credentials token with subject_type client, its sub being the client (RFC 7662 §2.2 extension)", async () => {
    const t = await start();
    const service = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const issued = await (await t.server.handleTokenRequest(tokenRequest(service, { grant_type: "client_credentials", scope: "read" }))).json();
    const result = await t.introspect(issued.access_token, t.rsAuth);
    expect(result.body).toEqual({
      active: true,
      scope: "read",
      client_id: service.clientId,
      sub: service.clientId,
      subject_type: "client",
      aud: RESOURCE,
      iss: ISSUER,
      exp: t.clock.now() + 3600,
      iat: t.clock.now(),
      token_type: "Bearer",
    });
  });

  it("answers subject_type user for an access token stored before subject types were recorded", async () => {
    const t = await start();
    const record = (await t.storage.getAccessToken(hashTaggedToken(t.tokens.access_token)))!;
    const { subjectType, ...legacy } = record;
    expect(subjectType).toBe("user");
    await t.storage.revokeAccessToken(record.tokenHash);
    await t.storage.saveAccessToken({ ...legacy, tokenHash: hashToken("legacy-token") });
    expect((await t.introspect("legacy-token", t.rsAuth)).body).toMatchObject({ active: true, sub: "user-1", subject_type: "user" });
  });

  it("answers only {active:false} for another client's token", async () => {
    const t = await start();
    const other = await registerClient(t.storage);
    expect((await t.introspect(t.tokens.access_token, basicAuth(other.clientId, other.secret!))).body).toEqual({ active: false });
  });

  it("answers only {active:false} for unknown, expired and revoked tokens (RFC 7662 §2.2)", async () => {
    const t = await start();
    expect((await t.introspect("unknown", t.rsAuth)).body).toEqual({ active: false });
    await t.server.handleRevocationRequest(formRequest(`${ISSUER}/revoke`, { token: t.tokens.access_token }, { Authorization: t.clientAuth }));
    expect((await t.introspect(t.tokens.access_token, t.rsAuth)).body).toEqual({ active: false });
    const fresh = await (await exchangeCode(t.server, t.client, await obtainCode(t.server, t.client))).json();
    t.clock.advance(3600);
    expect((await t.introspect(fresh.access_token, t.rsAuth)).body).toEqual({ active: false });
  });

  it("answers {active:false} for a rotated-out refresh token", async () => {
    const t = await start();
    await t.server.handleTokenRequest(
      formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: t.tokens.refresh_token }, { Authorization: t.clientAuth }),
    );
    expect((await t.introspect(t.tokens.refresh_token, t.clientAuth)).body).toEqual({ active: false });
  });

  it("restricts a resource-server credential to tokens for its resource", async () => {
    const t = await start();
    const elsewhere = await (await exchangeCode(t.server, t.client, await obtainCode(t.server, t.client, { resource: ["https://other.example.com/api"] }))).json();
    expect((await t.introspect(elsewhere.access_token, t.rsAuth)).body).toEqual({ active: false });
  });

  it("answers unauthenticated callers with 401 invalid_client (RFC 7662 §2.1)", async () => {
    const t = await start();
    const none = await t.server.handleIntrospectionRequest(formRequest(`${ISSUER}/introspect`, { token: t.tokens.access_token }));
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Basic");
    expect((await t.introspect(t.tokens.access_token, basicAuth("mcp-rs", "wrong"))).status).toBe(401);
  });

  it("refuses public clients, which cannot authenticate", async () => {
    const t = await start();
    const pub = await registerClient(t.storage, { method: "none" });
    const response = await t.server.handleIntrospectionRequest(formRequest(`${ISSUER}/introspect`, { token: t.tokens.access_token, client_id: pub.clientId }));
    expect(response.status).toBe(401);
  });

  it("answers a missing token with invalid_request", async () => {
    const t = await start();
    const response = await t.server.handleIntrospectionRequest(formRequest(`${ISSUER}/introspect`, {}, { Authorization: t.rsAuth }));
    expect(response.status).toBe(400);
  });
});
