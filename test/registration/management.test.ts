import { describe, expect, it } from "vitest";
import { hashToken } from "../../src/index.js";
import { ISSUER, RESOURCE, createTestServer, exchangeCode, obtainCode } from "../support/fixtures.js";

async function setup(config: Parameters<typeof createTestServer>[0] = {}) {
  const t = createTestServer({ endpoints: { registration: "/register" }, ...config });
  const response = await t.server.handleRequest(
    new Request(`${ISSUER}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["https://app.example.com/cb"], client_name: "Before", grant_types: ["authorization_code", "refresh_token"] }),
    }),
  );
  const registered = await response!.json();
  const call = async (method: string, token: string | undefined, body?: unknown, uri = registered.registration_client_uri) => {
    const result = await t.server.handleRequest(
      new Request(uri, {
        method,
        headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await result!.text();
    return { status: result!.status, headers: result!.headers, body: text === "" ? null : JSON.parse(text) };
  };
  return { ...t, registered, call };
}

describe("client configuration endpoint (RFC 7592)", () => {
  it("reads the registration with the registration access token (RFC 7592 §2.1)", async () => {
    const t = await setup();
    const result = await t.call("GET", t.registered.registration_access_token);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ client_id: t.registered.client_id, client_name: "Before", registration_client_uri: t.registered.registration_client_uri });
    expect(result.body.client_secret).toBeUndefined();
    expect(result.body.registration_access_token).toBeUndefined();
  });

  it("leaves out a `metadata` property that a record stored by an earlier version may hold (RFC 7592 §3)", async () => {
    const t = await setup();
    const stored = await t.storage.getClient(t.registered.client_id);
    const legacy = { ...stored!, metadata: { jwks_uri: "https://app.example.com/jwks" } };
    expect(await t.storage.updateClient(legacy)).toBe(true);
    const result = await t.call("GET", t.registered.registration_access_token);
    expect(result.status).toBe(200);
    expect(result.body.client_name).toBe("Before");
    expect(result.body).not.toHaveProperty("metadata");
    expect(result.body).not.toHaveProperty("client_secret_hash");
    expect(result.body).not.toHaveProperty("registration_access_token_hash");
  });

  it("refuses a wrong, missing or other client's token with 401 and WWW-Authenticate (RFC 7592 §2.1)", async () => {
    const t = await setup();
    for (const token of ["wrong", undefined]) {
      const result = await t.call("GET", token);
      expect(result.status).toBe(401);
      expect(result.headers.get("www-authenticate")).toContain("Bearer");
    }
    const unknown = await t.call("GET", t.registered.registration_access_token, undefined, `${ISSUER}/register/not-a-client`);
    expect(unknown.status).toBe(401);
  });

  it("refuses updates and deletions with a wrong or missing token, changing nothing (RFC 7592 §2.2, §2.3)", async () => {
    const t = await setup();
    const update = { client_id: t.registered.client_id, redirect_uris: ["https://evil.example.com/cb"] };
    for (const token of ["wrong", t.registered.client_secret, undefined]) {
      const put = await t.call("PUT", token, update);
      expect(put.status).toBe(401);
      expect(put.body.error).toBe("invalid_token");
      expect(put.headers.get("www-authenticate")).toMatch(/^Bearer /);
      const del = await t.call("DELETE", token);
      expect(del.status).toBe(401);
    }
    expect((await t.storage.getClient(t.registered.client_id))?.redirect_uris).toEqual(["https://app.example.com/cb"]);
  });

  it("updates the registration, replacing its metadata (RFC 7592 §2.2)", async () => {
    const t = await setup();
    const update = {
      client_id: t.registered.client_id,
      redirect_uris: ["https://app.example.com/new"],
      client_name: "After",
      grant_types: ["authorization_code"],
    };
    const result = await t.call("PUT", t.registered.registration_access_token, update);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ client_name: "After", redirect_uris: ["https://app.example.com/new"], grant_types: ["authorization_code"] });
    const stored = await t.storage.getClient(t.registered.client_id);
    expect(stored?.client_name).toBe("After");
    // The secret is kept: the client still authenticates with it.
    expect(stored?.client_secret_hash).toBe(hashToken(t.registered.client_secret));
  });

  it("refuses an update with another client_id or a wrong client_secret (RFC 7592 §2.2)", async () => {
    const t = await setup();
    const base = { redirect_uris: ["https://app.example.com/cb"] };
    expect((await t.call("PUT", t.registered.registration_access_token, { ...base, client_id: "other" })).status).toBe(400);
    expect((await t.call("PUT", t.registered.registration_access_token, { ...base, client_id: t.registered.client_id, client_secret: "wrong" })).status).toBe(400);
    expect(
      (await t.call("PUT", t.registered.registration_access_token, { ...base, client_id: t.registered.client_id, client_secret: t.registered.client_secret })).status,
    ).toBe(200);
    expect((await t.call("PUT", t.registered.registration_access_token, { client_id: t.registered.client_id, redirect_uris: ["javascript:x"] })).body.error).toBe(
      "invalid_redirect_uri",
    );
  });

  it.each([
    ["a private-use scheme for a confidential client", "com.example.app:/cb"],
    ["a private-use scheme without a dot", "cursor://oauth/callback"],
    ["http to 127.1", "http://127.1/cb"],
    ["ws:", "ws://app.example.com/cb"],
    ["a fragment", "https://app.example.com/cb#x"],
  ])("refuses an update to a redirect URI registration would refuse: %s (RFC 7592 §2.2)", async (_name, uri) => {
    const t = await setup();
    const result = await t.call("PUT", t.registered.registration_access_token, { client_id: t.registered.client_id, redirect_uris: [uri] });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("invalid_redirect_uri");
    expect((await t.storage.getClient(t.registered.client_id))?.redirect_uris).toEqual(["https://app.example.com/cb"]);
  });

  it("refuses an update that adds client_credentials unless registration.allowedGrantTypes allows it (RFC 7592 §2.2)", async () => {
    const t = await setup();
    const update = { client_id: t.registered.client_id, redirect_uris: ["https://app.example.com/cb"], grant_types: ["authorization_code", "client_credentials"] };
    const result = await t.call("PUT", t.registered.registration_access_token, update);
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("invalid_client_metadata");
    expect(result.body.error_description).toMatch(/registration\.allowedGrantTypes/);
    expect((await t.storage.getClient(t.registered.client_id))?.grant_types).toEqual(["authorization_code", "refresh_token"]);

    const open = await setup({ registration: { allowedGrantTypes: ["authorization_code", "refresh_token", "client_credentials"] } });
    const allowed = await open.call("PUT", open.registered.registration_access_token, { ...update, client_id: open.registered.client_id });
    expect(allowed.status).toBe(200);
    expect((await open.storage.getClient(open.registered.client_id))?.grant_types).toEqual(["authorization_code", "client_credentials"]);
  });

  it("bounds updates like registrations: at the limit accepted, one over invalid_client_metadata, scope normalised (RFC 7592 §2.2)", async () => {
    const t = await setup({ scopesSupported: undefined });
    const base = { client_id: t.registered.client_id, redirect_uris: ["https://app.example.com/cb"] };
    const at = await t.call("PUT", t.registered.registration_access_token, { ...base, client_name: "n".repeat(200), scope: "b a b" });
    expect(at.status).toBe(200);
    expect(at.body.scope).toBe("b a");
    for (const over of [{ client_name: "n".repeat(201) }, { scope: "a".repeat(1001) }, { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example.com/cb${i}`) }]) {
      const result = await t.call("PUT", t.registered.registration_access_token, { ...base, ...over });
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_client_metadata");
    }
    expect((await t.storage.getClient(t.registered.client_id))?.client_name).toBe("n".repeat(200));
  });

  it("deletes the registration and revokes its grants (RFC 7592 §2.3)", async () => {
    const t = await setup();
    const record = (await t.storage.getClient(t.registered.client_id))!;
    const client = { clientId: t.registered.client_id, secret: t.registered.client_secret, record };
    const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();

    const result = await t.call("DELETE", t.registered.registration_access_token);
    expect(result.status).toBe(204);
    expect(await t.storage.getClient(t.registered.client_id)).toBeNull();
    const validation = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${tokens.access_token}` } }));
    expect((validation as Response).status).toBe(401);
    // The registration access token died with the client.
    expect((await t.call("GET", t.registered.registration_access_token)).status).toBe(401);
  });

  it("runs the registration policy on updates too, so a PUT cannot undo it (RFC 7592 §2.2)", async () => {
    const seen: (string | undefined)[] = [];
    const t = await setup({
      registration: {
        policy: ({ metadata, client }) => {
          seen.push(client?.client_id);
          return { ...metadata, scope: "read" };
        },
      },
    });
    expect(t.registered.scope).toBe("read");
    const update = { client_id: t.registered.client_id, redirect_uris: ["https://app.example.com/cb"], scope: "read write" };
    const result = await t.call("PUT", t.registered.registration_access_token, update);
    expect(result.status).toBe(200);
    expect(result.body.scope).toBe("read");
    expect((await t.storage.getClient(t.registered.client_id))?.scope).toBe("read");
    expect(seen).toEqual([undefined, t.registered.client_id]);
  });

  it("takes the secret away from a client that becomes public, and issues one when it becomes confidential again (RFC 7592 §2.2)", async () => {
    const t = await setup();
    const base = { client_id: t.registered.client_id, redirect_uris: ["https://app.example.com/cb"] };
    const asPublic = await t.call("PUT", t.registered.registration_access_token, { ...base, token_endpoint_auth_method: "none" });
    expect(asPublic.status).toBe(200);
    expect(asPublic.body.client_secret).toBeUndefined();
    expect(asPublic.body.client_secret_expires_at).toBeUndefined();
    expect((await t.storage.getClient(t.registered.client_id))?.client_secret_hash).toBeUndefined();

    const confidential = await t.call("PUT", t.registered.registration_access_token, { ...base, token_endpoint_auth_method: "client_secret_post" });
    expect(confidential.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(confidential.body.client_secret).not.toBe(t.registered.client_secret);
    expect((await t.storage.getClient(t.registered.client_id))?.client_secret_hash).toBe(hashToken(confidential.body.client_secret));
  });

  it("answers other methods with 405", async () => {
    const t = await setup();
    expect((await t.call("PATCH", t.registered.registration_access_token, {})).status).toBe(405);
  });
});
