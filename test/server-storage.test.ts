/**
 * createAuthorizationServer asks of the store only what it will call: the client registration
 * methods only when registration is on (RFC 7591); then a missing one is a startup TypeError
 * naming it.
 */
import { describe, expect, it } from "vitest";
import { type AuthorizationServerStorage, createAuthorizationServer, createMemoryStorage, hashToken } from "../src/index.js";

function withoutRegistrationMethods(): AuthorizationServerStorage {
  const { createClient: _c, updateClient: _u, deleteClient: _d, countClients: _n, ...rest } = createMemoryStorage();
  return rest;
}

describe("the store a server needs", () => {
  it("without registration, a store lacking createClient/updateClient/deleteClient/countClients serves the token endpoint", async () => {
    const memory = createMemoryStorage();
    await memory.createClient({
      client_id: "svc",
      client_secret_hash: hashToken("secret"),
      token_endpoint_auth_method: "client_secret_post",
      redirect_uris: [],
      grant_types: ["client_credentials"],
      response_types: [],
    });
    const { createClient: _c, updateClient: _u, deleteClient: _d, countClients: _n, ...narrow } = memory;
    const server = createAuthorizationServer({ issuer: "https://as.example.com", storage: narrow, resources: ["https://api.example.com"] });
    const response = await server.handleTokenRequest(
      new Request("https://as.example.com/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&client_id=svc&client_secret=secret",
      }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()).token_type).toBe("Bearer");
  });

  it("with registration on, names the missing registration method at startup (RFC 7591 §3)", () => {
    expect(() => createAuthorizationServer({ issuer: "https://as.example.com", storage: withoutRegistrationMethods(), endpoints: { registration: "/register" } })).toThrowError(
      new TypeError("storage must implement createClient() when registration is on (endpoints.registration; see the Storage interface)."),
    );
  });

  it("still names any other missing method, registration or not", () => {
    const { getClient: _g, ...rest } = createMemoryStorage();
    expect(() => createAuthorizationServer({ issuer: "https://as.example.com", storage: rest as unknown as AuthorizationServerStorage })).toThrowError(
      new TypeError("storage must implement getClient() (see the Storage interface)."),
    );
  });
});
