import { describe, expect, it } from "vitest";
import { parseScope, scopeParameter } from "../src/scope.js";
import {
  RESOURCE,
  authorizeUrl,
  createTestServer,
  exchangeCode,
  obtainCode,
  registerClient,
  tokenRequest,
} from "./support/fixtures.js";

// RFC 6749 §3.3: scope = scope-token *( SP scope-token ) — a value without a token is no scope at all.
const BLANK = ["", " ", "   ", "\t", " \t "];

describe("a blank scope parameter is treated as absent (RFC 6749 §3.3)", () => {
  it("scopeParameter: blank values are undefined, others are kept as sent", () => {
    for (const blank of BLANK) expect(scopeParameter(blank)).toBeUndefined();
    expect(scopeParameter(undefined)).toBeUndefined();
    expect(scopeParameter(" read ")).toBe(" read ");
    expect(parseScope(" read  write ")).toEqual(["read", "write"]);
  });

  it("at the authorization endpoint, a blank scope gets the default scopes (RFC 6749 §3.3)", async () => {
    const t = createTestServer({ defaultScopes: ["read"] });
    const client = await registerClient(t.storage, { method: "none" });
    for (const scope of BLANK.filter((value) => value !== "")) {
      const parsed = await t.server.parseAuthorizationRequest(
        new Request(
          authorizeUrl({
            response_type: "code",
            client_id: client.clientId,
            scope,
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            code_challenge_method: "S256",
          }),
        ),
      );
      expect(parsed, JSON.stringify(scope)).toMatchObject({ scope: ["read"] });
    }
  });

  it("at the token endpoint, client_credentials with a blank scope gets the default scopes (RFC 6749 §4.4.2)", async () => {
    const t = createTestServer({ defaultScopes: ["read"] });
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
    const response = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "client_credentials", scope: "  " }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.scope).toBe("read");
    expect(await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${body.access_token}` } }))).toMatchObject({
      scope: ["read"],
    });
  });

  it("at the token endpoint, a refresh with a blank scope keeps the grant's scope, not none (RFC 6749 §6)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read write" }))).json();
    const response = await t.server.handleTokenRequest(
      tokenRequest(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, scope: " " }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.scope).toBe("read write");
    const info = await t.server.validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `Bearer ${body.access_token}` } }), {
      requiredScopes: ["read", "write"],
    });
    expect(info).toMatchObject({ scope: ["read", "write"] });
  });
});
