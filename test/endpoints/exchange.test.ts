/**
 * The HTTP-free endpoint cores (EndpointRequest -> EndpointResult) and tokenResponse: the same
 * answers as the Web handlers, with no Request or Response involved.
 */
import { describe, expect, it } from "vitest";
import {
  type EndpointRequest,
  createMemoryStorage,
  exchangeAuthorizationCode,
  hashToken,
  processIntrospectionRequest,
  processRevocationRequest,
  processTokenRequest,
  tokenResponse,
} from "../../src/index.js";
import { RFC7636_VERIFIER } from "../support/fixtures.js";
import { grantSetup } from "../grants/support.js";

const FORM = "application/x-www-form-urlencoded";

function post(body: EndpointRequest["body"], authorization?: string): EndpointRequest {
  return { method: "POST", headers: { contentType: FORM, authorization }, body };
}

describe("tokenResponse (RFC 6749 §5.1)", () => {
  it("answers 200 JSON with Cache-Control: no-store and Pragma: no-cache, and the RFC 6749 §5.1 members", async () => {
    const t = grantSetup();
    const tokens = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, t.deps);
    const response = tokenResponse(tokens);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(await response.json()).toEqual({
      access_token: tokens.accessToken,
      token_type: "Bearer",
      expires_in: 3600,
      scope: "read write",
      refresh_token: tokens.refreshToken,
    });
  });

  it("leaves refresh_token out when none was issued", async () => {
    const response = tokenResponse({ accessToken: "a", tokenType: "Bearer", expiresIn: 10, scope: [], grantId: "g", subject: "s", audience: [] });
    expect(await response.json()).toEqual({ access_token: "a", token_type: "Bearer", expires_in: 10, scope: "" });
  });
});

describe("processTokenRequest: plain request in, plain result out (RFC 6749 §3.2)", () => {
  async function setup() {
    const t = grantSetup();
    await t.storage.createClient(t.client);
    const ctx = { policy: t.policy, storage: t.storage, getClient: t.storage.getClient, now: t.clock.now };
    return { t, ctx };
  }

  it("exchanges a code from a body string and from decoded entries alike", async () => {
    const { t, ctx } = await setup();
    const body = `grant_type=authorization_code&client_id=app&code=${await t.code()}&code_verifier=${RFC7636_VERIFIER}`;
    const result = await processTokenRequest(post(body), ctx);
    expect(result.status).toBe(200);
    expect(result.headers).toEqual({ "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" });
    expect(JSON.parse(result.body)).toMatchObject({ token_type: "Bearer", expires_in: 3600 });

    const entries = new URLSearchParams({ grant_type: "authorization_code", client_id: "app", code: await t.code(), code_verifier: RFC7636_VERIFIER });
    expect((await processTokenRequest(post(entries), ctx)).status).toBe(200);
  });

  it("answers 405 with Allow: POST, 400 for a wrong content type, 413 past maxBodyBytes", async () => {
    const { ctx } = await setup();
    const get = await processTokenRequest({ method: "GET", headers: {}, body: "" }, ctx);
    expect(get).toMatchObject({ status: 405, headers: { Allow: "POST" } });
    const json = await processTokenRequest({ method: "POST", headers: { contentType: "application/json" }, body: "{}" }, ctx);
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body)).toEqual({ error: "invalid_request", error_description: `The request body must be ${FORM}.` });
    const big = await processTokenRequest(post(`grant_type=${"é".repeat(40_000)}`), ctx);
    expect(big.status).toBe(413);
  });

  it("refuses a repeated parameter (RFC 6749 §3.2) and an unknown grant type (§5.2)", async () => {
    const { ctx } = await setup();
    const repeated = await processTokenRequest(post("grant_type=refresh_token&grant_type=refresh_token"), ctx);
    expect(JSON.parse(repeated.body)).toEqual({ error: "invalid_request", error_description: 'The "grant_type" parameter is included more than once.' });
    expect(JSON.parse((await processTokenRequest(post("grant_type=password"), ctx)).body).error).toBe("unsupported_grant_type");
  });

  it("answers invalid_client with 401 and a Basic challenge naming the issuer (RFC 6749 §5.2)", async () => {
    const { ctx } = await setup();
    const result = await processTokenRequest(post("grant_type=refresh_token&refresh_token=x", `Basic ${btoa("app:wrong")}`), ctx);
    expect(result.status).toBe(401);
    expect(result.headers["WWW-Authenticate"]).toBe('Basic realm="https://as.example.com", charset="UTF-8"');
  });

  it("turns a failing store into 500 server_error, reported, never thrown", async () => {
    const { t, ctx } = await setup();
    const reported: unknown[] = [];
    const failing = { ...t.storage, redeemAuthorizationCode: () => Promise.reject(new Error("store down")) };
    const result = await processTokenRequest(post(`grant_type=authorization_code&client_id=app&code=x&code_verifier=${RFC7636_VERIFIER}`), {
      ...ctx,
      storage: failing,
      report: (error) => reported.push(error),
    });
    expect(result.status).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ error: "server_error", error_description: "The server encountered an unexpected error." });
    expect(reported).toHaveLength(1);
  });
});

describe("processRevocationRequest and processIntrospectionRequest (RFC 7009, RFC 7662)", () => {
  it("revoke a refresh token's grant, then introspect it as inactive; empty 200 body for revocation", async () => {
    const t = grantSetup({}, { token_endpoint_auth_method: "client_secret_post", client_secret_hash: hashToken("secret") });
    await t.storage.createClient(t.client);
    const ctx = { policy: t.policy, storage: t.storage, getClient: t.storage.getClient, now: t.clock.now };
    const tokens = await exchangeAuthorizationCode({ client: t.client, code: await t.code(), codeVerifier: RFC7636_VERIFIER }, t.deps);
    const auth = "client_id=app&client_secret=secret";

    const active = await processIntrospectionRequest(post(`${auth}&token=${tokens.accessToken}`), ctx);
    expect(JSON.parse(active.body)).toMatchObject({ active: true, client_id: "app", sub: "alice", token_type: "Bearer", iss: "https://as.example.com" });

    const revoked = await processRevocationRequest(post(`${auth}&token=${tokens.refreshToken}&token_type_hint=refresh_token`), ctx);
    expect(revoked).toEqual({ status: 200, headers: { "Cache-Control": "no-store" }, body: "" });

    const inactive = await processIntrospectionRequest(post(`${auth}&token=${tokens.accessToken}`), ctx);
    expect(JSON.parse(inactive.body)).toEqual({ active: false });
  });

  it("introspection refuses a public client: it proves nothing by naming itself (RFC 7662 §2.1)", async () => {
    const storage = createMemoryStorage();
    const t = grantSetup();
    await storage.createClient(t.client);
    const result = await processIntrospectionRequest(post("client_id=app&token=x"), { policy: t.policy, storage, getClient: storage.getClient });
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body).error).toBe("invalid_client");
  });
});
