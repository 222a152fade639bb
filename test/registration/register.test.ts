import { describe, expect, it } from "vitest";
import { OAuthError, hashToken, redirectUriProblem } from "../../src/index.js";
import { ISSUER, basicAuth, createTestServer, exchangeCode, obtainCode } from "../support/fixtures.js";

const REGISTER = `${ISSUER}/register`;

function setup(config: Parameters<typeof createTestServer>[0] = {}) {
  const t = createTestServer({ endpoints: { registration: "/register" }, ...config });
  const register = async (body: unknown, init: { contentType?: string; raw?: BodyInit; headers?: Record<string, string> } = {}) => {
    const response = await t.server.handleRequest(
      new Request(REGISTER, {
        method: "POST",
        headers: { "Content-Type": init.contentType ?? "application/json", ...init.headers },
        body: init.raw ?? JSON.stringify(body),
      }),
    );
    if (response === null) throw new Error("not routed");
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  return { ...t, register };
}

const client = { redirect_uris: ["https://app.example.com/cb"], client_name: "Example" };

describe("dynamic client registration (RFC 7591)", () => {
  it("registers a confidential client with the RFC 7591 §2 defaults and answers 201 (§3.2.1)", async () => {
    const t = setup();
    const result = await t.register(client);
    expect(result.status).toBe(201);
    expect(result.headers.get("cache-control")).toBe("no-store");
    expect(result.body).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_id_issued_at: t.clock.now(),
      client_secret_expires_at: 0,
      redirect_uris: ["https://app.example.com/cb"],
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code"],
      response_types: ["code"],
      client_name: "Example",
      registration_access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      registration_client_uri: `${REGISTER}/${result.body.client_id}`,
    });
    // Stored as hashes only.
    const stored = await t.storage.getClient(result.body.client_id);
    expect(stored?.client_secret_hash).toBe(hashToken(result.body.client_secret));
    expect(JSON.stringify(stored)).not.toContain(result.body.client_secret);
    expect(JSON.stringify(stored)).not.toContain(result.body.registration_access_token);
  });

  it("issues no secret to a public client", async () => {
    const t = setup();
    const result = await t.register({ ...client, token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] });
    expect(result.status).toBe(201);
    expect(result.body.client_secret).toBeUndefined();
    expect(result.body.client_secret_expires_at).toBeUndefined();
    expect(result.body.token_endpoint_auth_method).toBe("none");
  });

  it("lets a registered client complete a code exchange with its secret", async () => {
    const t = setup();
    const { body } = await t.register({ ...client, grant_types: ["authorization_code", "refresh_token"] });
    const record = (await t.storage.getClient(body.client_id))!;
    const registered = { clientId: body.client_id, secret: body.client_secret, record };
    const code = await obtainCode(t.server, registered, { scope: "read" });
    const response = await exchangeCode(t.server, registered, code);
    expect(response.status).toBe(200);
    expect((await response.json()).refresh_token).toBeDefined();
  });

  it("sets client_secret_expires_at from clientSecretLifetime", async () => {
    const t = setup({ registration: { clientSecretLifetime: 86400 } });
    expect((await t.register(client)).body.client_secret_expires_at).toBe(t.clock.now() + 86400);
  });

  describe("redirect URIs (RFC 7591 §2, RFC 8252 §7): invalid_redirect_uri", () => {
    it.each([
      ["javascript:", "javascript:alert(1)"],
      ["data:", "data:text/html,<script>alert(1)</script>"],
      ["vbscript:", "vbscript:msgbox(1)"],
      ["file:", "file:///etc/passwd"],
      ["a fragment", "https://app.example.com/cb#frag"],
      ["a NUL character", "https://app.example.com/cb\u0000"],
      ["a control character", "https://app.example.com/\u0007cb"],
      ["non-loopback http", "http://app.example.com/cb"],
      ["a relative URI", "/cb"],
      ["credentials", "https://user:pass@app.example.com/cb"],
      ["an upper-case JAVASCRIPT:", "JAVASCRIPT:alert(1)"],
      ["a leading space", " javascript:alert(1)"],
      ["a tab inside the scheme", "java\tscript:alert(1)"],
      ["an empty fragment", "https://app.example.com/cb#"],
      ["https without an authority", "https:app.example.com/cb"],
      ["loopback look-alike http", "http://127.0.0.1.evil.example/cb"],
    ])("refuses %s", async (_name, uri) => {
      const t = setup();
      const result = await t.register({ redirect_uris: [uri] });
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_redirect_uri");
      expect(await t.storage.countClients()).toBe(0);
    });

    it.each([
      ["https", "https://app.example.com/cb"],
      ["loopback IPv4 (RFC 8252 §7.3)", "http://127.0.0.1:8080/cb"],
      ["loopback IPv6", "http://[::1]/cb"],
      ["localhost", "http://localhost:6274/oauth/callback"],
      ["a private-use scheme (RFC 8252 §7.1)", "cursor://anysphere.cursor-retrieval/oauth/callback"],
      ["a reverse-domain scheme", "com.example.app:/oauth2redirect"],
    ])("accepts %s", async (_name, uri) => {
      const t = setup();
      expect((await t.register({ redirect_uris: [uri], token_endpoint_auth_method: "none" })).status).toBe(201);
    });

    it("refuses an unreasonable number of redirect URIs", async () => {
      const uris = Array.from({ length: 101 }, (_, i) => `https://app.example.com/cb${i}`);
      expect((await setup().register({ redirect_uris: uris })).body.error).toBe("invalid_client_metadata");
    });

    it("requires a redirect URI for the code flow", async () => {
      const t = setup();
      expect((await t.register({ client_name: "x" })).body.error).toBe("invalid_redirect_uri");
    });
  });

  describe("malformed requests: invalid_client_metadata / 400 (RFC 7591 §3.2.2)", () => {
    it("malformed JSON", async () => {
      const result = await setup().register(null, { raw: '{"redirect_uris": [' });
      expect(result).toMatchObject({ status: 400, body: { error: "invalid_client_metadata" } });
    });
    it("invalid UTF-8", async () => {
      const result = await setup().register(null, { raw: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]) });
      expect(result).toMatchObject({ status: 400, body: { error: "invalid_client_metadata" } });
    });
    it("a wrong content type", async () => {
      const result = await setup().register(client, { contentType: "application/x-www-form-urlencoded" });
      expect(result).toMatchObject({ status: 400, body: { error: "invalid_client_metadata" } });
    });
    it("an oversized body", async () => {
      const t = setup({ maxBodyBytes: 1024 });
      const result = await t.register({ ...client, client_name: "x".repeat(2000) });
      expect(result).toMatchObject({ status: 413, body: { error: "invalid_client_metadata" } });
    });
    it("a JSON value that is not an object", async () => {
      expect((await setup().register([client])).body.error).toBe("invalid_client_metadata");
    });
    it("wrongly typed fields", async () => {
      expect((await setup().register({ redirect_uris: "https://app.example.com/cb" })).body.error).toBe("invalid_client_metadata");
      expect((await setup().register({ ...client, logo_uri: "javascript:alert(1)" })).body.error).toBe("invalid_client_metadata");
    });
    it("GET instead of POST", async () => {
      const t = setup();
      const response = await t.server.handleRequest(new Request(REGISTER));
      expect(response?.status).toBe(405);
    });
  });

  describe("consistency with the server (RFC 7591 §2.1)", () => {
    it("refuses grant and response types that do not match", async () => {
      const t = setup();
      expect((await t.register({ ...client, response_types: [] })).body.error).toBe("invalid_client_metadata");
      expect((await t.register({ ...client, grant_types: ["client_credentials"], response_types: ["code"] })).body.error).toBe("invalid_client_metadata");
      expect((await t.register({ ...client, response_types: ["token"] })).body.error).toBe("invalid_client_metadata");
    });
    it("refuses grant types the server does not support (e.g. implicit, password)", async () => {
      const t = setup();
      expect((await t.register({ ...client, grant_types: ["authorization_code", "implicit"] })).body.error).toBe("invalid_client_metadata");
      expect((await t.register({ ...client, grant_types: ["authorization_code", "password"] })).body.error).toBe("invalid_client_metadata");
    });
    it("refuses an authentication method the metadata does not advertise", async () => {
      const t = setup({ clientAuthenticationMethods: ["none"] });
      expect(t.server.metadata.token_endpoint_auth_methods_supported).toEqual(["none"]);
      expect((await t.register(client)).body.error).toBe("invalid_client_metadata");
      expect((await t.register({ ...client, token_endpoint_auth_method: "private_key_jwt" })).body.error).toBe("invalid_client_metadata");
      expect((await t.register({ ...client, token_endpoint_auth_method: "none" })).status).toBe(201);
    });
    it("refuses a scope outside scopes_supported", async () => {
      const t = setup();
      expect((await t.register({ ...client, scope: "read admin" })).body.error).toBe("invalid_client_metadata");
      expect((await t.register({ ...client, scope: "read" })).body.scope).toBe("read");
    });
    it("refuses client_credentials for a public client", async () => {
      const t = setup();
      const result = await t.register({ grant_types: ["client_credentials"], response_types: [], token_endpoint_auth_method: "none" });
      expect(result.body.error).toBe("invalid_client_metadata");
    });
    it("registers a client_credentials client without redirect URIs", async () => {
      const t = setup();
      const result = await t.register({ grant_types: ["client_credentials"], response_types: [] });
      expect(result.status).toBe(201);
      const token = await t.server.handleTokenRequest(
        new Request(`${ISSUER}/token`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basicAuth(result.body.client_id, result.body.client_secret) },
          body: "grant_type=client_credentials",
        }),
      );
      expect(token.status).toBe(200);
    });
    it("agrees with the metadata: every advertised method and grant registers, nothing else does (RFC 8414 §2, RFC 7591 §2)", async () => {
      const t = setup({ clientAuthenticationMethods: ["client_secret_post", "none"], grantTypes: ["authorization_code"] });
      const { token_endpoint_auth_methods_supported: methods, grant_types_supported: grants } = t.server.metadata;
      expect(methods).toEqual(["client_secret_post", "none"]);
      expect(grants).toEqual(["authorization_code"]);
      for (const method of methods) {
        expect((await t.register({ ...client, token_endpoint_auth_method: method })).status).toBe(201);
      }
      for (const method of ["client_secret_basic", "private_key_jwt", "tls_client_auth"]) {
        expect((await t.register({ ...client, token_endpoint_auth_method: method })).body.error).toBe("invalid_client_metadata");
      }
      // The RFC 7591 §2 default (client_secret_basic) is not advertised here, so it must be asked for explicitly.
      expect((await t.register(client)).body.error).toBe("invalid_client_metadata");
      const refresh = await t.register({ ...client, token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] });
      expect(refresh.body.error).toBe("invalid_client_metadata");
    });

    it("advertises registration_endpoint only when on", () => {
      expect(setup().server.metadata.registration_endpoint).toBe(REGISTER);
      expect(createTestServer().server.metadata.registration_endpoint).toBeUndefined();
    });
    it("ignores metadata it does not understand (RFC 7591 §2)", async () => {
      const result = await setup().register({ ...client, frobnicate: true });
      expect(result.status).toBe(201);
      expect(result.body.frobnicate).toBeUndefined();
    });
  });

  describe("host hooks", () => {
    it("a policy can refuse a registration (e.g. a missing initial access token)", async () => {
      const t = setup({
        registration: {
          policy: ({ request }) => {
            if (request.headers.get("authorization") !== "Bearer initial-token") {
              throw new OAuthError("invalid_client_metadata", "An initial access token is required.", { status: 401 });
            }
            return undefined;
          },
        },
      });
      expect((await t.register(client)).status).toBe(401);
      expect((await t.register(client, { headers: { Authorization: "Bearer initial-token" } })).status).toBe(201);
    });

    it("a policy can adjust a registration, and its changes are validated too", async () => {
      const t = setup({ registration: { policy: ({ metadata }) => ({ ...metadata, scope: "read" }) } });
      expect((await t.register(client)).body.scope).toBe("read");
      const bad = setup({ registration: { policy: ({ metadata }) => ({ ...metadata, redirect_uris: ["javascript:x"] }) } });
      expect((await bad.register(client)).body.error).toBe("invalid_redirect_uri");
    });

    it("caps the number of registrations", async () => {
      const t = setup({ registration: { maxClients: 2 } });
      expect((await t.register(client)).status).toBe(201);
      expect((await t.register(client)).status).toBe(201);
      const third = await t.register(client);
      expect(third.status).toBe(503);
      expect(third.body.error).toBe("temporarily_unavailable");
    });

    it("is also a plain function: server.registerClient", async () => {
      const t = setup();
      const { response, client: stored } = await t.server.registerClient(client, new Request(REGISTER));
      expect(response.client_id).toBe(stored.client_id);
      await expect(t.server.registerClient({ redirect_uris: ["data:x"] }, new Request(REGISTER))).rejects.toMatchObject({ error: "invalid_redirect_uri" });
    });
  });
});

describe("redirectUriProblem: the reason given for each refused redirect URI (RFC 7591 §2, RFC 8252 §7)", () => {
  it.each([
    ["https://app.example.com/\u0000cb", "must not contain control characters"],
    ["https://app.example.com/\u001fcb", "must not contain control characters"],
    ["https://app.example.com/\u007fcb", "must not contain control characters"],
    ["https://app.example.com/\u009fcb", "must not contain control characters"],
    ["/cb", "must be an absolute URI"],
    ["1https://app.example.com/cb", "must be an absolute URI"],
    ["-app:/cb", "must be an absolute URI"],
    ["https://exa mple.com/cb", "must be a valid URI"],
    ["https://app.example.com/cb#", "must not contain a fragment (RFC 6749 §3.1.2)"],
    ["javascript:alert(1)", "must not use the javascript: scheme"],
    ["data:text/html,x", "must not use the data: scheme"],
    ["vbscript:x", "must not use the vbscript: scheme"],
    ["file:///etc/passwd", "must not use the file: scheme"],
    ["blob:https://app.example.com/uuid", "must not use the blob: scheme"],
    ["about:blank", "must not use the about: scheme"],
    ["https://user@app.example.com/cb", "must not contain credentials"],
    ["https://:pw@app.example.com/cb", "must not contain credentials"],
    ["https:app.example.com/cb", "must be a valid URI"],
    ["http:/127.0.0.1/cb", "must be a valid URI"],
    ["HTTPS:app.example.com/cb", "must be a valid URI"],
    // The authority must follow the scheme itself, not appear somewhere later.
    ["https:app.example.com/cb?next=https://app.example.com/", "must be a valid URI"],
    ["http://app.example.com/cb", "must use https, except on a loopback host (RFC 8252 §7.3)"],
    ["http://127.0.0.2/cb", "must use https, except on a loopback host (RFC 8252 §7.3)"],
  ])("%s: %s", (uri, reason) => {
    expect(redirectUriProblem(uri)).toBe(reason);
  });

  it.each([
    "https://app.example.com/cb",
    "HTTPS://app.example.com/cb",
    "http://127.0.0.1/cb",
    "http://[::1]:8080/cb",
    "http://localhost/cb",
    "Http://localhost:3000/cb",
    "com.example.app:/oauth2redirect",
    "a+b.c-d:/cb",
    "cursor://anysphere.cursor-retrieval/oauth/callback",
    "https://app.example.com/cb?x=1",
  ])("%s: allowed", (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it("puts the reason in the registration error (RFC 7591 §3.2.2)", async () => {
    const result = await setup().register({ redirect_uris: ["https://app.example.com/cb", "about:blank"] });
    expect(result).toMatchObject({ status: 400, body: { error: "invalid_redirect_uri", error_description: "The redirect URI must not use the about: scheme." } });
  });
});
