import { afterEach, describe, expect, it, vi } from "vitest";
import { type AuthorizationServerConfig, createAuthorizationServer, createMemoryStorage } from "../src/index.js";
import { ISSUER, basicAuth, createTestServer, formRequest, registerClient } from "./support/fixtures.js";

/** Builds a server from a valid base configuration with `overrides`, as untyped code might. */
function create(overrides: Record<string, unknown>): () => unknown {
  const config = { issuer: ISSUER, storage: createMemoryStorage(), ...overrides } as unknown as AuthorizationServerConfig;
  return () => createAuthorizationServer(config);
}

function expectTypeError(build: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as TypeError).message).toBe(message);
}

describe("configuration mistakes are TypeErrors at startup, naming the option", () => {
  it("a missing issuer", () => {
    expectTypeError(create({ issuer: undefined }), "issuer is required.");
    expectTypeError(create({ issuer: "" }), "issuer is required.");
  });

  it("an issuer that is not an absolute URL (RFC 8414 §2)", () => {
    expectTypeError(create({ issuer: "as.example.com" }), "issuer must be an absolute URL (RFC 8414 §2): as.example.com");
  });

  it("an issuer with a trailing slash (RFC 8414 §3.3 compares it exactly)", () => {
    expectTypeError(
      create({ issuer: "https://as.example.com/" }),
      'issuer must not end with "/" (endpoint paths are appended to it): https://as.example.com/',
    );
    expectTypeError(
      create({ issuer: "https://as.example.com/tenant/" }),
      'issuer must not end with "/" (endpoint paths are appended to it): https://as.example.com/tenant/',
    );
  });

  it("an issuer with a query or fragment (RFC 8414 §2)", () => {
    for (const issuer of ["https://as.example.com?x=1", "https://as.example.com#top", "https://as.example.com?"]) {
      expectTypeError(create({ issuer }), `issuer must not have a query or fragment (RFC 8414 §2): ${issuer}`);
    }
  });

  it("an issuer not written as requests are routed (upper-case host, default port)", () => {
    expectTypeError(create({ issuer: "https://AS.example.com" }), "issuer must be written as https://as.example.com: https://AS.example.com");
    expectTypeError(create({ issuer: "https://as.example.com:443/t" }), "issuer must be written as https://as.example.com/t: https://as.example.com:443/t");
    expect(create({ issuer: "http://localhost:3000" })).not.toThrow();
    expect(create({ issuer: "https://as.example.com/tenant1" })).not.toThrow();
  });

  it("an unknown grant type (it would be advertised, then answered 500)", () => {
    expectTypeError(
      create({ grantTypes: ["authorization_code", "password"] }),
      'grantTypes: unknown grant type "password" (oauthkit supports authorization_code, refresh_token, client_credentials).',
    );
    expectTypeError(create({ grantTypes: [] }), "grantTypes must name at least one grant type.");
  });

  it("defaultScopes not within scopesSupported", () => {
    expectTypeError(
      create({ scopesSupported: ["read"], defaultScopes: ["read", "admin"] }),
      'defaultScopes must be within scopesSupported: "admin" is not supported.',
    );
    expect(create({ scopesSupported: ["read", "write"], defaultScopes: ["read"] })).not.toThrow();
    expect(create({ defaultScopes: ["anything"] })).not.toThrow();
  });

  it("an empty scopesSupported", () => {
    expectTypeError(create({ scopesSupported: [] }), "scopesSupported must name at least one scope (leave it out to accept any scope).");
  });

  it("a scope value with a space or a control character (RFC 6749 §3.3)", () => {
    const rule = "is not a scope token (RFC 6749 §3.3: no spaces, quotes, backslashes or control characters).";
    expectTypeError(create({ scopesSupported: ["read write"] }), `scopesSupported: "read write" ${rule}`);
    expectTypeError(create({ scopesSupported: ["read\n"] }), `scopesSupported: "read\\n" ${rule}`);
    expectTypeError(create({ scopesSupported: [""] }), `scopesSupported: "" ${rule}`);
    expectTypeError(create({ defaultScopes: ["a\tb"] }), `defaultScopes: "a\\tb" ${rule}`);
  });

  it("a PKCE configuration that allows only plain (OAuth 2.1 §4.1.1)", () => {
    expectTypeError(
      create({ pkce: { methods: ["plain"] } }),
      'pkce.methods must include "S256" (OAuth 2.1 §4.1.1): "plain" alone does not protect the code.',
    );
    expect(create({ pkce: { methods: ["S256", "plain"], required: "public-clients" } })).not.toThrow();
  });

  it("an unknown or empty pkce.methods, an unknown pkce.required", () => {
    expectTypeError(create({ pkce: { methods: ["S256", "S512"] } }), 'pkce.methods: unknown method "S512" (oauthkit supports S256, plain).');
    expectTypeError(create({ pkce: { methods: [] } }), "pkce.methods must name at least one method.");
    expectTypeError(create({ pkce: { required: "never" } }), 'pkce.required must be "all-clients" or "public-clients": never');
  });

  it("registration options without a registration endpoint", () => {
    const message = 'registration options are set but registration is off: set endpoints.registration to a path (e.g. "/register") to turn it on.';
    expectTypeError(create({ registration: { maxClients: 10 } }), message);
    expectTypeError(create({ registration: { maxClients: 10 }, endpoints: { registration: false } }), message);
    expect(create({ registration: { maxClients: 10 }, endpoints: { registration: "/register", revocation: false } })).not.toThrow();
  });

  it("endpoint paths that are not strings starting with /", () => {
    expectTypeError(create({ endpoints: { registration: true } }), 'endpoints.registration must be a path starting with "/" or false: true');
    expectTypeError(create({ endpoints: { revocation: "revoke" } }), 'endpoints.revocation must be a path starting with "/" or false: revoke');
    expectTypeError(create({ endpoints: { token: false } }), 'endpoints.token must be a path starting with "/": false');
    expectTypeError(create({ endpoints: { authorization: 42 } }), 'endpoints.authorization must be a path starting with "/": 42');
  });

  it("an unknown client authentication method", () => {
    expectTypeError(
      create({ clientAuthenticationMethods: ["client_secret_basic", "private_key_jwt"] }),
      'clientAuthenticationMethods: unknown method "private_key_jwt" (oauthkit supports client_secret_basic, client_secret_post, none).',
    );
    expectTypeError(create({ clientAuthenticationMethods: [] }), "clientAuthenticationMethods must name at least one method.");
  });

  it("a missing storage, or one missing a required method", () => {
    expectTypeError(create({ storage: undefined }), "storage is required.");
    const { getAccessToken: _omitted, ...partial } = createMemoryStorage();
    expectTypeError(create({ storage: partial }), "storage must implement getAccessToken() (see the Storage interface).");
  });

  it("an empty resources list", () => {
    expectTypeError(create({ resources: [] }), "resources must name at least one resource (leave it out to accept any).");
  });

  it("onError or now that is not a function", () => {
    expectTypeError(create({ onError: "console" }), "onError must be a function.");
    expectTypeError(create({ now: 1_800_000_000 }), "now must be a function returning seconds since the epoch.");
    expect(create({ onError: () => undefined, now: () => 1_800_000_000 })).not.toThrow();
  });
});

describe("onError: unexpected errors are never silent", () => {
  afterEach(() => vi.restoreAllMocks());

  async function failingTokenRequest(overrides: Partial<AuthorizationServerConfig>) {
    const t = createTestServer(overrides);
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const cause = new Error("connection reset");
    const failure = new Error("store down", { cause });
    t.storage.createGrant = async () => {
      throw failure;
    };
    const response = await t.server.handleTokenRequest(
      formRequest(`${ISSUER}/token`, { grant_type: "client_credentials" }, { Authorization: basicAuth(client.clientId, client.secret!) }),
    );
    return { response, failure };
  }

  it("without onError, logs each unexpected error once with console.error, its cause included; onError replaces that", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { response, failure } = await failingTokenRequest({});
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "server_error", error_description: "The server encountered an unexpected error." });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]).toEqual(["oauthkit: unexpected error answering POST https://as.example.com/token:", failure]);
    expect((log.mock.calls[0]![1] as Error).cause).toBeInstanceOf(Error);
    // An OAuth error is the client's mistake, answered as such, not logged.
    const t = createTestServer();
    expect((await (await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "password" }))).json()).error).toBe(
      "unsupported_grant_type",
    );
    expect(log).toHaveBeenCalledTimes(1);
    // onError replaces the logging.
    const reported: unknown[] = [];
    const withReporter = await failingTokenRequest({ onError: (error) => reported.push(error) });
    expect(withReporter.response.status).toBe(500);
    expect(reported).toEqual([withReporter.failure]);
    expect(log).toHaveBeenCalledTimes(1);
  });
});
