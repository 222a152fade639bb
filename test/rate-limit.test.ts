/**
 * The rateLimit hook: asked before every endpoint does any work, with the endpoint, the client the
 * request names and the request; a refusal is 429 with Retry-After (RFC 6585 §4, RFC 9110
 * §10.2.3) in the endpoint's OAuth error shape, and nothing is read from the store.
 */
import { describe, expect, it } from "vitest";
import type { AuthorizationServerConfig, RateLimitInput, RateLimitRefusal } from "../src/index.js";
import { ISSUER, RFC7636_CHALLENGE, authorizeUrl, basicAuth, createTestServer, formRequest, registerClient } from "./support/fixtures.js";

function limited(verdict: (input: RateLimitInput) => RateLimitRefusal | undefined, overrides: Partial<AuthorizationServerConfig> = {}) {
  const asked: Omit<RateLimitInput, "request">[] = [];
  const errors: unknown[] = [];
  const t = createTestServer({
    endpoints: { registration: "/register" },
    rateLimit: (input) => {
      asked.push({ endpoint: input.endpoint, clientId: input.clientId });
      return verdict(input);
    },
    onError: (error) => void errors.push(error),
    ...overrides,
  });
  // Every store read counted: a refused request must not reach the store.
  let storeCalls = 0;
  for (const method of ["getClient", "countClients", "getAccessToken", "getGrantByRefreshFamily", "redeemAuthorizationCode"] as const) {
    const original = t.storage[method].bind(t.storage) as (...args: unknown[]) => unknown;
    (t.storage as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => (storeCalls++, original(...args));
  }
  return { ...t, asked, errors, storeCalls: () => storeCalls };
}

async function expect429(response: Response, retryAfter: string) {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(retryAfter);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(await response.json()).toEqual({ error: "temporarily_unavailable", error_description: `Too many requests: retry after ${retryAfter} seconds.` });
}

const refuseAll = () => ({ retryAfter: 30 });

/** A form POST whose body is a stream without Content-Length: it can be read only once. */
function oneShotFormRequest(url: string, body: string, headers: Record<string, string> = {}): Request {
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: stream,
    duplex: "half",
  } as RequestInit);
}

/** A form POST with the body text as given (formRequest would encode it). */
function formRequestOf(url: string, body: string): Request {
  return new Request(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
}

describe("rateLimit hook (docs/production.md#rate-limiting)", () => {
  it("token endpoint: 429 JSON with Retry-After, told the Basic user name, before any storage call", async () => {
    const t = limited(refuseAll);
    const response = await t.server.handleTokenRequest(
      formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x" }, { Authorization: basicAuth("app", "secret") }),
    );
    await expect429(response, "30");
    expect(t.asked).toEqual([{ endpoint: "token", clientId: "app" }]);
    expect(t.storeCalls()).toBe(0);
  });

  it("token endpoint: a public client is named by its client_id parameter; handleRequest answers the same", async () => {
    const t = limited(refuseAll);
    const response = await t.server.handleRequest(formRequest(`${ISSUER}/token`, { grant_type: "authorization_code", code: "c", client_id: "public-app" }));
    await expect429(response!, "30");
    expect(response!.headers.get("access-control-allow-origin")).toBe("*");
    expect(t.asked).toEqual([{ endpoint: "token", clientId: "public-app" }]);
  });

  it("revocation and introspection endpoints: the same answer, each named", async () => {
    const t = limited(refuseAll);
    const auth = { Authorization: basicAuth("rs", "secret") };
    await expect429(await t.server.handleRevocationRequest(formRequest(`${ISSUER}/revoke`, { token: "t" }, auth)), "30");
    await expect429(await t.server.handleIntrospectionRequest(formRequest(`${ISSUER}/introspect`, { token: "t" }, auth)), "30");
    expect(t.asked).toEqual([
      { endpoint: "revocation", clientId: "rs" },
      { endpoint: "introspection", clientId: "rs" },
    ]);
    expect(t.storeCalls()).toBe(0);
  });

  it("registration: a new registration (no client yet) and an RFC 7592 request (its client)", async () => {
    const t = limited(refuseAll);
    const register = new Request(`${ISSUER}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["https://app.example/cb"] }),
    });
    await expect429(await t.server.handleRegistrationRequest(register), "30");
    await expect429(await t.server.handleRegistrationRequest(new Request(`${ISSUER}/register/some-client`, { headers: { Authorization: "Bearer x" } })), "30");
    expect(t.asked).toEqual([
      { endpoint: "registration", clientId: undefined },
      { endpoint: "registration", clientId: "some-client" },
    ]);
    expect(t.storeCalls()).toBe(0);
    expect(await t.storage.countClients()).toBe(0);
  });

  it("authorization request parsing: a 429 Response the host returns as is (not a redirect: nothing is validated yet)", async () => {
    const t = limited(refuseAll);
    const client = await registerClient(t.storage);
    const parsed = await t.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
    );
    expect(parsed).toBeInstanceOf(Response);
    expect((parsed as Response).headers.get("location")).toBeNull();
    await expect429(parsed as Response, "30");
    expect(t.asked).toEqual([{ endpoint: "authorization", clientId: client.clientId }]);
  });

  it("reads a one-shot body stream once for both the hook and the endpoint: client_id from the form body (RFC 6749 §2.3.1 client_secret_post), then a token", async () => {
    const t = limited(() => undefined);
    const client = await registerClient(t.storage, { method: "client_secret_post", grantTypes: ["client_credentials"] });
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.secret! });
    // A stream (no Content-Length) can be consumed only once: a second read of the request would throw.
    const response = await t.server.handleTokenRequest(oneShotFormRequest(`${ISSUER}/token`, form.toString()));
    expect(response.status).toBe(200);
    expect((await response.json()).token_type).toBe("Bearer");
    expect(t.asked).toEqual([{ endpoint: "token", clientId: client.clientId }]);
    expect(t.errors).toEqual([]);
  });

  it("reads a one-shot body stream once with Basic credentials too (RFC 6749 §2.3.1): the hook is told the Basic user name, the revocation endpoint answers 200 (RFC 7009 §2.2)", async () => {
    const t = limited(() => undefined);
    const client = await registerClient(t.storage);
    const response = await t.server.handleRevocationRequest(
      oneShotFormRequest(`${ISSUER}/revoke`, "token=unknown-token&client_id=not-the-basic-one", { Authorization: basicAuth(client.clientId, client.secret!) }),
    );
    // Basic wins over the client_id parameter for the hook; the endpoint then refuses the mismatch (RFC 6749 §2.3: one method only).
    expect(t.asked).toEqual([{ endpoint: "revocation", clientId: client.clientId }]);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("invalid_request");

    const plain = await t.server.handleRevocationRequest(
      oneShotFormRequest(`${ISSUER}/revoke`, "token=unknown-token", { Authorization: basicAuth(client.clientId, client.secret!) }),
    );
    expect(plain.status).toBe(200);
    expect(t.asked).toEqual([
      { endpoint: "revocation", clientId: client.clientId },
      { endpoint: "revocation", clientId: client.clientId },
    ]);
  });

  it("a body the strict parser refuses names no client to the hook, and is still the endpoint's 400 when let through (RFC 6749 §3.2)", async () => {
    const t = limited(() => undefined);
    const malformed = await t.server.handleTokenRequest(formRequestOf(`${ISSUER}/token`, "grant_type=client_credentials&client_id=app&scope=%ZZ"));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: "invalid_request", error_description: "The request contains malformed percent-encoding." });
    const repeated = await t.server.handleTokenRequest(formRequestOf(`${ISSUER}/token`, "grant_type=client_credentials&client_id=app&client_id=other"));
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toEqual({ error: "invalid_request", error_description: 'The "client_id" parameter is included more than once.' });
    const empty = await t.server.handleTokenRequest(formRequestOf(`${ISSUER}/token`, "grant_type=client_credentials&client_id="));
    expect(empty.status).toBe(401); // an empty value is absent (RFC 6749 §3.1): no client authenticates
    expect((await empty.json()).error).toBe("invalid_client");
    expect(t.asked).toEqual([
      { endpoint: "token", clientId: undefined },
      { endpoint: "token", clientId: "app" },
      { endpoint: "token", clientId: undefined },
    ]);
    expect(t.storeCalls()).toBe(0);
  });

  it("the hook is asked before the method check: a GET with Basic credentials is told its client, then refused 429", async () => {
    const t = limited(refuseAll);
    await expect429(await t.server.handleTokenRequest(new Request(`${ISSUER}/token`, { headers: { Authorization: basicAuth("app", "s") } })), "30");
    expect(t.asked).toEqual([{ endpoint: "token", clientId: "app" }]);
  });

  it("lets requests through when the hook returns nothing, and rounds retryAfter up to whole seconds", async () => {
    let allow = true;
    const t = limited(() => (allow ? undefined : { retryAfter: 1.2 }));
    const client = await registerClient(t.storage);
    const authorization = () =>
      t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
    expect(await authorization()).not.toBeInstanceOf(Response);
    const token = await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x" }, { Authorization: basicAuth(client.clientId, client.secret!) }));
    expect(token.status).toBe(400); // the grant's own answer: the hook let it through
    allow = false;
    await expect429((await authorization()) as Response, "2");
  });

  it("a hook that throws (or answers a bad retryAfter) is 500 server_error, reported to onError", async () => {
    const failing = limited(() => {
      throw new Error("limiter down");
    });
    const response = await failing.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x", client_id: "a" }));
    expect(response.status).toBe(500);
    expect((await response.json()).error).toBe("server_error");
    expect((failing.errors[0] as Error).message).toBe("limiter down");
    const registration = await failing.server.handleRegistrationRequest(new Request(`${ISSUER}/register`, { method: "POST", body: "{}" }));
    expect(registration.status).toBe(500);

    const bad = limited(() => ({ retryAfter: Number.NaN }));
    const answer = await bad.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x", client_id: "a" }));
    expect(answer.status).toBe(500);
    expect((bad.errors[0] as Error).message).toBe("rateLimit: retryAfter must be a non-negative number of seconds.");
  });

  it("is not asked for metadata documents or CORS preflights", async () => {
    const t = limited(refuseAll);
    expect((await t.server.handleRequest(new Request(`${ISSUER}/.well-known/oauth-authorization-server`)))?.status).toBe(200);
    expect((await t.server.handleRequest(new Request(`${ISSUER}/token`, { method: "OPTIONS" })))?.status).toBe(204);
    expect(t.asked).toEqual([]);
  });

  it("refuses a hook that is not a function at startup, naming the option", () => {
    expect(() => createTestServer({ rateLimit: 5 as never })).toThrow(new TypeError("rateLimit must be a function."));
  });
});
