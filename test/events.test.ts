/**
 * onEvent: every event the server tells, with the ids it carries; never a credential; a listener
 * that throws or rejects never changes an answer.
 */
import { describe, expect, it } from "vitest";
import type { AuthorizationServerConfig, OAuthEvent } from "../src/index.js";
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

function withEvents(overrides: Partial<AuthorizationServerConfig> = {}) {
  const events: OAuthEvent[] = [];
  const t = createTestServer({ onEvent: (event) => void events.push(event), ...overrides });
  const ofType = <T extends OAuthEvent["type"]>(type: T) => events.filter((event): event is Extract<OAuthEvent, { type: T }> => event.type === type);
  return { ...t, events, ofType };
}

const DOCUMENT_URL = "https://app.example.com/oauth/client.json";
const DOCUMENT = {
  client_id: DOCUMENT_URL,
  client_name: "Doc client",
  redirect_uris: ["http://127.0.0.1:8976/callback"],
  token_endpoint_auth_method: "none",
};

describe("onEvent (docs/events.md)", () => {
  it("tells code issued and redeemed, with client, subject and grant ids (RFC 6749 §4.1.2, §4.1.3)", async () => {
    const t = withEvents();
    const client = await registerClient(t.storage);
    const code = await obtainCode(t.server, client, { scope: "read" });
    const [issued] = t.ofType("authorization_code.issued");
    expect(issued).toEqual({ type: "authorization_code.issued", time: t.clock.now(), clientId: client.clientId, subject: "user-1", grantId: expect.any(String) });
    expect((await exchangeCode(t.server, client, code)).status).toBe(200);
    expect(t.ofType("authorization_code.redeemed")).toEqual([
      { type: "authorization_code.redeemed", time: t.clock.now(), clientId: client.clientId, subject: "user-1", grantId: issued!.grantId },
    ]);
  });

  it("tells a code replay, and the grant is revoked (RFC 6749 §4.1.2, RFC 9700 §4.2.4)", async () => {
    const t = withEvents();
    const client = await registerClient(t.storage);
    const code = await obtainCode(t.server, client, { scope: "read" });
    const tokens = await (await exchangeCode(t.server, client, code)).json();
    expect((await exchangeCode(t.server, client, code)).status).toBe(400);
    const [replayed] = t.ofType("authorization_code.replayed");
    expect(replayed).toEqual({
      type: "authorization_code.replayed",
      time: t.clock.now(),
      clientId: client.clientId,
      subject: "user-1",
      grantId: t.ofType("authorization_code.redeemed")[0]!.grantId,
      presentedBy: client.clientId,
    });
    const bearer = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${tokens.access_token}` } }));
    expect((bearer as Response).status).toBe(401);
  });

  it("tells refresh rotations, and a reuse with the family revoked (RFC 9700 §4.14.2)", async () => {
    const t = withEvents();
    const client = await registerClient(t.storage);
    const first = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
    const grantId = t.ofType("authorization_code.redeemed")[0]!.grantId;
    const refresh = (token: string) => t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: token }));
    const second = await (await refresh(first.refresh_token)).json();
    expect(t.ofType("refresh_token.rotated")).toEqual([{ type: "refresh_token.rotated", time: t.clock.now(), clientId: client.clientId, subject: "user-1", grantId }]);
    expect((await refresh(first.refresh_token)).status).toBe(400);
    expect(t.ofType("refresh_token.reused")).toEqual([{ type: "refresh_token.reused", time: t.clock.now(), clientId: client.clientId, subject: "user-1", grantId }]);
    expect((await refresh(second.refresh_token)).status).toBe(400); // the family is revoked
  });

  it("tells revocations of an access token and of a refresh token (RFC 7009 §2.1)", async () => {
    const t = withEvents();
    const client = await registerClient(t.storage);
    const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
    const grantId = t.ofType("authorization_code.redeemed")[0]!.grantId;
    const revoke = (token: string) => t.server.handleRevocationRequest(formRequest(`${ISSUER}/revoke`, { token }, { Authorization: basicAuth(client.clientId, client.secret!) }));
    expect((await revoke(tokens.access_token)).status).toBe(200);
    expect((await revoke(tokens.refresh_token)).status).toBe(200);
    expect((await revoke("unknown-token")).status).toBe(200); // nothing revoked: nothing told
    expect(t.ofType("tokens.revoked")).toEqual([
      { type: "tokens.revoked", time: t.clock.now(), clientId: client.clientId, subject: "user-1", grantId, tokenType: "access_token" },
      { type: "tokens.revoked", time: t.clock.now(), clientId: client.clientId, subject: "user-1", grantId, tokenType: "refresh_token" },
    ]);
  });

  it("tells client registration, update and deletion (RFC 7591 §3, RFC 7592 §2)", async () => {
    const t = withEvents({ endpoints: { registration: "/register" } });
    const registered = await t.server.handleRegistrationRequest(
      new Request(`${ISSUER}/register`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }) }),
    );
    expect(registered.status).toBe(201);
    const info = await registered.json();
    const manage = (method: string, body?: unknown) =>
      t.server.handleRegistrationRequest(
        new Request(info.registration_client_uri, {
          method,
          headers: { Authorization: `Bearer ${info.registration_access_token}`, "Content-Type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
    expect((await manage("PUT", { client_id: info.client_id, client_secret: info.client_secret, redirect_uris: ["https://app.example/cb2"] })).status).toBe(200);
    expect((await manage("DELETE")).status).toBe(204);
    expect(t.events.map((event) => [event.type, "clientId" in event ? event.clientId : undefined])).toEqual([
      ["client.registered", info.client_id],
      ["client.updated", info.client_id],
      ["client.deleted", info.client_id],
    ]);
  });

  it("tells a client ID metadata document fetched (once, not for cache hits) or refused", async () => {
    let document: Record<string, unknown> = DOCUMENT;
    const t = withEvents({ clientIdMetadataDocuments: { fetch: async () => Response.json(document, { headers: { "Cache-Control": "max-age=600" } }) } });
    const authorize = () =>
      t.server.parseAuthorizationRequest(
        new Request(
          `${ISSUER}/authorize?response_type=code&client_id=${encodeURIComponent(DOCUMENT_URL)}&redirect_uri=${encodeURIComponent("http://127.0.0.1:8976/callback")}` +
            `&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`,
        ),
      );
    expect(await authorize()).not.toBeInstanceOf(Response);
    expect(await authorize()).not.toBeInstanceOf(Response);
    expect(t.ofType("client_metadata_document.fetched")).toEqual([{ type: "client_metadata_document.fetched", time: t.clock.now(), clientId: DOCUMENT_URL }]);

    const other = withEvents({ clientIdMetadataDocuments: { fetch: async () => Response.json({ ...DOCUMENT, token_endpoint_auth_method: "private_key_jwt" }) } });
    document = DOCUMENT;
    const refused = await other.server.parseAuthorizationRequest(new Request(`${ISSUER}/authorize?response_type=code&client_id=${encodeURIComponent(DOCUMENT_URL)}`));
    expect((refused as Response).status).toBe(400);
    expect(other.ofType("client_metadata_document.refused")).toEqual([
      { type: "client_metadata_document.refused", time: other.clock.now(), clientId: DOCUMENT_URL, reason: expect.stringMatching(/private_key_jwt/) },
    ]);
  });

  it("tells failed client authentication at the token endpoint, naming the client the request named (RFC 6749 §5.2)", async () => {
    const t = withEvents();
    const client = await registerClient(t.storage);
    const wrong = await t.server.handleTokenRequest(
      formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x" }, { Authorization: basicAuth(client.clientId, "wrong-secret") }),
    );
    expect(wrong.status).toBe(401);
    const unknown = await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x", client_id: "nobody" }));
    expect(unknown.status).toBe(401);
    expect(t.ofType("client_authentication.failed")).toEqual([
      { type: "client_authentication.failed", time: t.clock.now(), clientId: client.clientId, reason: (await wrong.json()).error_description },
      { type: "client_authentication.failed", time: t.clock.now(), clientId: "nobody", reason: (await unknown.json()).error_description },
    ]);
  });

  it("never carries a credential: no token, code, secret or hash of one in any serialized event", async () => {
    const t = withEvents({ endpoints: { registration: "/register" } });
    const secrets: string[] = [];
    const client = await registerClient(t.storage);
    secrets.push(client.secret!, client.record.client_secret_hash!);
    const code = await obtainCode(t.server, client, { scope: "read" });
    secrets.push(code);
    const tokens = await (await exchangeCode(t.server, client, code)).json();
    await exchangeCode(t.server, client, code); // replay
    const again = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
    const rotated = await (await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: again.refresh_token }))).json();
    await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: again.refresh_token })); // reuse
    await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x" }, { Authorization: basicAuth(client.clientId, "guess") }));
    const registered = await (
      await t.server.handleRegistrationRequest(
        new Request(`${ISSUER}/register`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }) }),
      )
    ).json();
    for (const token of [tokens.access_token, tokens.refresh_token, again.access_token, again.refresh_token, rotated.access_token, rotated.refresh_token]) {
      secrets.push(token);
    }
    secrets.push(registered.client_secret, registered.registration_access_token, "guess");
    const { hashToken } = await import("../src/index.js");
    secrets.push(...secrets.map((secret) => hashToken(secret)));
    const serialized = JSON.stringify(t.events);
    expect(new Set(t.events.map((event) => event.type)).size).toBeGreaterThanOrEqual(7);
    for (const secret of secrets) expect(serialized).not.toContain(secret);
  });

  it("a throwing or rejecting listener never breaks the request; the failure goes to onError", async () => {
    for (const listener of [
      () => {
        throw new Error("listener broke");
      },
      () => Promise.reject(new Error("listener broke")),
    ]) {
      const reported: unknown[] = [];
      const t = createTestServer({ onEvent: listener, onError: (error) => void reported.push(error) });
      const client = await registerClient(t.storage);
      const code = await obtainCode(t.server, client, { scope: "read" });
      const response = await exchangeCode(t.server, client, code);
      expect(response.status).toBe(200);
      expect((await response.json()).access_token).toEqual(expect.any(String));
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(reported).toHaveLength(2); // code issued, code redeemed
      expect((reported[0] as Error).message).toBe("listener broke");
    }
  });

  it("refuses a listener that is not a function at startup, naming the option", () => {
    expect(() => createTestServer({ onEvent: "log" as never })).toThrow(new TypeError("onEvent must be a function."));
  });
});
