import { describe, expect, it } from "vitest";
import {
  authorizationServerMetadataUrl,
  buildProtectedResourceMetadata,
  createAuthorizationServer,
  createMemoryStorage,
  openIdConfigurationUrls,
  protectedResourceMetadataUrl,
} from "../src/index.js";
import {
  ISSUER,
  RESOURCE,
  RFC7636_CHALLENGE,
  authorizeUrl,
  createTestServer,
  registerClient,
  tokenRequest,
} from "./support/fixtures.js";

describe("authorization server metadata (RFC 8414)", () => {
  it("is derived from the configuration (RFC 8414 §2)", () => {
    const { server } = createTestServer();
    expect(server.metadata).toEqual({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["read", "write", "offline_access"],
      revocation_endpoint: `${ISSUER}/revoke`,
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      introspection_endpoint: `${ISSUER}/introspect`,
      introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it("is served at the well-known URL, with CORS for browser-based clients", async () => {
    const { server } = createTestServer();
    const response = await server.handleRequest(new Request(`${ISSUER}/.well-known/oauth-authorization-server`));
    expect(response?.status).toBe(200);
    expect(response?.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response?.json()).toEqual(server.metadata);
    const preflight = await server.handleRequest(new Request(`${ISSUER}/token`, { method: "OPTIONS" }));
    expect(preflight?.status).toBe(204);
    expect(await server.handleRequest(new Request(`${ISSUER}/somewhere-else`))).toBeNull();
  });

  it("puts the well-known segment before an issuer's path (RFC 8414 §3.1)", async () => {
    expect(authorizationServerMetadataUrl("https://example.com/tenant1")).toBe("https://example.com/.well-known/oauth-authorization-server/tenant1");
    expect(authorizationServerMetadataUrl("https://example.com/")).toBe("https://example.com/.well-known/oauth-authorization-server");
    const server = createAuthorizationServer({ issuer: "https://example.com/tenant1", storage: createMemoryStorage() });
    expect(server.metadata.token_endpoint).toBe("https://example.com/tenant1/token");
    const response = await server.handleRequest(new Request("https://example.com/.well-known/oauth-authorization-server/tenant1"));
    expect((await response?.json()).issuer).toBe("https://example.com/tenant1");
  });

  it("refuses a bad issuer as a configuration error (RFC 8414 §2)", () => {
    const storage = createMemoryStorage();
    expect(() => createAuthorizationServer({ issuer: "http://example.com", storage })).toThrow(TypeError);
    expect(() => createAuthorizationServer({ issuer: "https://example.com?x=1", storage })).toThrow(TypeError);
    expect(() => createAuthorizationServer({ issuer: "not a url", storage })).toThrow(TypeError);
    expect(() => createAuthorizationServer({ issuer: "http://localhost:3000", storage })).not.toThrow();
  });

  describe("never advertises what the handlers refuse", () => {
    it("every advertised grant type and auth method is accepted; others are refused", async () => {
      for (const grantTypes of [["authorization_code"], ["authorization_code", "client_credentials"]] as const) {
        const t = createTestServer({ grantTypes, clientAuthenticationMethods: ["client_secret_post"] });
        expect(t.server.metadata.grant_types_supported).toEqual(grantTypes);
        expect(t.server.metadata.token_endpoint_auth_methods_supported).toEqual(["client_secret_post"]);
        const client = await registerClient(t.storage, { method: "client_secret_post", grantTypes: ["client_credentials", "refresh_token"] });
        for (const grant of ["client_credentials", "refresh_token"]) {
          const body = await (await t.server.handleTokenRequest(tokenRequest(client, { grant_type: grant, refresh_token: "x" }))).json();
          if (t.server.metadata.grant_types_supported.includes(grant)) expect(body.error).not.toBe("unsupported_grant_type");
          else expect(body.error).toBe("unsupported_grant_type");
        }
        // An auth method that is not advertised is refused.
        const basic = await registerClient(t.storage, { method: "client_secret_basic" });
        expect((await t.server.handleTokenRequest(tokenRequest(basic, { grant_type: "authorization_code", code: "x" }))).status).toBe(401);
      }
    });

    it("advertises plain only when the authorization endpoint accepts it", async () => {
      for (const methods of [["S256"], ["S256", "plain"]] as const) {
        const t = createTestServer({ pkce: { methods } });
        const client = await registerClient(t.storage, { method: "none" });
        expect(t.server.metadata.code_challenge_methods_supported).toEqual(methods);
        for (const method of ["S256", "plain"]) {
          const result = await t.server.parseAuthorizationRequest(
            new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, code_challenge: method === "S256" ? RFC7636_CHALLENGE : "p".repeat(43), code_challenge_method: method })),
          );
          expect(result instanceof Response).toBe(!t.server.metadata.code_challenge_methods_supported.includes(method));
        }
      }
    });

    it("omits revocation and introspection when they are turned off, and stops routing them", async () => {
      const t = createTestServer({ endpoints: { revocation: false, introspection: false } });
      expect(t.server.metadata.revocation_endpoint).toBeUndefined();
      expect(t.server.metadata.introspection_endpoint).toBeUndefined();
      expect(await t.server.handleRequest(new Request(`${ISSUER}/revoke`, { method: "POST" }))).toBeNull();
    });
  });
});

describe("protected resource metadata (RFC 9728)", () => {
  it("builds the document and its well-known URL for a resource with a path (RFC 9728 §3.1)", () => {
    expect(protectedResourceMetadataUrl("https://api.example.com/mcp")).toBe("https://api.example.com/.well-known/oauth-protected-resource/mcp");
    expect(protectedResourceMetadataUrl("https://api.example.com/")).toBe("https://api.example.com/.well-known/oauth-protected-resource");
    expect(buildProtectedResourceMetadata({ resource: RESOURCE, authorizationServers: [ISSUER], scopesSupported: ["read"], resourceName: "MCP" })).toEqual({
      resource: RESOURCE,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ["header"],
      scopes_supported: ["read"],
      resource_name: "MCP",
    });
  });

  it("is served for each configured resource (RFC 9728 §3)", async () => {
    const t = createTestServer({ issuer: "https://api.example.com" });
    const response = await t.server.handleRequest(new Request("https://api.example.com/.well-known/oauth-protected-resource/mcp"));
    expect(await response?.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: ["https://api.example.com"],
      bearer_methods_supported: ["header"],
      scopes_supported: ["read", "write", "offline_access"],
    });
    expect(t.server.protectedResourceMetadata(RESOURCE).resource).toBe(RESOURCE);
    expect(() => t.server.protectedResourceMetadata("https://nope.example/")).toThrow(TypeError);
  });
});

describe("OpenID Connect discovery paths (RFC 8414 §5, MCP 2026-07-28 authorization server discovery)", () => {
  const storage = createMemoryStorage;

  it("are not served unless the host turns them on", async () => {
    const server = createAuthorizationServer({ issuer: "https://example.com", storage: storage() });
    expect(server.config.openIdConfiguration).toBe(false);
    expect(await server.handleRequest(new Request("https://example.com/.well-known/openid-configuration"))).toBeNull();
  });

  it("serve the same RFC 8414 document, with CORS, at the root for an issuer without a path", async () => {
    const server = createAuthorizationServer({ issuer: "https://example.com", storage: storage(), openIdConfiguration: true });
    expect(openIdConfigurationUrls("https://example.com")).toEqual(["https://example.com/.well-known/openid-configuration"]);
    const response = await server.handleRequest(new Request("https://example.com/.well-known/openid-configuration"));
    expect(response?.status).toBe(200);
    expect(response?.headers.get("content-type")).toBe("application/json");
    expect(response?.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response?.json()).toEqual(server.metadata);
  });

  it("insert the segment before an issuer's path, and also answer the OIDC form appended to the issuer", async () => {
    const issuer = "https://example.com/tenant1";
    const server = createAuthorizationServer({ issuer, storage: storage(), openIdConfiguration: true });
    const urls = ["https://example.com/.well-known/openid-configuration/tenant1", "https://example.com/tenant1/.well-known/openid-configuration"];
    expect(openIdConfigurationUrls(issuer)).toEqual(urls);
    for (const url of urls) {
      const response = await server.handleRequest(new Request(url));
      expect(response?.status).toBe(200);
      // The client compares it with the issuer it built the URL from (OpenID Connect Discovery §4.3).
      expect(await response?.json()).toEqual(server.metadata);
    }
    // Another tenant's path is not this issuer's document.
    expect(await server.handleRequest(new Request("https://example.com/.well-known/openid-configuration/tenant2"))).toBeNull();
    expect(await server.handleRequest(new Request("https://example.com/.well-known/openid-configuration"))).toBeNull();
  });

  it("advertise nothing oauthkit does not do: no ID token, JWKS or userinfo fields", async () => {
    const server = createAuthorizationServer({ issuer: "https://example.com", storage: storage(), openIdConfiguration: true, clientIdMetadataDocuments: {} });
    const document = await (await server.handleRequest(new Request("https://example.com/.well-known/openid-configuration")))!.json();
    for (const field of ["jwks_uri", "id_token_signing_alg_values_supported", "subject_types_supported", "userinfo_endpoint", "claims_supported"]) {
      expect(document).not.toHaveProperty(field);
    }
    expect(document.response_types_supported).toEqual(["code"]);
    expect(document.client_id_metadata_document_supported).toBe(true);
  });

  it("refuses a non-boolean option at startup, naming it", () => {
    expect(() => createAuthorizationServer({ issuer: "https://example.com", storage: storage(), openIdConfiguration: "yes" as never })).toThrow(
      new TypeError("openIdConfiguration must be true or false."),
    );
  });
});

describe("client ID metadata documents are advertised (MCP 2026-07-28 client registration)", () => {
  it("client_id_metadata_document_supported is true exactly when they are on", () => {
    expect(createTestServer({ clientIdMetadataDocuments: {} }).server.metadata.client_id_metadata_document_supported).toBe(true);
    expect(createTestServer().server.metadata).not.toHaveProperty("client_id_metadata_document_supported");
  });
});

describe("root protected resource metadata (MCP 2026-07-28: clients fall back to /.well-known/oauth-protected-resource)", () => {
  it("answers at the root of the resource's origin when one resource is configured", async () => {
    const t = createTestServer({ issuer: "https://api.example.com", resources: [RESOURCE] });
    const response = await t.server.handleRequest(new Request("https://api.example.com/.well-known/oauth-protected-resource"));
    expect(response?.status).toBe(200);
    expect(response?.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response?.json()).toEqual(t.server.protectedResourceMetadata(RESOURCE));
    // The path-inserted URL (RFC 9728 §3.1) still answers.
    expect((await t.server.handleRequest(new Request("https://api.example.com/.well-known/oauth-protected-resource/mcp")))?.status).toBe(200);
  });

  it("stays unanswered with several resources: the root cannot name one of them", async () => {
    const t = createTestServer({ issuer: "https://api.example.com" });
    expect(await t.server.handleRequest(new Request("https://api.example.com/.well-known/oauth-protected-resource"))).toBeNull();
  });

  it("a resource at its origin's root is served once, at the root", async () => {
    const t = createTestServer({ issuer: "https://api.example.com", resources: ["https://api.example.com"] });
    const response = await t.server.handleRequest(new Request("https://api.example.com/.well-known/oauth-protected-resource"));
    expect((await response?.json()).resource).toBe("https://api.example.com");
  });
});
