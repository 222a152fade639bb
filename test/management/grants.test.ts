/**
 * Grant and consent management through createAuthorizationServer: listing a user's grants,
 * revoking one (only their own), disconnecting a client, remembered consent, and revoking the
 * earlier grants on re-authorization.
 */
import { describe, expect, it } from "vitest";
import type { AuthorizationServerConfig, ClientRecord, Storage } from "../../src/index.js";
import { RESOURCE, basicAuth, createTestServer, exchangeCode, formRequest, obtainCode, registerClient, ISSUER, type TestClient, type TestServer } from "../support/fixtures.js";

interface Tokens {
  access_token: string;
  refresh_token: string;
}

async function connect(t: TestServer, client: TestClient, options: Parameters<typeof obtainCode>[2] = {}): Promise<Tokens> {
  const response = await exchangeCode(t.server, client, await obtainCode(t.server, client, { resource: [RESOURCE], ...options }));
  expect(response.status).toBe(200);
  return (await response.json()) as Tokens;
}

async function bearerWorks(t: TestServer, tokens: Tokens): Promise<boolean> {
  const result = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${tokens.access_token}` } }));
  return !(result instanceof Response);
}

async function refresh(t: TestServer, client: TestClient, tokens: Tokens): Promise<Response> {
  return t.server.handleTokenRequest(
    formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, { Authorization: basicAuth(client.clientId, client.secret!) }),
  );
}

async function named(t: TestServer, name: string, extra: Partial<ClientRecord> = {}): Promise<TestClient> {
  const client = await registerClient(t.storage);
  const record = { ...client.record, client_name: name, ...extra };
  await t.storage.updateClient(record);
  return { ...client, record };
}

describe("listGrants: a user's connected apps", () => {
  it("lists each live user grant with client name, scope, resources, created and last used, newest first", async () => {
    const t = createTestServer();
    const calendar = await named(t, "Calendar", { client_uri: "https://calendar.example" });
    const notes = await named(t, "Notes");
    await connect(t, calendar, { scope: "read" });
    t.clock.advance(10);
    await connect(t, notes, { scope: "read write" });
    const start = t.clock.now();
    const grants = await t.server.listGrants("user-1");
    expect(grants.map((g) => ({ ...g, grantId: typeof g.grantId }))).toEqual([
      { grantId: "string", clientId: notes.clientId, clientName: "Notes", scope: ["read", "write"], resource: [RESOURCE], createdAt: start, lastUsedAt: start, expiresAt: grants[0]!.expiresAt },
      {
        grantId: "string",
        clientId: calendar.clientId,
        clientName: "Calendar",
        clientUri: "https://calendar.example",
        scope: ["read"],
        resource: [RESOURCE],
        createdAt: start - 10,
        lastUsedAt: start - 10,
        expiresAt: grants[1]!.expiresAt,
      },
    ]);
    expect(grants[0]!.expiresAt).toBeGreaterThan(start);
  });

  it("lastUsedAt follows refreshes (RFC 9700 §4.14.2 rotation records it, no extra write)", async () => {
    const t = createTestServer();
    const client = await named(t, "App");
    const tokens = await connect(t, client);
    const created = t.clock.now();
    t.clock.advance(3600);
    expect((await refresh(t, client, tokens)).status).toBe(200);
    const [grant] = await t.server.listGrants("user-1");
    expect(grant).toMatchObject({ createdAt: created, lastUsedAt: created + 3600 });
  });

  it("leaves out other users' grants, revoked grants and client_credentials grants (RFC 6749 §4.4: no user consented)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { grantTypes: ["authorization_code", "refresh_token", "client_credentials"] });
    await connect(t, client, { subject: "someone-else" });
    const cc = await t.server.handleTokenRequest(
      formRequest(`${ISSUER}/token`, { grant_type: "client_credentials" }, { Authorization: basicAuth(client.clientId, client.secret!) }),
    );
    expect(cc.status).toBe(200);
    expect(await t.server.listGrants("user-1")).toEqual([]);
    expect(await t.server.listGrants(client.clientId)).toEqual([]);
    expect(await t.server.listGrants("someone-else")).toHaveLength(1);
  });

  it("lists a grant whose client has no name without clientName", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    await connect(t, client);
    const [grant] = await t.server.listGrants("user-1");
    expect(grant).not.toHaveProperty("clientName");
    expect(grant?.clientId).toBe(client.clientId);
  });

  it("throws a TypeError for an empty subject (a host bug, not a request error)", async () => {
    const t = createTestServer();
    await expect(t.server.listGrants("")).rejects.toThrow(TypeError);
  });

  it("rejects when the store fails (fast failure, nothing hidden)", async () => {
    const t = createTestServer();
    const failing: Storage = { ...t.storage, listSubjectGrants: () => Promise.reject(new Error("store down")) };
    const broken = createTestServer({ storage: failing } satisfies Partial<AuthorizationServerConfig>);
    await expect(broken.server.listGrants("user-1")).rejects.toThrow("store down");
  });
});

describe("revokeGrant: disconnecting one grant (RFC 7009 §2.1 semantics for the whole grant)", () => {
  it("revokes the user's grant: its access token and refresh token stop working at once", async () => {
    const t = createTestServer();
    const client = await named(t, "App");
    const tokens = await connect(t, client);
    const [grant] = await t.server.listGrants("user-1");
    expect(await t.server.revokeGrant({ subject: "user-1", grantId: grant!.grantId })).toBe(true);
    expect(await bearerWorks(t, tokens)).toBe(false);
    const refreshed = await refresh(t, client, tokens);
    expect(refreshed.status).toBe(400);
    expect((await refreshed.json()).error).toBe("invalid_grant");
    expect(await t.server.listGrants("user-1")).toEqual([]);
  });

  it("refuses another user's grant id (false, like an unknown one) and leaves it working", async () => {
    const t = createTestServer();
    const client = await named(t, "App");
    const victim = await connect(t, client, { subject: "victim" });
    const [grant] = await t.server.listGrants("victim");
    expect(await t.server.revokeGrant({ subject: "attacker", grantId: grant!.grantId })).toBe(false);
    expect(await t.server.revokeGrant({ subject: "victim", grantId: "no-such-grant" })).toBe(false);
    expect(await bearerWorks(t, victim)).toBe(true);
  });
});

describe("revokeClientGrants: disconnecting a client", () => {
  it("revokes every grant of the user to that client, not to others, and counts them", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    const other = await named(t, "Other");
    const first = await connect(t, app, { revokeExistingGrants: false });
    const second = await connect(t, app, { revokeExistingGrants: false });
    const kept = await connect(t, other);
    const elsewhere = await connect(t, app, { subject: "user-2" });
    expect(await t.server.revokeClientGrants({ subject: "user-1", clientId: app.clientId })).toBe(2);
    expect(await bearerWorks(t, first)).toBe(false);
    expect(await bearerWorks(t, second)).toBe(false);
    expect(await bearerWorks(t, kept)).toBe(true);
    expect(await bearerWorks(t, elsewhere)).toBe(true);
    expect(await t.server.revokeClientGrants({ subject: "user-1", clientId: app.clientId })).toBe(0);
  });

  it("a code approved before the disconnect is refused at the token endpoint (invalid_grant, RFC 6749 §5.2)", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    const code = await obtainCode(t.server, app, { resource: [RESOURCE] });
    await t.server.revokeClientGrants({ subject: "user-1", clientId: app.clientId });
    const response = await exchangeCode(t.server, app, code);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("invalid_grant");
    expect(await t.server.listGrants("user-1")).toEqual([]);
  });

  it("throws a TypeError for an empty subject or client id", async () => {
    const t = createTestServer();
    await expect(t.server.revokeClientGrants({ subject: "", clientId: "c" })).rejects.toThrow(TypeError);
    await expect(t.server.revokeClientGrants({ subject: "user-1", clientId: "" })).rejects.toThrow(TypeError);
  });
});

describe("hasRememberedConsent: skipping the consent page on re-authorization", () => {
  it("is true for the same or a narrower scope and resource set of a live grant, false otherwise", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    const other = await named(t, "Other");
    await connect(t, app, { scope: "read write" });
    const ask = (query: { scope: string[]; resource: string[]; clientId?: string; subject?: string }) =>
      t.server.hasRememberedConsent({ subject: query.subject ?? "user-1", clientId: query.clientId ?? app.clientId, scope: query.scope, resource: query.resource });
    expect(await ask({ scope: ["read", "write"], resource: [RESOURCE] })).toBe(true);
    expect(await ask({ scope: ["read"], resource: [RESOURCE] })).toBe(true);
    expect(await ask({ scope: ["read", "offline_access"], resource: [RESOURCE] })).toBe(false);
    expect(await ask({ scope: ["read"], resource: ["https://other.example.com/api"] })).toBe(false);
    // RFC 8707 §2: no resource means tokens not audience-restricted, which the grant never allowed.
    expect(await ask({ scope: ["read"], resource: [] })).toBe(false);
    expect(await ask({ scope: ["read"], resource: [RESOURCE], clientId: other.clientId })).toBe(false);
    expect(await ask({ scope: ["read"], resource: [RESOURCE], subject: "user-2" })).toBe(false);
  });

  it("is forgotten once the grant is revoked", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    await connect(t, app);
    const query = { subject: "user-1", clientId: app.clientId, scope: ["read"], resource: [RESOURCE] };
    expect(await t.server.hasRememberedConsent(query)).toBe(true);
    await t.server.revokeClientGrants({ subject: "user-1", clientId: app.clientId });
    expect(await t.server.hasRememberedConsent(query)).toBe(false);
  });
});

describe("revokeExistingGrants: a re-authorization replaces the earlier grants", () => {
  it("by default, the new code's grant replaces the user's earlier grants to the client", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    const before = await connect(t, app);
    const after = await connect(t, app);
    expect(await bearerWorks(t, before)).toBe(false);
    expect((await refresh(t, app, before)).status).toBe(400);
    expect(await bearerWorks(t, after)).toBe(true);
    expect(await t.server.listGrants("user-1")).toHaveLength(1);
  });

  it("a code approved earlier and not yet redeemed is superseded too (invalid_grant)", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    const earlier = await obtainCode(t.server, app, { resource: [RESOURCE] });
    const later = await obtainCode(t.server, app, { resource: [RESOURCE] });
    expect((await exchangeCode(t.server, app, earlier)).status).toBe(400);
    expect((await exchangeCode(t.server, app, later)).status).toBe(200);
  });

  it("with revokeExistingGrants: false, the earlier grant keeps working beside the new one", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    const before = await connect(t, app);
    const after = await connect(t, app, { revokeExistingGrants: false });
    expect(await bearerWorks(t, before)).toBe(true);
    expect(await bearerWorks(t, after)).toBe(true);
    expect(await t.server.listGrants("user-1")).toHaveLength(2);
  });

  it("leaves the user's grants to other clients and other users' grants to this client alone", async () => {
    const t = createTestServer();
    const app = await named(t, "App");
    const other = await named(t, "Other");
    const otherClient = await connect(t, other);
    const otherUser = await connect(t, app, { subject: "user-2" });
    await connect(t, app);
    expect(await bearerWorks(t, otherClient)).toBe(true);
    expect(await bearerWorks(t, otherUser)).toBe(true);
  });

  it("a store failing during the revocation answers with the server_error redirect (RFC 6749 §4.1.2.1), no code", async () => {
    const t = createTestServer();
    const failing: Storage = { ...t.storage, revokeSubjectGrants: () => Promise.reject(new Error("store down")) };
    const errors: unknown[] = [];
    const broken = createTestServer({ storage: failing, onError: (error) => void errors.push(error) });
    const app = await registerClient(t.storage);
    const parsed = await broken.server.parseAuthorizationRequest(
      new Request(`${ISSUER}/authorize?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent(app.record.redirect_uris[0]!)}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=read`),
    );
    if (parsed instanceof Response) throw new Error("request refused");
    const response = await broken.server.issueAuthorizationCode(parsed, { subject: "user-1" });
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("error")).toBe("server_error");
    expect(location.searchParams.has("code")).toBe(false);
    expect(errors).toHaveLength(1);
  });
});
