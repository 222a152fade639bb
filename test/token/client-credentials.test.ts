import { describe, expect, it } from "vitest";
import { hashTaggedToken } from "../../src/index.js";
import { RESOURCE, createTestServer, registerClient, tokenRequest } from "../support/fixtures.js";

describe("client_credentials grant (RFC 6749 §4.4)", () => {
  it("issues an access token for the client itself, without a refresh token (RFC 6749 §4.4.3)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const response = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", scope: "read" }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600, scope: "read" });
    const info = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${body.access_token}` } }));
    expect(info).toMatchObject({ subject: client.clientId, clientId: client.clientId, audience: [RESOURCE] });
  });

  it("refuses public clients with unauthorized_client (RFC 6749 §4.4)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { method: "none", grantTypes: ["client_credentials"] });
    const response = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials" }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("unauthorized_client");
  });

  it("refuses a scope beyond the client's registration or the server's with invalid_scope", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"], scope: "read" });
    const beyondClient = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", scope: "write" }));
    expect((await beyondClient.json()).error).toBe("invalid_scope");
    const unknown = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", scope: "admin" }));
    expect((await unknown.json()).error).toBe("invalid_scope");
  });

  it("refuses a resource the server does not serve with invalid_target (RFC 8707 §2)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const response = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", resource: "https://elsewhere.example/" }));
    expect((await response.json()).error).toBe("invalid_target");
  });

  it("marks the grant and the token subjectType client (RFC 6749 §4.4: the client acts on its own behalf)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const created: unknown[] = [];
    const createGrant = t.storage.createGrant.bind(t.storage);
    t.storage.createGrant = (grant, accessToken) => (created.push(grant), createGrant(grant, accessToken));
    const body = await (await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", scope: "read" }))).json();
    expect(created).toEqual([expect.objectContaining({ subject: client.clientId, subjectType: "client" })]);
    // Stored as such (the memory store keeps the field), so bearer validation and introspection see it.
    expect(await t.storage.getAccessToken(hashTaggedToken(body.access_token))).toMatchObject({ subject: client.clientId, subjectType: "client" });
    const info = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${body.access_token}` } }));
    expect(info).toMatchObject({ subjectType: "client" });
  });
});
