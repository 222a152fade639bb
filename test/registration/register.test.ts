import { describe, expect, it } from "vitest";
import { CLIENT_METADATA_LIMITS, OAuthError, hashToken } from "../../src/index.js";
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

    // Refused for public clients too, which are the only ones allowed private-use schemes.
    it.each([
      ["ws:", "ws://app.example.com/cb"],
      ["wss:", "wss://app.example.com/cb"],
      ["ftp:", "ftp://app.example.com/cb"],
      ["view-source:", "view-source:https://app.example.com/cb"],
      ["jar:", "jar:https://app.example.com/a.jar!/cb"],
      ["filesystem:", "filesystem:https://app.example.com/temporary/cb"],
      ["chrome:", "chrome://settings/"],
      ["mailto:", "mailto:someone@example.com"],
      ["tel:", "tel:+15555550100"],
      ["the out-of-band URN", "urn:ietf:wg:oauth:2.0:oob"],
      ["localhost:8080 (the scheme localhost:)", "localhost:8080"],
      ["localhost:8080/cb", "localhost:8080/cb"],
      ["a private-use scheme without a dot (RFC 8252 §7.1)", "cursor://anysphere.cursor-retrieval/oauth/callback"],
      ["a one-word private-use scheme", "myapp:/callback"],
      ["a reverse-domain scheme with nothing after it", "com.example.app:"],
      ["an upper-case reverse-domain scheme", "Com.Example.App:/cb"],
      ["credentials in a private-use URI", "com.example.app://user@host/cb"],
      ["http to 127.1 (RFC 8252 §7.3: written 127.0.0.1)", "http://127.1/cb"],
      ["http to 2130706433", "http://2130706433/cb"],
      ["http to 127.0.0.1. (trailing dot)", "http://127.0.0.1./cb"],
      ["http to 127.0.0.2", "http://127.0.0.2/cb"],
      ["http to an expanded IPv6 loopback", "http://[0:0:0:0:0:0:0:1]/cb"],
      ["http to LOCALHOST", "http://LOCALHOST/cb"],
      ["http to localhost. (trailing dot)", "http://localhost./cb"],
      ["an upper-case HTTP scheme", "HTTP://127.0.0.1/cb"],
      ["an upper-case HTTPS scheme", "HTTPS://app.example.com/cb"],
      ["backslashes", "http:\\\\127.0.0.1\\cb"],
      ["a backslash before the host", "https:/\\app.example.com/cb"],
      ["a backslash hiding credentials", "https://app.example.com\\@evil.example/cb"],
      ["a dot segment", "http://127.0.0.1/x/../cb"],
      ["a single-dot segment", "https://app.example.com/./cb"],
      ["an empty port", "http://127.0.0.1:/cb"],
      ["port 0", "http://127.0.0.1:0/cb"],
      ["a port over 65535", "http://127.0.0.1:65536/cb"],
      ["https with one slash", "https:/app.example.com/cb"],
      ["a user name only", "https://user@app.example.com/cb"],
      ["credentials on loopback", "http://user:pass@127.0.0.1/cb"],
      ["a fragment on loopback", "http://127.0.0.1/cb#x"],
      ["a fragment on a private-use scheme", "com.example.app:/cb#x"],
      ["a space", "https://app.example.com/c b"],
      ["non-ASCII", "https://app.example.com/caf\u00e9"],
      ["a malformed percent-encoding", "https://app.example.com/%zz"],
    ])("refuses %s, even for a public client", async (_name, uri) => {
      const t = setup();
      const result = await t.register({ redirect_uris: [uri], token_endpoint_auth_method: "none" });
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_redirect_uri");
      expect(await t.storage.countClients()).toBe(0);
    });

    it("refuses a private-use scheme for a confidential client (RFC 8252 §7.1: native apps are public)", async () => {
      const t = setup();
      const result = await t.register({ redirect_uris: ["com.example.app:/oauth2redirect"] });
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_redirect_uri");
      expect(result.body.error_description).toMatch(/public client/);
      expect(await t.storage.countClients()).toBe(0);
    });

    it.each([
      ["https", "https://app.example.com/cb"],
      ["https with a port and a query", "https://app.example.com:8443/cb?tenant=1"],
      ["loopback IPv4", "http://127.0.0.1/cb"],
      ["loopback IPv4 with a port", "http://127.0.0.1:65535/cb"],
      ["loopback IPv6", "http://[::1]:8080/cb"],
      ["localhost", "http://localhost:6274/oauth/callback"],
    ])("accepts %s for a confidential client", async (_name, uri) => {
      const t = setup();
      const result = await t.register({ redirect_uris: [uri] });
      expect(result.status).toBe(201);
      expect(result.body.redirect_uris).toEqual([uri]);
    });

    it.each([
      ["https", "https://app.example.com/cb"],
      ["loopback IPv4 (RFC 8252 §7.3)", "http://127.0.0.1:8080/cb"],
      ["loopback IPv6", "http://[::1]/cb"],
      ["localhost", "http://localhost:6274/oauth/callback"],
      ["a reverse-domain scheme (RFC 8252 §7.1)", "com.example.app:/oauth2redirect"],
      ["a reverse-domain scheme with an authority", "com.example.app://oauth/callback"],
    ])("accepts %s", async (_name, uri) => {
      const t = setup();
      expect((await t.register({ redirect_uris: [uri], token_endpoint_auth_method: "none" })).status).toBe(201);
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
    it("registers a client_credentials client without redirect URIs when the host allows the grant", async () => {
      const t = setup({ registration: { allowedGrantTypes: ["authorization_code", "refresh_token", "client_credentials"] } });
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

  describe("bounded metadata: every string and list has a limit (CLIENT_METADATA_LIMITS), beyond it invalid_client_metadata", () => {
    const L = CLIENT_METADATA_LIMITS;
    // A URI of exactly `length` characters.
    const uri = (length: number, base = "https://app.example.com/") => base + "a".repeat(length - base.length);
    const values = (count: number) => Array.from({ length: count }, (_, i) => `s${i}`).join(" ");

    it("the limits are the documented ones", () => {
      expect(L).toEqual({
        scopeLength: 1000,
        scopeValues: 100,
        clientNameLength: 200,
        uriLength: 2000,
        redirectUris: 20,
        contacts: 10,
        contactLength: 320,
        grantTypes: 10,
        responseTypes: 10,
        softwareLength: 200,
      });
    });

    it.each<[string, (n: number) => Record<string, unknown>, number]>([
      ["scope length", (n) => ({ scope: "a".repeat(n) }), L.scopeLength],
      ["scope values", (n) => ({ scope: values(n) }), L.scopeValues],
      ["client_name length", (n) => ({ client_name: "n".repeat(n) }), L.clientNameLength],
      ["redirect URI length", (n) => ({ redirect_uris: [uri(n)] }), L.uriLength],
      ["redirect_uris count", (n) => ({ redirect_uris: Array.from({ length: n }, (_, i) => `https://app.example.com/cb${i}`) }), L.redirectUris],
      ["client_uri length", (n) => ({ client_uri: uri(n) }), L.uriLength],
      ["logo_uri length", (n) => ({ logo_uri: uri(n) }), L.uriLength],
      ["tos_uri length", (n) => ({ tos_uri: uri(n) }), L.uriLength],
      ["policy_uri length", (n) => ({ policy_uri: uri(n) }), L.uriLength],
      ["contacts count", (n) => ({ contacts: Array.from({ length: n }, (_, i) => `admin${i}@example.com`) }), L.contacts],
      ["contact length", (n) => ({ contacts: [`${"c".repeat(n - "@example.com".length)}@example.com`] }), L.contactLength],
      ["grant_types entries", (n) => ({ grant_types: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? "authorization_code" : "refresh_token")) }), L.grantTypes],
      ["response_types entries", (n) => ({ response_types: Array.from({ length: n }, () => "code") }), L.responseTypes],
      ["software_id length", (n) => ({ software_id: "i".repeat(n) }), L.softwareLength],
      ["software_version length", (n) => ({ software_version: "v".repeat(n) }), L.softwareLength],
    ])("%s: accepted at the limit, refused one over", async (_name, metadata, limit) => {
      const t = setup({ scopesSupported: undefined });
      const at = await t.register({ ...client, ...metadata(limit) });
      expect(at.status).toBe(201);
      const over = await t.register({ ...client, ...metadata(limit + 1) });
      expect(over.status).toBe(400);
      expect(over.body.error).toBe("invalid_client_metadata");
      expect(await t.storage.countClients()).toBe(1);
    });

    it("refuses a 60 KB scope of repeated mcp", async () => {
      const t = setup({ scopesSupported: ["mcp"] });
      const result = await t.register({ ...client, scope: Array.from({ length: 15_000 }, () => "mcp").join(" ") });
      expect(result.status).toBe(400);
      expect(result.body).toEqual({ error: "invalid_client_metadata", error_description: "Invalid client metadata at scope: must be at most 1000 characters." });
      expect(await t.storage.countClients()).toBe(0);
    });

    it("stores the scope normalised: single spaces, each value once", async () => {
      const t = setup();
      const result = await t.register({ ...client, scope: "  write read  write read " });
      expect(result.body.scope).toBe("write read");
      expect((await t.storage.getClient(result.body.client_id))?.scope).toBe("write read");
    });

    it("stores grant_types and response_types de-duplicated", async () => {
      const t = setup();
      const result = await t.register({ ...client, grant_types: ["authorization_code", "refresh_token", "authorization_code"], response_types: ["code", "code"] });
      expect(result.body).toMatchObject({ grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] });
    });
  });

  describe("no user-less tokens through open registration: client_credentials only with registration.allowedGrantTypes", () => {
    const CC = { grant_types: ["client_credentials"], response_types: [] };
    const ALL = { registration: { allowedGrantTypes: ["authorization_code", "refresh_token", "client_credentials"] as const } };

    it.each([
      ["alone", CC],
      ["with the code flow", { ...client, grant_types: ["authorization_code", "client_credentials"] }],
    ])("refuses client_credentials %s by default: 400 invalid_client_metadata saying why (RFC 7591 §3.2.2)", async (_name, metadata) => {
      const t = setup();
      const result = await t.register(metadata);
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_client_metadata");
      expect(result.body.error_description).toMatch(/client_credentials grant is not available.*without a user.*registration\.allowedGrantTypes/);
      expect(await t.storage.countClients()).toBe(0);
    });

    it("so a self-registered client cannot get a client_credentials token: unauthorized_client at the token endpoint (RFC 6749 §5.2)", async () => {
      const t = setup();
      const refused = await t.register({ ...client, grant_types: ["authorization_code", "client_credentials"] });
      expect(refused.status).toBe(400);
      const { body } = await t.register(client);
      expect(body.grant_types).toEqual(["authorization_code"]);
      const response = await t.server.handleTokenRequest(
        new Request(`${ISSUER}/token`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basicAuth(body.client_id, body.client_secret) },
          body: "grant_type=client_credentials",
        }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBe("unauthorized_client");
    });

    it("a policy cannot add client_credentials without the opt-in (its output is validated like the client's own)", async () => {
      const t = setup({ registration: { policy: ({ metadata }) => ({ ...metadata, grant_types: [...metadata.grant_types, "client_credentials"] }) } });
      const result = await t.register(client);
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_client_metadata");
      expect(result.body.error_description).toMatch(/registration\.allowedGrantTypes/);
      expect(await t.storage.countClients()).toBe(0);
    });

    it("with the opt-in, a policy can still refuse client_credentials per client (e.g. without an initial access token)", async () => {
      const t = setup({
        registration: {
          ...ALL.registration,
          policy: ({ request, metadata }) => {
            if (metadata.grant_types.includes("client_credentials") && request.headers.get("authorization") !== "Bearer partner") {
              throw new OAuthError("invalid_client_metadata", "client_credentials needs an initial access token.", { status: 401 });
            }
            return undefined;
          },
        },
      });
      expect((await t.register(CC)).status).toBe(401);
      const allowed = await t.register(CC, { headers: { Authorization: "Bearer partner" } });
      expect(allowed.status).toBe(201);
      expect(allowed.body.grant_types).toEqual(["client_credentials"]);
    });

    it("applies to every grant: refresh_token is refused when the host allows only authorization_code", async () => {
      const t = setup({ registration: { allowedGrantTypes: ["authorization_code"] } });
      const result = await t.register({ ...client, grant_types: ["authorization_code", "refresh_token"] });
      expect(result.status).toBe(400);
      expect(result.body.error).toBe("invalid_client_metadata");
      expect(result.body.error_description).toMatch(/refresh_token grant is not available/);
      expect((await t.register(client)).status).toBe(201);
    });

    it("refuses at startup an allowedGrantTypes naming a grant the server does not accept (TypeError naming the option)", () => {
      expect(() => setup({ grantTypes: ["authorization_code"], registration: { allowedGrantTypes: ["authorization_code", "client_credentials"] } })).toThrow(
        new TypeError("registration.allowedGrantTypes names client_credentials, which is not one of grantTypes (authorization_code)."),
      );
      // The default follows grantTypes instead of failing.
      const t = setup({ grantTypes: ["authorization_code"] });
      expect(t.server.metadata.grant_types_supported).toEqual(["authorization_code"]);
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

describe("registration.privateUseSchemes: one-word app schemes, only when the host lists them (RFC 8252 §7.1, §8.4)", () => {
  const CURSOR = "cursor://anysphere.cursor-mcp/oauth/callback";
  const cursorClient = { redirect_uris: [CURSOR], token_endpoint_auth_method: "none", client_name: "Cursor" };

  it("refuses a one-word scheme by default: invalid_redirect_uri", async () => {
    const result = await setup().register(cursorClient);
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("invalid_redirect_uri");
  });

  it("accepts a listed scheme for a public client, which then completes the code flow with PKCE", async () => {
    const t = setup({ registration: { privateUseSchemes: ["cursor"] } });
    const result = await t.register(cursorClient);
    expect(result.status).toBe(201);
    expect(result.body.redirect_uris).toEqual([CURSOR]);
    const registered = { clientId: result.body.client_id as string, record: (await t.storage.getClient(result.body.client_id))! };
    const code = await obtainCode(t.server, registered, { scope: "" });
    const exchanged = await exchangeCode(t.server, registered, code);
    expect(exchanged.status).toBe(200);
  });

  it("still refuses a listed scheme for a confidential client (RFC 8252 §8.4)", async () => {
    const t = setup({ registration: { privateUseSchemes: ["cursor"] } });
    const result = await t.register({ redirect_uris: [CURSOR] });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("invalid_redirect_uri");
  });

  it("does not admit other one-word schemes", async () => {
    const t = setup({ registration: { privateUseSchemes: ["cursor"] } });
    const result = await t.register({ ...cursorClient, redirect_uris: ["myapp://callback"] });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("invalid_redirect_uri");
  });

  it.each([["https"], ["javascript"], ["Cursor"], ["file"], [""]])("refuses %j at startup with a TypeError naming the option", (scheme) => {
    expect(() => setup({ registration: { privateUseSchemes: [scheme] } })).toThrow(
      new TypeError(`registration.privateUseSchemes: ${JSON.stringify(scheme)} is not a lower-case private-use scheme (web, file and script schemes are never admitted).`),
    );
  });
});
