import { describe, expect, it } from "vitest";
import { OAuthError } from "../src/errors.js";
import {
  checkRequestedScope,
  formatScope,
  isScopeSubset,
  isScopeToken,
  narrowScope,
  parseScope,
  resolveRequestedScope,
  scopeParameter,
} from "../src/rules/scope.js";
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

describe("scope tokens and scope checks, exactly (RFC 6749 §3.3)", () => {
  it("isScopeToken: %x21 / %x23-5B / %x5D-7E, at least one, nothing else", () => {
    for (const token of ["!", "#", "[", "]", "~", "a", "read:all", "A/b=c", "!#[]~"]) expect(isScopeToken(token), token).toBe(true);
    for (const token of ["", " ", '"', "\\", "\u007f", "\u0000", "a b", "read\n", "\nread", "caf\u00e9", 'a"', "\\a"]) {
      expect(isScopeToken(token), JSON.stringify(token)).toBe(false);
    }
  });

  it("parseScope: distinct tokens in first-seen order; an invalid one is invalid_scope", () => {
    expect(parseScope("b a b  a c")).toEqual(["b", "a", "c"]);
    expect(parseScope("")).toEqual([]);
    expect(parseScope(" ")).toEqual([]);
    for (const scope of ['read "x"', "read a\\b", "read\tx", "read caf\u00e9"]) {
      let thrown: unknown;
      try {
        parseScope(scope);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, scope).toBeInstanceOf(OAuthError);
      expect(thrown).toMatchObject({ error: "invalid_scope", description: "The scope contains invalid characters.", status: 400 });
    }
  });

  it("formatScope joins with single spaces; isScopeSubset needs every token", () => {
    expect(formatScope(["a", "b", "c"])).toBe("a b c");
    expect(formatScope([])).toBe("");
    expect(isScopeSubset(["a", "b"], ["b", "c", "a"])).toBe(true);
    expect(isScopeSubset(["a", "d"], ["a", "b"])).toBe(false);
    expect(isScopeSubset(["d", "a"], ["a", "b"])).toBe(false);
    expect(isScopeSubset([], ["a"])).toBe(true);
    expect(isScopeSubset(["a"], [])).toBe(false);
  });

  it("resolveRequestedScope: the parameter, else the defaults, within the server's and the client's scopes", () => {
    const policy = { defaultScopes: ["read"], scopesSupported: ["read", "write", "admin"] };
    expect(resolveRequestedScope("write read", policy, undefined)).toEqual(["write", "read"]);
    expect(resolveRequestedScope(undefined, policy, undefined)).toEqual(["read"]);
    expect(resolveRequestedScope("  ", policy, "read write")).toEqual(["read"]);
    expect(resolveRequestedScope("write", policy, "read write")).toEqual(["write"]);
    expect(resolveRequestedScope("anything", { defaultScopes: [], scopesSupported: undefined }, undefined)).toEqual(["anything"]);
    expect(() => resolveRequestedScope("delete", policy, undefined)).toThrow("The requested scope is not supported.");
    expect(() => resolveRequestedScope("admin", policy, "read write")).toThrow("The requested scope exceeds what the client is registered for.");
    expect(() => resolveRequestedScope(undefined, { defaultScopes: ["admin"], scopesSupported: undefined }, "read")).toThrow(
      "The requested scope exceeds what the client is registered for.",
    );
    // The defaults are copied, never handed out to be changed.
    const result = resolveRequestedScope(undefined, policy, undefined);
    result.push("x");
    expect(policy.defaultScopes).toEqual(["read"]);
  });
});

describe("scope given as tokens: no token means the defaults or the grant's scope, never the empty scope", () => {
  const policy = { defaultScopes: ["read"], scopesSupported: ["read", "write"] };

  it("checkRequestedScope: undefined and [] both get the default scopes, as a copy (RFC 6749 §3.3)", () => {
    expect(checkRequestedScope(undefined, policy, undefined)).toEqual(["read"]);
    expect(checkRequestedScope([], policy, undefined)).toEqual(["read"]);
    checkRequestedScope([], policy, undefined).push("x");
    expect(policy.defaultScopes).toEqual(["read"]);
    expect(checkRequestedScope(["write", "write"], policy, "read write")).toEqual(["write"]);
  });

  it("tokens from a host, not a parser: a non-string is invalid_scope, never coerced to its text (RFC 6749 §3.3)", () => {
    const numeric = [42] as unknown as string[];
    expect(() => checkRequestedScope(numeric, { defaultScopes: [], scopesSupported: undefined }, undefined)).toThrow(
      new OAuthError("invalid_scope", "The scope contains invalid characters."),
    );
    expect(() => narrowScope(numeric, ["42"])).toThrow("The scope contains invalid characters.");
  });

  it("narrowScope: undefined and [] both keep the grant's scope, as a copy (RFC 6749 §6)", () => {
    const granted = ["read", "write"];
    expect(narrowScope(undefined, granted)).toEqual(["read", "write"]);
    expect(narrowScope([], granted)).toEqual(["read", "write"]);
    narrowScope([], granted).push("x");
    expect(granted).toEqual(["read", "write"]);
    expect(narrowScope(["write", "write"], granted)).toEqual(["write"]);
  });

  it('narrowScope refuses a scope not originally granted with invalid_scope and its description (RFC 6749 §6: "MUST NOT include any scope not originally granted")', () => {
    let error: unknown;
    try {
      narrowScope(["read", "admin"], ["read", "write"]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: "invalid_scope", description: "The requested scope exceeds the scope of the grant.", status: 400 });
  });

  it("at the token endpoint, a refresh asking for more than the grant is a 400 invalid_scope that says so (RFC 6749 §6, §5.2)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const tokens = await (await exchangeCode(t.server, client, await obtainCode(t.server, client, { scope: "read" }))).json();
    const response = await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, scope: "read write" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_scope", error_description: "The requested scope exceeds the scope of the grant." });
  });
});
