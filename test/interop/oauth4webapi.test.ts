/**
 * Interop: the whole flow driven by oauth4webapi as the client, over real HTTP on 127.0.0.1.
 */
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientAuthenticationMethod,
  createMemoryStorage,
  generateToken,
  hashToken,
} from "../../src/index.js";
import { registerClient } from "../support/fixtures.js";
import { type RunningServer, serveApprovingHost } from "../support/http.js";

const insecure = { [oauth.allowInsecureRequests]: true };
const REDIRECT_URI = "http://127.0.0.1/callback";

let running: RunningServer;
const storage = createMemoryStorage();

beforeAll(async () => {
  running = await serveApprovingHost((origin) => ({
    issuer: origin,
    storage,
    scopesSupported: ["read", "write"],
    resources: [`${origin}/api`],
    introspectionCredentials: [{ id: "rs", secretHash: hashToken("rs-secret") }],
  }));
});

afterAll(() => running.close());

async function register(method: ClientAuthenticationMethod, chosenSecret?: string) {
  const clientId = `interop-${method}-${generateToken().slice(0, 6)}`;
  const { secret } = await registerClient(storage, { method, clientId, redirectUris: [REDIRECT_URI], ...(chosenSecret === undefined ? {} : { secret: chosenSecret }) });
  const auth = method === "client_secret_basic" ? oauth.ClientSecretBasic(secret!) : method === "client_secret_post" ? oauth.ClientSecretPost(secret!) : oauth.None();
  return { client: { client_id: clientId } satisfies oauth.Client, auth };
}

async function discover() {
  const issuer = new URL(running.url);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
}

async function authorize(as: oauth.AuthorizationServer, client: oauth.Client) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", client.client_id);
  // Loopback redirect: any port is accepted (RFC 8252 §7.3).
  url.searchParams.set("redirect_uri", "http://127.0.0.1:53123/callback");
  url.searchParams.set("scope", "read write");
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("resource", `${running.url}/api`);
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  const callback = new URL(response.headers.get("location")!);
  // Validates `state` and, since the metadata says so, `iss` (RFC 9207).
  const params = oauth.validateAuthResponse(as, client, callback, state);
  return { params, verifier, redirectUri: "http://127.0.0.1:53123/callback" };
}

describe.each(["client_secret_basic", "client_secret_post", "none"] as const)("oauth4webapi interop with %s", (method) => {
  it("discovers, authorizes, exchanges, calls the API, refreshes, introspects and revokes", async () => {
    const as = await discover();
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    const { client, auth } = await register(method);

    const { params, verifier, redirectUri } = await authorize(as, client);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure),
    );
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toBe("read write");

    const api = await oauth.protectedResourceRequest(tokens.access_token, "GET", new URL(`${running.url}/api`), undefined, undefined, insecure);
    expect(await api.json()).toEqual({ hello: "alice" });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    // Introspection needs a real credential: the confidential client itself, or the resource server's.
    const introspector = method === "none" ? { client: { client_id: "rs" }, auth: oauth.ClientSecretBasic("rs-secret") } : { client, auth };
    const introspection = await oauth.processIntrospectionResponse(
      as,
      introspector.client,
      await oauth.introspectionRequest(as, introspector.client, introspector.auth, refreshed.access_token, insecure),
    );
    expect(introspection).toMatchObject({ active: true, sub: "alice", client_id: client.client_id, aud: `${running.url}/api` });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshed.refresh_token!, insecure));
    // Revoking the refresh token revoked its grant, so the access token is refused with a challenge.
    const after = await oauth
      .protectedResourceRequest(refreshed.access_token, "GET", new URL(`${running.url}/api`), undefined, undefined, insecure)
      .catch((error: unknown) => error);
    expect(after).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const { cause: challenges, response } = after as oauth.WWWAuthenticateChallengeError;
    expect(response.status).toBe(401);
    expect(challenges[0]).toMatchObject({ scheme: "bearer", parameters: { error: "invalid_token" } });
    expect(challenges[0]?.parameters.resource_metadata).toBe(`${running.url}/.well-known/oauth-protected-resource/api`);
  });
});

describe("oauth4webapi interop: RFC 6749 §2.3.1 encoding", () => {
  it("accepts a secret with +, %, : and spaces sent form-urlencoded in Basic credentials", async () => {
    const as = await discover();
    const { client, auth } = await register("client_secret_basic", "pa+ss%word: with spaces");
    const { params, verifier, redirectUri } = await authorize(as, client);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure),
    );
    expect(tokens.access_token).toBeTruthy();
  });
});

describe("oauth4webapi interop: failures", () => {
  it("rejects a wrong iss in the authorization response (RFC 9207 §2.4)", async () => {
    const as = await discover();
    const { client } = await register("none");
    const forged = new URL(`http://127.0.0.1:53123/callback?code=x&state=s&iss=${encodeURIComponent("https://evil.example")}`);
    expect(() => oauth.validateAuthResponse(as, client, forged, "s")).toThrow();
  });

  it("surfaces the server's invalid_grant for a replayed code", async () => {
    const as = await discover();
    const { client, auth } = await register("client_secret_basic");
    const { params, verifier, redirectUri } = await authorize(as, client);
    await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure));
    const replay = oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure),
    );
    await expect(replay).rejects.toMatchObject({ error: "invalid_grant", status: 400 });
  });

  it("serves the protected route's 401 challenge over HTTP when no token is sent (RFC 6750 §3)", async () => {
    const response = await fetch(`${running.url}/api`);
    expect(response.status).toBe(401);
    // The route needs scope read: named in the first challenge too (MCP 2026-07-28 scope selection).
    expect(response.headers.get("www-authenticate")).toBe(`Bearer scope="read", resource_metadata="${running.url}/.well-known/oauth-protected-resource/api"`);
  });
});
