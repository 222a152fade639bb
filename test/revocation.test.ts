import { describe, expect, it } from "vitest";
import { refreshFamilyHash } from "../src/index.js";
import {
  ISSUER,
  RESOURCE,
  type TestClient,
  type TestServer,
  basicAuth,
  createTestServer,
  exchangeCode,
  formRequest,
  obtainCode,
  registerClient,
} from "./support/fixtures.js";

async function start() {
  const t = createTestServer();
  const client = await registerClient(t.storage);
  const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client))).json();
  return { ...t, client, tokens };
}

function revoke(t: TestServer, client: TestClient, body: Record<string, string>) {
  return t.server.handleRevocationRequest(formRequest(`${ISSUER}/revoke`, body, { Authorization: basicAuth(client.clientId, client.secret!) }));
}

async function active(t: TestServer, token: string) {
  return !((await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } }))) instanceof Response);
}

describe("token revocation (RFC 7009)", () => {
  it("revokes an access token, and only that token (RFC 7009 §2.1)", async () => {
    const t = await start();
    const response = await revoke(t, t.client, { token: t.tokens.access_token, token_type_hint: "access_token" });
    expect(response.status).toBe(200);
    expect(await active(t, t.tokens.access_token)).toBe(false);
    // The refresh token of the grant still works.
    expect(await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token))).not.toBeNull();
  });

  it("revokes the whole grant when given a refresh token (RFC 7009 §2.1)", async () => {
    const t = await start();
    const response = await revoke(t, t.client, { token: t.tokens.refresh_token, token_type_hint: "refresh_token" });
    expect(response.status).toBe(200);
    expect(await active(t, t.tokens.access_token)).toBe(false);
    expect(await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token))).toBeNull();
  });

  it("honours token_type_hint without trusting it (RFC 7009 §2.1)", async () => {
    const t = await start();
    // The hint says access token, but it is a refresh token: it is still found and revoked.
    expect((await revoke(t, t.client, { token: t.tokens.refresh_token, token_type_hint: "access_token" })).status).toBe(200);
    expect(await active(t, t.tokens.access_token)).toBe(false);
  });

  it("ignores an unknown hint value (RFC 7009 §2.1)", async () => {
    const t = await start();
    expect((await revoke(t, t.client, { token: t.tokens.access_token, token_type_hint: "id_token" })).status).toBe(200);
    expect(await active(t, t.tokens.access_token)).toBe(false);
  });

  it("answers 200 for an unknown or already revoked token (RFC 7009 §2.2)", async () => {
    const t = await start();
    expect((await revoke(t, t.client, { token: "never-issued" })).status).toBe(200);
    await revoke(t, t.client, { token: t.tokens.refresh_token });
    expect((await revoke(t, t.client, { token: t.tokens.refresh_token })).status).toBe(200);
  });

  it("does not revoke a token that belongs to another client, and still answers 200", async () => {
    const t = await start();
    const other = await registerClient(t.storage);
    expect((await revoke(t, other, { token: t.tokens.access_token })).status).toBe(200);
    expect((await revoke(t, other, { token: t.tokens.refresh_token })).status).toBe(200);
    expect(await active(t, t.tokens.access_token)).toBe(true);
    expect(await t.storage.getGrantByRefreshFamily(refreshFamilyHash(t.tokens.refresh_token))).not.toBeNull();
  });

  it("authenticates the client as the token endpoint does: 401 invalid_client with WWW-Authenticate (RFC 7009 §2.1)", async () => {
    const t = await start();
    const response = await t.server.handleRevocationRequest(
      formRequest(`${ISSUER}/revoke`, { token: t.tokens.access_token }, { Authorization: basicAuth(t.client.clientId, "wrong") }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Basic");
    expect(await active(t, t.tokens.access_token)).toBe(true);
  });

  it("lets a public client revoke its own tokens with its client_id (RFC 7009 §2.1)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { method: "none" });
    const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client))).json();
    const response = await t.server.handleRevocationRequest(formRequest(`${ISSUER}/revoke`, { token: tokens.refresh_token, client_id: client.clientId }));
    expect(response.status).toBe(200);
    expect(await active(t, tokens.access_token)).toBe(false);
  });

  it("answers a missing token parameter with invalid_request", async () => {
    const t = await start();
    const response = await revoke(t, t.client, {});
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("invalid_request");
  });
});
