import { describe, expect, it } from "vitest";
import { type AuthorizationRequest, findRegisteredRedirectUri, isLoopbackHost, isLoopbackRedirectUri, parseScope, redirectUriMatches, redirectUriProblem } from "../../src/index.js";
import { isAdmissiblePrivateUseScheme } from "../../src/rules/redirect-uri.js";
import {
  ISSUER,
  RESOURCE,
  RFC7636_CHALLENGE,
  authorizeUrl,
  createTestServer,
  registerClient,
} from "../support/fixtures.js";

async function setup(config = {}) {
  const t = createTestServer(config);
  const client = await registerClient(t.storage, {
    method: "none",
    redirectUris: ["https://client.example.com/callback?tenant=1", "http://127.0.0.1/cb", "http://[::1]/cb", "cursor://oauth/callback"],
  });
  const base = {
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: "https://client.example.com/callback?tenant=1",
    state: "st@te 1",
    code_challenge: RFC7636_CHALLENGE,
    code_challenge_method: "S256",
  };
  const parse = (params: Record<string, string | string[] | undefined>) =>
    t.server.parseAuthorizationRequest(new Request(authorizeUrl({ ...base, ...params })));
  return { ...t, client, base, parse };
}

async function direct(result: AuthorizationRequest | Response) {
  expect(result).toBeInstanceOf(Response);
  const response = result as Response;
  expect(response.headers.get("location")).toBeNull();
  return { status: response.status, body: await response.json() };
}

function redirected(result: AuthorizationRequest | Response) {
  expect(result).toBeInstanceOf(Response);
  const response = result as Response;
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

describe("authorization request (RFC 6749 §4.1.1)", () => {
  it("accepts a valid request and returns a serialisable value", async () => {
    const { parse, client } = await setup();
    const result = await parse({ scope: "read", resource: RESOURCE });
    expect(result).toEqual({
      client: { client_id: client.clientId },
      publicClient: true,
      redirectUri: "https://client.example.com/callback?tenant=1",
      redirectUriSent: true,
      scope: ["read"],
      state: "st@te 1",
      codeChallenge: RFC7636_CHALLENGE,
      codeChallengeMethod: "S256",
      resource: [RESOURCE],
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("accepts POST (RFC 6749 §3.1)", async () => {
    const { server, base } = await setup();
    const result = await server.parseAuthorizationRequest(
      new Request(`${ISSUER}/authorize`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(base).toString(),
      }),
    );
    expect(result).not.toBeInstanceOf(Response);
  });

  describe("errors about the client or redirect URI are not redirected (RFC 6749 §4.1.2.1)", () => {
    it("unknown client", async () => {
      const { parse } = await setup();
      expect(await direct(await parse({ client_id: "nobody" }))).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    });
    it("missing client_id", async () => {
      const { parse } = await setup();
      expect(await direct(await parse({ client_id: undefined }))).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    });
    it("unregistered redirect URI", async () => {
      const { parse } = await setup();
      expect(await direct(await parse({ redirect_uri: "https://evil.example.com/callback" }))).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    });
    it("a redirect URI that differs only by its query (exact match, OAuth 2.1 §2.3.1)", async () => {
      const { parse } = await setup();
      expect((await direct(await parse({ redirect_uri: "https://client.example.com/callback?tenant=2" }))).status).toBe(400);
      expect((await direct(await parse({ redirect_uri: "https://client.example.com/callback" }))).status).toBe(400);
    });
    it("a missing redirect URI when several are registered (RFC 6749 §3.1.2.3)", async () => {
      const { parse } = await setup();
      expect((await direct(await parse({ redirect_uri: undefined }))).body.error).toBe("invalid_request");
    });
    it("a repeated client_id or redirect_uri", async () => {
      const { parse, client } = await setup();
      expect((await direct(await parse({ client_id: [client.clientId, client.clientId] }))).body.error).toBe("invalid_request");
    });
    it("malformed percent-encoding", async () => {
      const { server } = await setup();
      const result = await server.parseAuthorizationRequest(new Request(`${ISSUER}/authorize?client_id=%ZZ`));
      expect((await direct(result)).status).toBe(400);
    });
  });

  it("uses the only registered redirect URI when none is sent (RFC 6749 §3.1.2.3)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { method: "none" });
    const result = await t.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
    );
    expect(result).toMatchObject({ redirectUri: client.record.redirect_uris[0], redirectUriSent: false });
  });

  it("accepts any port for a registered loopback IP redirect URI (RFC 8252 §7.3)", async () => {
    const { parse } = await setup();
    expect(await parse({ redirect_uri: "http://127.0.0.1:49152/cb" })).toMatchObject({ redirectUri: "http://127.0.0.1:49152/cb" });
    expect(await parse({ redirect_uri: "http://[::1]:8080/cb" })).toMatchObject({ redirectUri: "http://[::1]:8080/cb" });
    expect((await direct(await parse({ redirect_uri: "http://127.0.0.1:49152/other" }))).status).toBe(400);
    expect((await direct(await parse({ redirect_uri: "http://localhost:49152/cb" }))).status).toBe(400);
  });

  it("matches a host's pre-registered private-use scheme redirect URI exactly, whatever the scheme (RFC 8252 §7.1)", async () => {
    const { parse } = await setup();
    expect(await parse({ redirect_uri: "cursor://oauth/callback" })).toMatchObject({ redirectUri: "cursor://oauth/callback" });
  });

  describe("other errors are redirected with error, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2)", () => {
    it("unsupported response_type, keeping the redirect URI's own query", async () => {
      const { parse } = await setup();
      const location = redirected(await parse({ response_type: "token" }));
      expect(location.origin + location.pathname).toBe("https://client.example.com/callback");
      expect(location.searchParams.get("tenant")).toBe("1");
      expect(location.searchParams.get("error")).toBe("unsupported_response_type");
      expect(location.searchParams.get("error_description")).toBeTruthy();
      expect(location.searchParams.get("state")).toBe("st@te 1");
      expect(location.searchParams.get("iss")).toBe(ISSUER);
    });
    it("missing response_type", async () => {
      const { parse } = await setup();
      expect(redirected(await parse({ response_type: undefined })).searchParams.get("error")).toBe("invalid_request");
    });
    it("a repeated scope", async () => {
      const { parse } = await setup();
      expect(redirected(await parse({ scope: ["read", "write"] })).searchParams.get("error")).toBe("invalid_request");
    });
    it("an unsupported scope (invalid_scope)", async () => {
      const { parse } = await setup();
      expect(redirected(await parse({ scope: "admin" })).searchParams.get("error")).toBe("invalid_scope");
    });
    it("a scope beyond the client's registered scope", async () => {
      const t = createTestServer();
      const client = await registerClient(t.storage, { method: "none", scope: "read" });
      const result = await t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, scope: "read write", code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
      expect(redirected(result).searchParams.get("error")).toBe("invalid_scope");
    });
    it("a resource that is not an absolute URI, has a fragment, or is not served (RFC 8707 §2: invalid_target)", async () => {
      const { parse } = await setup();
      expect(redirected(await parse({ resource: "relative/path" })).searchParams.get("error")).toBe("invalid_target");
      expect(redirected(await parse({ resource: `${RESOURCE}#frag` })).searchParams.get("error")).toBe("invalid_target");
      expect(redirected(await parse({ resource: "https://unknown.example.com/" })).searchParams.get("error")).toBe("invalid_target");
    });
    it("no state parameter is added when the request had none", async () => {
      const { parse } = await setup();
      const location = redirected(await parse({ response_type: "token", state: undefined }));
      expect(location.searchParams.has("state")).toBe(false);
      expect(location.searchParams.get("iss")).toBe(ISSUER);
    });
    it("a client not registered for the code flow (unauthorized_client)", async () => {
      const t = createTestServer();
      const client = await registerClient(t.storage, { grantTypes: ["client_credentials"] });
      const result = await t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
      expect(redirected(result).searchParams.get("error")).toBe("unauthorized_client");
    });
  });

  it("accepts several resource indicators (RFC 8707 §2)", async () => {
    const { parse } = await setup();
    expect(await parse({ resource: [RESOURCE, "https://other.example.com/api"] })).toMatchObject({
      resource: [RESOURCE, "https://other.example.com/api"],
    });
  });

  it("defaults the resource to the first configured one, so every token has an audience", async () => {
    const { parse } = await setup();
    expect(await parse({})).toMatchObject({ resource: [RESOURCE] });
  });

  it("answers a storage failure with 500 server_error, reported to onError, never a throw", async () => {
    const reported: unknown[] = [];
    const { parse, storage } = await setup({ onError: (error: unknown) => reported.push(error) });
    storage.getClient = async () => {
      throw new Error("db down");
    };
    const result = await direct(await parse({}));
    expect(result).toEqual({ status: 500, body: { error: "server_error", error_description: "The server encountered an unexpected error." } });
    expect(reported).toHaveLength(1);
  });

  it("uses defaultScopes when scope is omitted", async () => {
    const { parse } = await setup({ defaultScopes: ["read"] });
    expect(await parse({})).toMatchObject({ scope: ["read"] });
  });
});

describe("authorization response (RFC 6749 §4.1.2, RFC 9207)", () => {
  it("redirects with code, state and iss", async () => {
    const { parse, server } = await setup();
    const request = (await parse({ scope: "read write" })) as AuthorizationRequest;
    const response = await server.issueAuthorizationCode(request, { subject: "alice" });
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get("state")).toBe("st@te 1");
    expect(location.searchParams.get("iss")).toBe(ISSUER);
    expect(location.searchParams.get("tenant")).toBe("1");
  });

  it("stores only the code's hash, bound to client, redirect URI, PKCE, scope and resource", async () => {
    const { parse, server, storage, client } = await setup();
    const request = (await parse({ scope: "read write" })) as AuthorizationRequest;
    const location = new URL((await server.issueAuthorizationCode(request, { subject: "alice", scope: ["read"], props: { upstream: "t" } })).headers.get("location")!);
    const code = location.searchParams.get("code")!;
    const { hashToken } = await import("../../src/index.js");
    expect(await storage.redeemAuthorizationCode(code)).toBeNull();
    const stored = await storage.redeemAuthorizationCode(hashToken(code));
    expect(stored?.code).toMatchObject({
      clientId: client.clientId,
      redirectUri: "https://client.example.com/callback?tenant=1",
      codeChallenge: RFC7636_CHALLENGE,
      codeChallengeMethod: "S256",
      scope: ["read"],
      resource: [RESOURCE],
      subject: "alice",
    });
    // The props are sealed (AES-GCM, key id "test"), never stored in clear.
    expect(stored!.code.props).toBeUndefined();
    expect(stored!.code.sealedProps).toMatch(/^test\.[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(stored)).not.toContain("upstream");
    expect(stored!.code.expiresAt - stored!.code.issuedAt).toBe(60);
  });

  it("refuses an approval wider than the request (a programmer error)", async () => {
    const { parse, server } = await setup();
    const request = (await parse({ scope: "read" })) as AuthorizationRequest;
    await expect(server.issueAuthorizationCode(request, { subject: "alice", scope: ["write"] })).rejects.toBeInstanceOf(TypeError);
    await expect(server.issueAuthorizationCode(request, { subject: "" })).rejects.toBeInstanceOf(TypeError);
  });

  it("redirects a denial with access_denied, state and iss", async () => {
    const { parse, server } = await setup();
    const request = (await parse({})) as AuthorizationRequest;
    const location = redirected(server.denyAuthorization(request));
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("st@te 1");
    expect(location.searchParams.get("iss")).toBe(ISSUER);
  });

  it("keeps a private-use scheme redirect working", async () => {
    const { parse, server } = await setup();
    const request = (await parse({ redirect_uri: "cursor://oauth/callback" })) as AuthorizationRequest;
    const location = (await server.issueAuthorizationCode(request, { subject: "a" })).headers.get("location")!;
    expect(location.startsWith("cursor://oauth/callback?code=")).toBe(true);
  });
});

describe("redirect URI matching: exact, only the port of a loopback URI may differ (RFC 6749 §3.1.2.3, RFC 8252 §7.3)", () => {
  const REGISTERED = ["http://127.0.0.1/cb", "http://[::1]/cb", "http://localhost/cb", "https://client.example.com/cb", "com.example.app:/cb"];

  // The same rule for a client the host put in the store and for one registered through RFC 7591.
  async function clients() {
    const t = createTestServer({ endpoints: { registration: "/register" } });
    const stored = await registerClient(t.storage, { method: "none", redirectUris: REGISTERED });
    const response = await t.server.handleRequest(
      new Request(`${ISSUER}/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ redirect_uris: REGISTERED, token_endpoint_auth_method: "none" }),
      }),
    );
    expect(response?.status).toBe(201);
    const registered = (await response!.json()).client_id as string;
    const parse = (clientId: string, redirectUri: string) =>
      t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, state: "s", code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
    return { parse, ids: [stored.clientId, registered] };
  }

  it.each([
    "http://127.0.0.1/cb",
    "http://127.0.0.1:5555/cb",
    "http://127.0.0.1:65535/cb",
    "http://[::1]:5555/cb",
    "http://localhost:5555/cb",
    "https://client.example.com/cb",
    "com.example.app:/cb",
  ])("%s matches", async (uri) => {
    const { parse, ids } = await clients();
    for (const id of ids) expect(await parse(id, uri)).toMatchObject({ redirectUri: uri, redirectUriSent: true });
  });

  it.each([
    ["127.1", "http://127.1:5555/cb"],
    ["a decimal IPv4", "http://2130706433:5555/cb"],
    ["a hex IPv4", "http://0x7f000001:5555/cb"],
    ["a dot segment", "http://127.0.0.1:5555/x/../cb"],
    ["an encoded dot segment", "http://127.0.0.1:5555/x/%2e%2e/cb"],
    ["a trailing dot on the host", "http://127.0.0.1.:5555/cb"],
    ["an upper-case scheme", "HTTP://127.0.0.1:5555/cb"],
    ["backslashes", "http:\\\\127.0.0.1:5555\\cb"],
    ["a backslash in the path", "http://127.0.0.1:5555\\cb"],
    ["an expanded IPv6 loopback", "http://[0:0:0:0:0:0:0:1]:5555/cb"],
    ["LOCALHOST", "http://LOCALHOST:5555/cb"],
    ["localhost. (trailing dot)", "http://localhost.:5555/cb"],
    ["another loopback host than registered", "http://127.0.0.2:5555/cb"],
    ["https instead of http on loopback", "https://127.0.0.1:5555/cb"],
    ["a different path", "http://127.0.0.1:5555/cb/"],
    ["a different case in the path", "http://127.0.0.1:5555/CB"],
    ["an added query", "http://127.0.0.1:5555/cb?x=1"],
    ["a fragment", "http://127.0.0.1:5555/cb#x"],
    ["credentials", "http://user@127.0.0.1:5555/cb"],
    ["an empty port", "http://127.0.0.1:/cb"],
    ["port 0", "http://127.0.0.1:0/cb"],
    ["a port over 65535", "http://127.0.0.1:65536/cb"],
    ["http on a port for a registered https URI", "http://client.example.com:8080/cb"],
    ["another port for a registered https URI", "https://client.example.com:8443/cb"],
    ["the default port written out for a registered https URI", "https://client.example.com:443/cb"],
    ["an upper-case host for a registered https URI", "https://CLIENT.example.com/cb"],
    ["a trailing slash variant of a private-use URI", "com.example.app:/cb/"],
    ["a private-use URI with an authority", "com.example.app://cb"],
  ])("%s does not match, and is answered 400 without a redirect (RFC 6749 §4.1.2.1)", async (_name, uri) => {
    const { parse, ids } = await clients();
    for (const id of ids) {
      expect(await direct(await parse(id, uri))).toEqual({
        status: 400,
        body: { error: "invalid_request", error_description: "The redirect_uri does not match a registered redirect URI." },
      });
    }
  });
});

describe("redirect URI matching: the loopback port exemption and nothing more (RFC 6749 §3.1.2.3, RFC 8252 §7.3)", () => {
  const refused = async (result: AuthorizationRequest | Response) => expect(await direct(result)).toMatchObject({ status: 400, body: { error: "invalid_request" } });

  it("does not extend the port exemption to a registered non-loopback URI, in http or https (OAuth 2.1 §2.3.1)", async () => {
    const { parse } = await setup();
    await refused(await parse({ redirect_uri: "http://client.example.com:8080/callback?tenant=1" }));
    await refused(await parse({ redirect_uri: "https://client.example.com:8443/callback?tenant=1" }));
    await refused(await parse({ redirect_uri: "http://client.example.com/callback?tenant=1" }));
  });

  it("keeps the exemption to http: another scheme on the loopback host must match exactly (RFC 8252 §7.3)", async () => {
    const { parse } = await setup();
    await refused(await parse({ redirect_uri: "https://127.0.0.1:8443/cb" }));
    await refused(await parse({ redirect_uri: "https://127.0.0.1/cb" }));
    await refused(await parse({ redirect_uri: "ws://[::1]:8080/cb" }));
  });

  it("ignores only the port: query, fragment, credentials and the other loopback address still count", async () => {
    const { parse } = await setup();
    await refused(await parse({ redirect_uri: "http://127.0.0.1:49152/cb?x=1" }));
    await refused(await parse({ redirect_uri: "http://127.0.0.1:49152/cb#f" }));
    await refused(await parse({ redirect_uri: "http://user@127.0.0.1:49152/cb" }));
    await refused(await parse({ redirect_uri: "http://user:pw@127.0.0.1:49152/cb" }));
    await refused(await parse({ redirect_uri: "http://127.0.0.1:49152/cb/" }));
    // The IPv4 and IPv6 loopback literals are two different registrations.
    const t = createTestServer();
    const v4only = await registerClient(t.storage, { method: "none", redirectUris: ["http://127.0.0.1/cb"] });
    const parseV4 = (redirect_uri: string) =>
      t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: v4only.clientId, redirect_uri, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
    await refused(await parseV4("http://[::1]:49152/cb"));
    expect(await parseV4("http://127.0.0.1:49152/cb")).toMatchObject({ redirectUri: "http://127.0.0.1:49152/cb", redirectUriSent: true });
  });

  it("exempts only http loopback registrations, and never matches an unparsable request (RFC 8252 §7.3)", async () => {
    expect(isLoopbackRedirectUri("http://127.0.0.1:8080/cb")).toBe(true);
    expect(isLoopbackRedirectUri("http://[::1]/cb")).toBe(true);
    expect(isLoopbackRedirectUri("https://127.0.0.1/cb")).toBe(false);
    // localhost counts (native MCP clients register it), written exactly so (RFC 8252 §8.3 prefers the literals).
    expect(isLoopbackRedirectUri("http://localhost/cb")).toBe(true);
    expect(isLoopbackRedirectUri("http://LOCALHOST/cb")).toBe(false);
    expect(isLoopbackRedirectUri("not a uri")).toBe(false);
    // A registered https loopback URI is matched exactly, like any other.
    expect(redirectUriMatches("http://127.0.0.1:8080/cb", "https://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("https://127.0.0.1:8443/cb", "https://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("not a uri", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://:pw@127.0.0.1:8080/cb", "http://127.0.0.1/cb")).toBe(false);
    expect(findRegisteredRedirectUri("http://[::1]:9/cb", ["http://127.0.0.1/cb", "http://[::1]/cb"])).toBe("http://[::1]/cb");
    expect(findRegisteredRedirectUri("http://[::1]:9/other", ["http://127.0.0.1/cb", "http://[::1]/cb"])).toBeUndefined();
  });

  it("gives a registered localhost URI the loopback port exemption, and nothing more (RFC 8252 §7.3, §8.3)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { method: "none", redirectUris: ["http://localhost/cb"] });
    const parse = (redirect_uri: string) =>
      t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, redirect_uri, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
    expect(await parse("http://localhost:3000/cb")).toMatchObject({ redirectUri: "http://localhost:3000/cb" });
    expect(await parse("http://localhost/cb")).toMatchObject({ redirectUri: "http://localhost/cb" });
    await refused(await parse("http://localhost:3000/other"));
    await refused(await parse("http://127.0.0.1:3000/cb"));
  });
});

describe("the scope of an authorization request (RFC 6749 §3.3)", () => {
  const scopeOf = async (scope: string | undefined, config = {}, clientScope?: string) => {
    const t = createTestServer(config);
    const client = await registerClient(t.storage, { method: "none", ...(clientScope === undefined ? {} : { scope: clientScope }) });
    const result = await t.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, scope, state: "s", code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
    );
    if (!(result instanceof Response)) return result.scope;
    const location = new URL(result.headers.get("location")!);
    return `${location.searchParams.get("error")}: ${location.searchParams.get("error_description")}`;
  };

  it("splits on spaces, drops empty tokens and duplicates, keeps the order", async () => {
    expect(await scopeOf("write  read write ")).toEqual(["write", "read"]);
    expect(await scopeOf(" read")).toEqual(["read"]);
  });

  it("accepts every scope-token character and refuses the others: \" and \\ and anything outside %x21-7E (§3.3)", async () => {
    const odd = ["!", "#", "[", "]", "~", "a:b/c", "x=y", "Z"];
    expect(await scopeOf(odd.join(" "), { scopesSupported: undefined })).toEqual(odd);
    for (const bad of ['a"b', "a\\b", "caf\u00e9", "tab\tx", "\u007f"]) {
      expect(await scopeOf(`read ${bad}`, { scopesSupported: undefined })).toBe("invalid_scope: The scope contains invalid characters.");
    }
  });

  it("parses an absent scope parameter to no scope at all", () => {
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope("")).toEqual([]);
  });

  it("grants the default scopes when none is requested, and anything when the server lists no scopes", async () => {
    expect(await scopeOf(undefined, { defaultScopes: ["read", "write"] })).toEqual(["read", "write"]);
    expect(await scopeOf(undefined)).toEqual([]);
    expect(await scopeOf("anything at:all", { scopesSupported: undefined })).toEqual(["anything", "at:all"]);
  });

  it("requires every token to be supported and within the client's registered scope", async () => {
    expect(await scopeOf("read admin")).toBe("invalid_scope: The requested scope is not supported.");
    expect(await scopeOf("read write", {}, "read")).toBe("invalid_scope: The requested scope exceeds what the client is registered for.");
    expect(await scopeOf("read", {}, "write read")).toEqual(["read"]);
    // The default scopes are held to the same limits.
    expect(await scopeOf(undefined, { defaultScopes: ["write"] }, "read")).toBe("invalid_scope: The requested scope exceeds what the client is registered for.");
  });
});

describe("redirectUriProblem: the registration rule, refusal by refusal (RFC 8252 §7, RFC 6749 §3.1.2, RFC 3986)", () => {
  const CHARS = "must contain only URI characters (RFC 3986 §2): no spaces, control characters, backslashes or non-ASCII";
  const HTTP = "must use https, except on a loopback host written 127.0.0.1, [::1] or localhost (RFC 8252 §7.3)";
  const HOST = "must be a valid https URI with a host";
  const DOTS = "must not contain dot segments";
  const CREDS = "must not contain credentials";
  const PUBLIC_ONLY = "may use a private-use scheme only for a public client (RFC 8252 §7.1, §8.4)";
  const notReverse = (scheme: string) =>
    `must use https, loopback http, or a private-use scheme in reverse-domain form such as com.example.app: (RFC 8252 §7.1), not ${scheme}:`;
  const pub = { publicClient: true };

  it("refuses characters outside RFC 3986 §2 anywhere in the URI, and admits every one inside it", () => {
    for (const uri of ["https://a.example/c b", " https://a.example/cb", "https://a.example/cb ", "https://a.example/\\cb", "https://a.example/caf\u00e9", "https://a.example/a\nb", "https://a.example/{x}"]) {
      expect(redirectUriProblem(uri), uri).toBe(CHARS);
    }
    expect(redirectUriProblem("https://a.example/AZaz09-._~:/?[]@!$&'()*+,;=%41")).toBeUndefined();
  });

  it("refuses a malformed percent-encoding (RFC 3986 §2.1) and admits a well-formed one in either case", () => {
    expect(redirectUriProblem("https://a.example/%zz")).toBe("must not contain a malformed percent-encoding");
    expect(redirectUriProblem("https://a.example/%4")).toBe("must not contain a malformed percent-encoding");
    expect(redirectUriProblem("https://a.example/cb%")).toBe("must not contain a malformed percent-encoding");
    expect(redirectUriProblem("https://a.example/%4g")).toBe("must not contain a malformed percent-encoding");
    expect(redirectUriProblem("https://a.example/%aF%09")).toBeUndefined();
  });

  it("tells a relative URI from an upper-case scheme (RFC 3986 §3.1)", () => {
    expect(redirectUriProblem("/cb")).toBe("must be an absolute URI");
    expect(redirectUriProblem("/a:b")).toBe("must be an absolute URI");
    expect(redirectUriProblem("1https://a.example/cb")).toBe("must be an absolute URI");
    expect(redirectUriProblem("")).toBe("must be an absolute URI");
    expect(redirectUriProblem("HTTPS://a.example/cb")).toBe("must write its scheme in lower case");
    expect(redirectUriProblem("httpS://a.example/cb")).toBe("must write its scheme in lower case");
    expect(redirectUriProblem("Com.Example.App:/cb", pub)).toBe("must write its scheme in lower case");
  });

  it("refuses a fragment, even an empty one (RFC 6749 §3.1.2)", () => {
    expect(redirectUriProblem("https://a.example/cb#x")).toBe("must not contain a fragment (RFC 6749 §3.1.2)");
    expect(redirectUriProblem("https://a.example/cb#")).toBe("must not contain a fragment (RFC 6749 §3.1.2)");
  });

  it("refuses what a URL parser rejects", () => {
    expect(redirectUriProblem("https://")).toBe("must be a valid URI");
    expect(redirectUriProblem("http://[::1/cb")).toBe("must be a valid URI");
  });

  it("refuses credentials: a user, a password, or a bare @ in the authority (RFC 3986 §3.2.1)", () => {
    expect(redirectUriProblem("https://user@a.example/cb")).toBe(CREDS);
    expect(redirectUriProblem("https://:pw@a.example/cb")).toBe(CREDS);
    expect(redirectUriProblem("https://@a.example/cb")).toBe(CREDS);
    expect(redirectUriProblem("http://@127.0.0.1/cb")).toBe(CREDS);
    // Without "//" a URL parser still reads credentials into a special scheme's authority.
    expect(redirectUriProblem("https:user@a.example/cb")).toBe(CREDS);
    expect(redirectUriProblem("https::pw@a.example/cb")).toBe(CREDS);
    // An empty user and password leave nothing in the parsed URL: only the string shows them.
    expect(redirectUriProblem("https://:@a.example/cb")).toBe(CREDS);
    // An @ after the authority is part of the path or query.
    expect(redirectUriProblem("https://a.example/cb?next=x://y@z")).toBeUndefined();
    expect(redirectUriProblem("https://a.example/@me?u=x@y")).toBeUndefined();
    expect(redirectUriProblem("https://a.example?u=x@y")).toBeUndefined();
  });

  it("refuses dot segments in the path, not dots elsewhere (RFC 3986 §3.3)", () => {
    for (const uri of ["https://a.example/./cb", "https://a.example/x/../cb", "https://a.example/cb/..", "https://a.example/cb/.", "https://a.example/x/..?q=1", "com.example.app:/../cb"]) {
      expect(redirectUriProblem(uri, pub), uri).toBe(DOTS);
    }
    for (const uri of ["https://a.example/.well-known/cb", "https://a.example/..x/cb", "https://a.example/cb?next=/../x", "https://a.example/cb?next=/."]) {
      expect(redirectUriProblem(uri), uri).toBeUndefined();
    }
  });

  it("requires an https URI to write its authority out (RFC 6749 §3.1.2.1)", () => {
    expect(redirectUriProblem("https:cb")).toBe(HOST);
    expect(redirectUriProblem("https:/cb")).toBe(HOST);
    expect(redirectUriProblem("https:///cb")).toBe(HOST);
    expect(redirectUriProblem("https:/x?u=https://a.example")).toBe(HOST);
    expect(redirectUriProblem("https://a.example")).toBeUndefined();
    expect(redirectUriProblem("https://a.example:8443/cb?x=1")).toBeUndefined();
  });

  it("admits http only on a loopback host written exactly so, with a port from 1 to 65535 (RFC 8252 §7.3, §8.3)", () => {
    for (const uri of ["http://127.0.0.1", "http://127.0.0.1/cb", "http://[::1]:1/cb", "http://localhost:65535/cb", "http://localhost?x=1", "http://127.0.0.1:8080"]) {
      expect(redirectUriProblem(uri), uri).toBeUndefined();
    }
    for (const uri of ["http://a.example/cb", "http://127.0.0.1:0/cb", "http://127.0.0.1:08080/cb", "http://127.0.0.1:/cb", "http://127.0.0.1.a.example/cb", "http://127.0.0.2/cb", "http://localhost.a.example/cb", "http://127.0.0.1cb"]) {
      expect(redirectUriProblem(uri), uri).toBe(HTTP);
    }
    // A port above 65535 is already a parse failure; redirectUriMatches checks the range itself.
    expect(redirectUriProblem("http://127.0.0.1:65536/cb")).toBe("must be a valid URI");
  });

  it("names each local or script scheme it refuses (RFC 8252 §8.4)", () => {
    const uris: Record<string, string> = {
      javascript: "javascript:alert(1)",
      data: "data:text/html,x",
      vbscript: "vbscript:x",
      file: "file:///etc/passwd",
      blob: "blob:https://a.example/x",
      about: "about:blank",
      "view-source": "view-source:https://a.example/",
      filesystem: "filesystem:https://a.example/temporary/x",
      jar: "jar:file:/x!/y",
    };
    for (const [scheme, uri] of Object.entries(uris)) {
      expect(redirectUriProblem(uri, pub), uri).toBe(`must not use the ${scheme}: scheme`);
    }
  });

  it("admits a reverse-domain private-use scheme for a public client only, with a path (RFC 8252 §7.1, §8.4)", () => {
    expect(redirectUriProblem("com.example.app:/cb", pub)).toBeUndefined();
    expect(redirectUriProblem("com.example-app.x9:/cb", pub)).toBeUndefined();
    expect(redirectUriProblem("com.example.app:cb", pub)).toBeUndefined();
    expect(redirectUriProblem("com.example.app:/cb")).toBe(PUBLIC_ONLY);
    expect(redirectUriProblem("com.example.app:/cb", { publicClient: false })).toBe(PUBLIC_ONLY);
    expect(redirectUriProblem("com.example.app:", pub)).toBe("must have a path after its scheme");
    for (const scheme of ["myapp", "com.", "com.example+x", "x+com.example", "ws", "mailto", "com..app"]) {
      expect(redirectUriProblem(`${scheme}:/cb`, pub), scheme).toBe(notReverse(scheme));
    }
  });

  it("admits a one-word scheme only when the host lists it, and still only for a public client", () => {
    expect(redirectUriProblem("cursor://cb", { publicClient: true, privateUseSchemes: ["cursor"] })).toBeUndefined();
    expect(redirectUriProblem("cursor://cb", { publicClient: true, privateUseSchemes: ["other"] })).toBe(notReverse("cursor"));
    expect(redirectUriProblem("cursor://cb", { privateUseSchemes: ["cursor"] })).toBe(PUBLIC_ONLY);
    expect(redirectUriProblem("cursor:", { publicClient: true, privateUseSchemes: ["cursor"] })).toBe("must have a path after its scheme");
  });
});

describe("isLoopbackHost, isAdmissiblePrivateUseScheme and loopback matching, exactly (RFC 8252 §7.1, §7.3)", () => {
  it("names the three loopback hosts as written", () => {
    for (const host of ["127.0.0.1", "[::1]", "localhost"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["::1", "LOCALHOST", "127.0.0.2", "", "localhost."]) expect(isLoopbackHost(host), host).toBe(false);
  });

  it("admits a lower-case scheme that is neither a web, local nor script scheme", () => {
    for (const scheme of ["cursor", "my-app", "a+b.c", "x1"]) expect(isAdmissiblePrivateUseScheme(scheme), scheme).toBe(true);
    const refused = ["http", "https", "ws", "wss", "ftp", "mailto", "tel", "urn", "localhost", "chrome", "about"];
    refused.push("javascript", "data", "vbscript", "file", "blob", "view-source", "filesystem", "jar");
    refused.push("Cursor", "1app", "", "my app", "cursor:", "-app");
    for (const scheme of refused) expect(isAdmissiblePrivateUseScheme(scheme), scheme).toBe(false);
  });

  it("lets only the port vary, and only under a loopback registration (RFC 8252 §7.3)", () => {
    expect(redirectUriMatches("https://a.example/cb", "https://a.example/cb")).toBe(true);
    expect(redirectUriMatches("https://a.example:443/cb", "https://a.example/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:5000/cb?x=1", "http://127.0.0.1/cb?x=1")).toBe(true);
    expect(redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb")).toBe(true);
    expect(redirectUriMatches("http://127.0.0.1:5000", "http://127.0.0.1")).toBe(true);
    expect(redirectUriMatches("http://localhost:5000/cb", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:5000/cb2", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:5000/cb", "http://127.0.0.1/cb2")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:0/cb", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:65536/cb", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:65535/cb", "http://127.0.0.1/cb")).toBe(true);
    expect(redirectUriMatches("http://127.0.0.1:99999/cb", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:123456/cb", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:08080/cb", "http://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("http://127.0.0.1:1/cb", "http://127.0.0.1/cb")).toBe(true);
    // Only a URI that starts with http:// is a loopback one.
    expect(isLoopbackRedirectUri("xhttp://127.0.0.1/cb")).toBe(false);
    expect(redirectUriMatches("xhttp://127.0.0.1:5/cb", "xhttp://127.0.0.1/cb")).toBe(false);
    // The loopback pattern spans line breaks: a registered URI is compared as a whole string.
    expect(redirectUriMatches("http://127.0.0.1:5/a\nb", "http://127.0.0.1/a\nb")).toBe(true);
    expect(redirectUriMatches("http://127.0.0.1:5/a\nc", "http://127.0.0.1/a\nb")).toBe(false);
    expect(findRegisteredRedirectUri("https://a.example/cb", [])).toBeUndefined();
    expect(findRegisteredRedirectUri("https://a.example/cb", ["https://b.example/cb", "https://a.example/cb"])).toBe("https://a.example/cb");
  });
});
