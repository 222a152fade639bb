/**
 * The storage calls each operation makes: the numbers docs/storage.md promises (a networked store
 * pays a round trip for each).
 */
import { describe, expect, it } from "vitest";
import type { Storage } from "../src/index.js";
import { RESOURCE, basicAuth, createTestServer, exchangeCode, formRequest, obtainCode, registerClient, ISSUER } from "./support/fixtures.js";

function counting(storage: Storage) {
  const calls: string[] = [];
  const wrapped = new Proxy(storage, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return value.apply(target, args);
      };
    },
  });
  return { wrapped, calls };
}

async function setup() {
  const t = createTestServer();
  const { wrapped, calls } = counting(t.storage);
  // Same clock and store, counted.
  const counted = createTestServer({ storage: wrapped, now: t.clock.now });
  const client = await registerClient(t.storage);
  return { ...counted, storage: t.storage, client, calls };
}

describe("storage calls per operation (docs/storage.md)", () => {
  it("authorization-code exchange: 3 (client, redeem code, create grant)", async () => {
    const t = await setup();
    const code = await obtainCode(t.server, t.client);
    t.calls.length = 0;
    expect((await exchangeCode(t.server, t.client, code)).status).toBe(200);
    expect(t.calls).toEqual(["getClient", "redeemAuthorizationCode", "createGrant"]);
  });

  it("refresh: 3 (client, grant by refresh token, compare-and-rotate)", async () => {
    const t = await setup();
    const tokens = await (await exchangeCode(t.server, t.client, await obtainCode(t.server, t.client))).json();
    t.calls.length = 0;
    const response = await t.server.handleTokenRequest(
      formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, { Authorization: basicAuth(t.client.clientId, t.client.secret!) }),
    );
    expect(response.status).toBe(200);
    expect(t.calls).toEqual(["getClient", "getGrantByRefreshFamily", "rotateRefreshToken"]);
  });

  it("bearer validation: exactly 1", async () => {
    const t = await setup();
    const tokens = await (await exchangeCode(t.server, t.client, await obtainCode(t.server, t.client))).json();
    t.calls.length = 0;
    const result = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${tokens.access_token}` } }));
    expect(result).not.toBeInstanceOf(Response);
    expect(t.calls).toEqual(["getAccessToken"]);
  });

  it("client_credentials: 2 (client, create grant); authorization code issuance: 2 (revoke existing grants, save code)", async () => {
    const t = await setup();
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    t.calls.length = 0;
    await obtainCode(t.server, t.client);
    // The revocation comes first: it tombstones pending codes' grant ids, never the new code's.
    expect(t.calls).toEqual(["getClient", "revokeSubjectGrants", "saveAuthorizationCode"]);
    t.calls.length = 0;
    await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "client_credentials" }, { Authorization: basicAuth(client.clientId, client.secret!) }));
    expect(t.calls).toEqual(["getClient", "createGrant"]);
  });
});
