/**
 * resolvePolicy: the configuration's protocol decisions, with defaults, as plain data — no storage,
 * no clock, no callbacks; configuration mistakes are TypeErrors naming the option.
 */
import { describe, expect, it } from "vitest";
import { buildAuthorizationServerMetadata, createAuthorizationServer, createMemoryStorage, generateToken, resolvePolicy } from "../src/index.js";

const issuer = "https://as.example.com";

describe("resolvePolicy", () => {
  it("applies the defaults: S256 only and required of every client (OAuth 2.1 §4.1.1), rotation always, 60 s codes", () => {
    const policy = resolvePolicy({ issuer });
    expect(policy).toMatchObject({
      issuer,
      endpoints: { authorization: `${issuer}/authorize`, token: `${issuer}/token`, revocation: `${issuer}/revoke`, introspection: `${issuer}/introspect`, registration: undefined },
      pkce: { required: "all-clients", methods: ["S256"] },
      grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
      clientAuthenticationMethods: ["client_secret_basic", "client_secret_post", "none"],
      refreshTokens: { issue: "always", rotation: "always", idleLifetime: 30 * 86400, absoluteLifetime: 90 * 86400, gracePeriod: 0, rotationKeys: [] },
      authorizationCodeLifetime: 60,
      accessTokenLifetime: 3600,
      registration: undefined,
      clientIdMetadataDocumentsSupported: false,
      routing: "issuer-origin",
    });
  });

  it("holds no storage, clock or callback, even when given a whole server configuration", () => {
    const policy = resolvePolicy({
      issuer,
      endpoints: { registration: "/register" },
      registration: { policy: () => undefined },
      clientIdMetadataDocuments: { fetch: (request) => fetch(request) },
      ...{ storage: createMemoryStorage(), now: () => 0, onError: () => undefined },
    } as Parameters<typeof resolvePolicy>[0]);
    const functions: string[] = [];
    const visit = (value: unknown, path: string) => {
      if (typeof value === "function") functions.push(path);
      else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) for (const [key, inner] of Object.entries(value)) visit(inner, `${path}.${key}`);
    };
    visit(policy, "policy");
    expect(functions).toEqual([]);
    expect(policy).not.toHaveProperty("storage");
    expect(policy.registration).toMatchObject({ maxClients: Infinity, allowedGrantTypes: ["authorization_code", "refresh_token"] });
    expect(policy.clientIdMetadataDocumentsSupported).toBe(true);
  });

  it("throws TypeErrors naming the option (RFC 8414 §2 for the issuer)", () => {
    const cases: Array<[Parameters<typeof resolvePolicy>[0], RegExp]> = [
      [{ issuer: "" }, /^issuer is required/],
      [{ issuer: `${issuer}/` }, /issuer must not end with "\/"/],
      [{ issuer: "http://as.example.com" }, /issuer must use https/],
      [{ issuer, pkce: { methods: ["plain"] } }, /pkce\.methods must include "S256"/],
      [{ issuer, grantTypes: ["password" as never] }, /grantTypes: unknown grant type "password"/],
      [{ issuer, refreshTokens: { gracePeriod: 10 } }, /refreshTokens\.rotationSecret is required/],
      [{ issuer, refreshTokens: { gracePeriod: 10, rotationSecret: "short" } }, /refreshTokens\.rotationSecret must be base64url of at least 32 bytes/],
      [{ issuer, accessTokenLifetime: -1 }, /accessTokenLifetime must be a non-negative number/],
      [{ issuer, resources: ["not a uri"] }, /resources must be absolute URIs/],
      [{ issuer, defaultScopes: ["x"], scopesSupported: ["y"] }, /defaultScopes must be within scopesSupported/],
      [{ issuer, registration: {} }, /registration options are set but registration is off/],
    ];
    for (const [config, message] of cases) expect(() => resolvePolicy(config), String(message)).toThrowError(message);
  });

  it("decodes rotation secrets newest first (docs/token-endpoint.md#grace-window)", () => {
    const [a, b] = [generateToken(), generateToken()];
    const policy = resolvePolicy({ issuer, refreshTokens: { gracePeriod: 5, rotationSecret: [a, b] } });
    expect(policy.refreshTokens.rotationKeys).toHaveLength(2);
    expect(policy.refreshTokens.rotationKeys[0]).toHaveLength(32);
  });

  it("gives the same metadata as the server built from the same options (RFC 8414 §2)", () => {
    const options = { issuer, scopesSupported: ["read"], endpoints: { registration: "/register" } };
    const server = createAuthorizationServer({ ...options, storage: createMemoryStorage() });
    expect(buildAuthorizationServerMetadata(resolvePolicy(options))).toEqual(server.metadata);
  });
});
