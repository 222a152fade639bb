/**
 * Registration hygiene (issue 13 §4): unused dynamically registered clients expire, open
 * registration can be limited to public clients, and identical re-registrations from one source
 * are answered with the existing client.
 */
import { describe, expect, it } from "vitest";
import { type AuthorizationServerConfig, OAuthError, type Storage } from "../../src/index.js";
import { ISSUER, RESOURCE, authorizeUrl, createTestServer, exchangeCode, obtainCode, RFC7636_CHALLENGE } from "../support/fixtures.js";

const REGISTER = `${ISSUER}/register`;
const DAY = 86_400;

function setup(registration: AuthorizationServerConfig["registration"] = {}, overrides: Partial<AuthorizationServerConfig> = {}) {
  const t = createTestServer({ endpoints: { registration: "/register" }, registration, ...overrides });
  const register = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await t.server.handleRequest(
      new Request(REGISTER, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) }),
    );
    if (response === null) throw new Error("not routed");
    return { status: response.status, body: await response.json() };
  };
  const authorize = (clientId: string) =>
    t.server.parseAuthorizationRequest(
      new Request(
        authorizeUrl({
          response_type: "code",
          client_id: clientId,
          redirect_uri: "https://app.example.com/cb",
          code_challenge: RFC7636_CHALLENGE,
          code_challenge_method: "S256",
          scope: "read",
        }),
      ),
    );
  return { ...t, register, authorize };
}

const publicClient = { redirect_uris: ["https://app.example.com/cb"], client_name: "App", token_endpoint_auth_method: "none", software_id: "app-desktop" };

describe("registration.publicClientsOnly (RFC 7591 §2 token_endpoint_auth_method)", () => {
  it("refuses a confidential registration with 400 invalid_client_metadata (RFC 7591 §3.2.2) and stores nothing", async () => {
    const t = setup({ publicClientsOnly: true });
    for (const method of ["client_secret_basic", "client_secret_post", undefined]) {
      const result = await t.register({ redirect_uris: ["https://app.example.com/cb"], ...(method === undefined ? {} : { token_endpoint_auth_method: method }) });
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_client_metadata");
    }
    expect(await t.storage.countClients()).toBe(0);
  });

  it("registers a public client (201, no secret)", async () => {
    const t = setup({ publicClientsOnly: true });
    const result = await t.register(publicClient);
    expect(result.status).toBe(201);
    expect(result.body).not.toHaveProperty("client_secret");
  });

  it("refuses a policy that makes the client confidential, and an RFC 7592 §2.2 update to confidential", async () => {
    const bypass = setup({ publicClientsOnly: true, policy: ({ metadata }) => ({ ...metadata, token_endpoint_auth_method: "client_secret_basic" }) });
    expect((await bypass.register(publicClient)).status).toBe(400);

    const t = setup({ publicClientsOnly: true });
    const { body } = await t.register(publicClient);
    const response = await t.server.handleRequest(
      new Request(body.registration_client_uri, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${body.registration_access_token}` },
        body: JSON.stringify({ ...publicClient, client_id: body.client_id, token_endpoint_auth_method: "client_secret_basic" }),
      }),
    );
    expect(response?.status).toBe(400);
    expect((await response!.json()).error).toBe("invalid_client_metadata");
    expect((await t.storage.getClient(body.client_id))?.token_endpoint_auth_method).toBe("none");
  });

  it("a non-boolean value is a TypeError naming the option", () => {
    expect(() => setup({ publicClientsOnly: "yes" as unknown as boolean })).toThrow(/registration\.publicClientsOnly/);
  });
});

describe("registration.unusedClientLifetime", () => {
  it("a registered client gets an expiry, kept out of the RFC 7591 §3.2.1 response", async () => {
    const t = setup({ unusedClientLifetime: 7 * DAY });
    const { status, body } = await t.register(publicClient);
    expect(status).toBe(201);
    expect(body).not.toHaveProperty("expires_at");
    expect((await t.storage.getClient(body.client_id))?.expires_at).toBe(t.clock.now() + 7 * DAY);
  });

  it("a client never used is unknown once the lifetime has passed (authorization request: 400 invalid_client, not redirected)", async () => {
    const t = setup({ unusedClientLifetime: 7 * DAY });
    const { body } = await t.register(publicClient);
    t.clock.advance(7 * DAY);
    const response = await t.authorize(body.client_id);
    expect(response).toBeInstanceOf(Response);
    const refused = response as Response;
    expect(refused.status).toBe(400);
    expect(refused.headers.get("location")).toBeNull();
    expect((await refused.json()).error).toBe("invalid_client");
  });

  it("use extends the expiry (extendClientExpiry, the one field), writing only once less than half of the lifetime is left", async () => {
    const t = setup({ unusedClientLifetime: 10 * DAY });
    const { body } = await t.register(publicClient);
    const registeredAt = t.clock.now();
    let writes = 0;
    const extend = t.storage.extendClientExpiry.bind(t.storage);
    t.storage.extendClientExpiry = (clientId: string, expiresAt: number) => (writes++, extend(clientId, expiresAt));

    t.clock.advance(4 * DAY); // 6 days left: no write
    expect(await t.authorize(body.client_id)).not.toBeInstanceOf(Response);
    expect(writes).toBe(0);
    expect((await t.storage.getClient(body.client_id))?.expires_at).toBe(registeredAt + 10 * DAY);

    t.clock.advance(2 * DAY); // 4 days left: extended to now + 10 days, once
    expect(await t.authorize(body.client_id)).not.toBeInstanceOf(Response);
    expect(await t.authorize(body.client_id)).not.toBeInstanceOf(Response);
    expect(writes).toBe(1);
    expect((await t.storage.getClient(body.client_id))?.expires_at).toBe(t.clock.now() + 10 * DAY);

    t.clock.advance(9 * DAY); // past the original expiry, within the extended one
    expect(await t.authorize(body.client_id)).not.toBeInstanceOf(Response);
  });

  it("an RFC 7592 update racing the extension keeps its fields (RFC 7592 §2.2)", async () => {
    const t = setup({ unusedClientLifetime: 10 * DAY });
    const { body } = await t.register(publicClient);
    t.clock.advance(6 * DAY); // less than half left: the next use extends
    const stored = (await t.storage.getClient(body.client_id))!;
    // The management update lands between the lookup and the extension's write.
    const lookup = t.storage.getClient.bind(t.storage);
    t.storage.getClient = async (clientId) => {
      const client = await lookup(clientId);
      t.storage.getClient = lookup;
      await t.storage.updateClient({ ...stored, client_name: "Renamed by its owner" });
      return client;
    };
    expect(await t.authorize(body.client_id)).not.toBeInstanceOf(Response);
    const after = (await t.storage.getClient(body.client_id))!;
    expect(after.client_name).toBe("Renamed by its owner");
    expect(after.expires_at).toBe(t.clock.now() + 10 * DAY);
  });

  it("the sweep deletes the expired client with its grants; pre-registered clients never expire", async () => {
    const t = setup({ unusedClientLifetime: DAY });
    const { body } = await t.register({ ...publicClient, grant_types: ["authorization_code", "refresh_token"] });
    const preRegistered = { client_id: "pre", token_endpoint_auth_method: "none" as const, redirect_uris: ["https://app.example.com/cb"], grant_types: ["authorization_code"], response_types: ["code"] };
    await t.storage.createClient(preRegistered);
    const client = { clientId: body.client_id, record: (await t.storage.getClient(body.client_id))! };
    const code = await obtainCode(t.server, client, { scope: "read", resource: [RESOURCE] });
    expect((await exchangeCode(t.server, client, code)).status).toBe(200);
    expect(await t.server.listGrants("user-1")).toHaveLength(1);

    t.clock.advance(2 * DAY);
    t.storage.sweep();
    expect(await t.storage.getClient(body.client_id)).toBeNull();
    expect(await t.storage.listSubjectGrants("user-1")).toEqual([]);
    expect(await t.storage.getClient("pre")).toEqual(preRegistered);
    expect(await t.authorize("pre")).not.toBeInstanceOf(Response);
  });

  it("a store failing on the extension write answers 500 server_error, not a crash", async () => {
    const t = setup({ unusedClientLifetime: 2 * DAY });
    const { body } = await t.register(publicClient);
    const failing: Storage = { ...t.storage, extendClientExpiry: () => Promise.reject(new Error("store down")) };
    const broken = createTestServer({ storage: failing, now: t.clock.now, endpoints: { registration: "/register" }, registration: { unusedClientLifetime: 2 * DAY }, onError: () => {} });
    t.clock.advance(DAY + 1);
    const response = await broken.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: body.client_id, redirect_uri: "https://app.example.com/cb", code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
    );
    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(500);
  });

  it("a negative lifetime is a TypeError naming the option", () => {
    expect(() => setup({ unusedClientLifetime: -1 })).toThrow(/registration\.unusedClientLifetime/);
  });
});

describe("registration.reuseIdenticalRegistrations", () => {
  it("answers an identical re-registration (same software_id) with the existing client: the table does not grow (RFC 7591 §3.2.1)", async () => {
    const t = setup({ reuseIdenticalRegistrations: true });
    const first = await t.register(publicClient);
    // Key order does not matter.
    const second = await t.register({ software_id: "app-desktop", token_endpoint_auth_method: "none", client_name: "App", redirect_uris: ["https://app.example.com/cb"] });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.client_id).toBe(first.body.client_id);
    expect(second.body.client_id_issued_at).toBe(first.body.client_id_issued_at);
    expect(await t.storage.countClients()).toBe(1);
    // Immutable: no RFC 7592 registration access token for a shared client, in either answer.
    for (const { body } of [first, second]) {
      expect(body).not.toHaveProperty("registration_access_token");
      expect(body).not.toHaveProperty("registration_client_uri");
    }
  });

  it("different metadata, another software_id or none at all: a new client each time", async () => {
    const t = setup({ reuseIdenticalRegistrations: true });
    const ids = new Set<string>();
    ids.add((await t.register(publicClient)).body.client_id);
    ids.add((await t.register({ ...publicClient, client_name: "App 2" })).body.client_id);
    ids.add((await t.register({ ...publicClient, software_id: "other" })).body.client_id);
    const { software_id: _, ...anonymous } = publicClient;
    ids.add((await t.register(anonymous)).body.client_id);
    ids.add((await t.register(anonymous)).body.client_id);
    expect(ids.size).toBe(5);
    expect(await t.storage.countClients()).toBe(5);
  });

  it("never reuses a confidential client: a secret cannot be handed out twice", async () => {
    const t = setup({ reuseIdenticalRegistrations: true });
    const confidential = { ...publicClient, token_endpoint_auth_method: "client_secret_basic" };
    const first = await t.register(confidential);
    const second = await t.register(confidential);
    expect(second.body.client_id).not.toBe(first.body.client_id);
    expect(second.body.client_secret).toEqual(expect.any(String));
    expect(second.body.registration_access_token).toEqual(expect.any(String));
  });

  it("a host-provided source: the same key reuses, another key or undefined does not", async () => {
    const t = setup({ reuseIdenticalRegistrations: ({ request }) => request.headers.get("x-tenant") ?? undefined });
    const a1 = await t.register(publicClient, { "x-tenant": "a" });
    const a2 = await t.register(publicClient, { "x-tenant": "a" });
    const b = await t.register(publicClient, { "x-tenant": "b" });
    const none = await t.register(publicClient);
    expect(a2.body.client_id).toBe(a1.body.client_id);
    expect(new Set([a1.body.client_id, b.body.client_id, none.body.client_id]).size).toBe(3);
    expect(none.body.registration_access_token).toEqual(expect.any(String));
  });

  it("a reused client works for the whole flow, and the re-registrant cannot manage it (RFC 7592 §2: 401 without a token)", async () => {
    const t = setup({ reuseIdenticalRegistrations: true });
    const { body } = await t.register(publicClient);
    const response = await t.server.handleRequest(new Request(`${REGISTER}/${body.client_id}`, { headers: { Authorization: "Bearer anything" } }));
    expect(response?.status).toBe(401);
    expect(await t.authorize(body.client_id)).not.toBeInstanceOf(Response);
  });

  it("is answered even when maxClients is reached, since it adds nothing; a new registration gets 503", async () => {
    const t = setup({ reuseIdenticalRegistrations: true, maxClients: 1 });
    const first = await t.register(publicClient);
    expect((await t.register(publicClient)).body.client_id).toBe(first.body.client_id);
    const other = await t.register({ ...publicClient, client_name: "Other" });
    expect(other.status).toBe(503);
    expect(other.body.error).toBe("temporarily_unavailable");
  });

  it("concurrent identical registrations all get the one client", async () => {
    const t = setup({ reuseIdenticalRegistrations: true });
    const results = await Promise.all(Array.from({ length: 20 }, () => t.register(publicClient)));
    expect(new Set(results.map((r) => r.body.client_id)).size).toBe(1);
    expect(await t.storage.countClients()).toBe(1);
  });

  it("an expired reusable client is replaced by a fresh one under the same id, without its old grants", async () => {
    const t = setup({ reuseIdenticalRegistrations: true, unusedClientLifetime: DAY });
    const first = await t.register({ ...publicClient, grant_types: ["authorization_code", "refresh_token"] });
    const client = { clientId: first.body.client_id, record: (await t.storage.getClient(first.body.client_id))! };
    expect((await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read", resource: [RESOURCE] }))).status).toBe(200);
    t.clock.advance(2 * DAY);
    const again = await t.register({ ...publicClient, grant_types: ["authorization_code", "refresh_token"] });
    expect(again.status).toBe(201);
    expect(again.body.client_id).toBe(first.body.client_id);
    expect(again.body.client_id_issued_at).toBe(t.clock.now());
    expect(await t.server.listGrants("user-1")).toEqual([]);
  });

  it("a record changed under the reusable id is not handed out: a new client instead", async () => {
    const t = setup({ reuseIdenticalRegistrations: true });
    const first = await t.register(publicClient);
    const stored = (await t.storage.getClient(first.body.client_id))!;
    await t.storage.updateClient({ ...stored, redirect_uris: ["https://attacker.example/cb"] });
    const second = await t.register(publicClient);
    expect(second.body.client_id).not.toBe(first.body.client_id);
    expect(second.body.redirect_uris).toEqual(["https://app.example.com/cb"]);
  });

  it("a source function that throws an OAuthError refuses the registration with it", async () => {
    const t = setup({
      reuseIdenticalRegistrations: () => {
        throw new OAuthError("invalid_client_metadata", "no source");
      },
    });
    const result = await t.register(publicClient);
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("invalid_client_metadata");
  });

  it("a value that is neither boolean nor function is a TypeError naming the option", () => {
    expect(() => setup({ reuseIdenticalRegistrations: "software_id" as unknown as boolean })).toThrow(/registration\.reuseIdenticalRegistrations/);
  });
});
