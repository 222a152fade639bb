/**
 * Dogfooding (issue 12): oauthkit's own reference server (demo sign-in) is the upstream of a second
 * oauthkit — the non-OpenID path: explicit endpoints, no ID token, identity from a host function
 * (the upstream's `whoami` tool), PKCE S256 and client_secret_basic upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BearerTokenInfo, createAuthorizationServer, createFederation, createMemoryStorage, type UpstreamTokens } from "../../src/index.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { serve } from "../../examples/node-http/serve.js";
// @ts-expect-error plain JavaScript helper shared with the example smoke tests
import { callWhoami, signInAndDecide } from "../../scripts/example-flow.mjs";
import { ISSUER, RESOURCE, RFC7636_CHALLENGE, authorizeUrl, exchangeCode, registerClient } from "../support/fixtures.js";

const bearer = (token: string) => new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } });

describe("oauthkit as the upstream of oauthkit (non-OpenID federation)", () => {
  let upstream: Awaited<ReturnType<typeof serve>>;
  const tokenRequests: string[] = [];
  beforeAll(async () => {
    upstream = await serve((origin) => createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "alice", password: "wonderland" } }).handle, { port: 0 });
  });
  afterAll(async () => upstream?.close());

  it("signs in through the upstream's forms, refreshes upstream once when its token expires, and answers 401 after upstream revocation", async () => {
    const origin = upstream.origin;
    const registration = await fetch(`${origin}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "Downstream oauthkit", redirect_uris: [`${ISSUER}/upstream/callback`], token_endpoint_auth_method: "client_secret_basic", grant_types: ["authorization_code", "refresh_token"] }),
    });
    expect(registration.status).toBe(201);
    const registered = (await registration.json()) as { client_id: string; client_secret: string };

    let offset = 0;
    const now = () => Math.floor(Date.now() / 1000) + offset;
    const storage = createMemoryStorage();
    const server = createAuthorizationServer({ issuer: ISSUER, storage, resources: [RESOURCE], scopesSupported: ["read", "write"], accessTokenLifetime: 86_400, props: { keys: [{ id: "k", key: "3q2-7wAAAAC6vLq8urq8urq8urq8urq8urq8urq8urw" }] }, now });
    const upstreamFetch = (request: Request) => {
      if (new URL(request.url).pathname === "/token") tokenRequests.push(request.headers.get("authorization")?.startsWith("Basic ") ? "basic" : "other");
      return fetch(request);
    };
    const federation = createFederation(server, {
      upstream: {
        authorizationEndpoint: `${origin}/authorize`,
        tokenEndpoint: `${origin}/token`,
        clientId: registered.client_id,
        clientSecret: registered.client_secret,
        scope: ["mcp"],
        fetch: upstreamFetch,
      },
      // No ID token, no userinfo: the host asks the upstream API who the token is for.
      identity: async (tokens) => ({ subject: String(await callWhoami(origin, tokens.access_token)), claims: {} }),
    });

    const client = await registerClient(storage);
    const start = await federation.startUpstreamAuthorization(
      new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, redirect_uri: client.record.redirect_uris[0], scope: "read", state: "st", code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
    );
    const upstreamUrl = new URL(start.headers.get("location")!);
    expect(upstreamUrl.origin).toBe(origin);
    expect(upstreamUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(upstreamUrl.searchParams.has("nonce")).toBe(false); // not OpenID
    const callback: URL = await signInAndDecide(upstreamUrl.href, { username: "alice", password: "wonderland" });
    const signIn = await federation.handleUpstreamCallback(new Request(callback));
    if (signIn instanceof Response) throw new Error(`callback refused: ${signIn.status}`);
    expect(signIn.identity.subject).toBe("alice");
    const code = new URL((await federation.approve(signIn)).headers.get("location")!).searchParams.get("code")!;
    const ours = (await (await exchangeCode(server, client, code)).json()) as { access_token: string };

    const first = (await federation.validateBearerToken(bearer(ours.access_token))) as BearerTokenInfo;
    expect(first.subject).toBe("alice");
    const firstUpstream = first.props!["upstream"] as UpstreamTokens;
    expect(tokenRequests).toEqual(["basic"]);

    // The upstream token expires (upstream lifetime 3600 s): ten concurrent requests, one refresh.
    offset = 3600;
    const results = await Promise.all(Array.from({ length: 10 }, () => federation.validateBearerToken(bearer(ours.access_token))));
    expect(tokenRequests).toEqual(["basic", "basic"]);
    const refreshed = (results[0] as BearerTokenInfo).props!["upstream"] as UpstreamTokens;
    expect(refreshed.access_token).not.toBe(firstUpstream.access_token);
    expect(await callWhoami(origin, refreshed.access_token)).toBe("alice");

    // Revoked upstream (RFC 7009 at the upstream): the next upstream refresh fails, our grant goes.
    const revoke = await fetch(`${origin}/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${btoa(`${registered.client_id}:${registered.client_secret}`)}` },
      body: new URLSearchParams({ token: refreshed.refresh_token! }),
    });
    expect(revoke.status).toBe(200);
    offset = 7200;
    const denied = (await federation.validateBearerToken(bearer(ours.access_token))) as Response;
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
  }, 30_000);
});
