/**
 * The reference server in federated mode (issue 12): sign-in happens at an upstream provider (a real
 * oidc-provider), there is no local password form, consent is asked here per app after the upstream
 * callback (MCP security best practices, confused deputy), `whoami` returns the upstream subject and
 * `upstream_whoami` calls the upstream's userinfo with the sealed upstream token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../src/index.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { upstreamFromEnvironment } from "../../examples/mcp-server/settings.js";
import { type Upstream, browseUpstream, startOidcProvider } from "../federation/support.js";

const ISSUER = "http://localhost:4011";
const KEY = "3q2-7wAAAAC6vLq8urq8urq8urq8urq8urq8urq8urw";

function callTool(app: ReturnType<typeof createApp>, accessToken: string, name: string) {
  return app.handle(
    new Request(`${ISSUER}/mcp`, {
      method: "POST",
      headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: {} } }),
    }),
  );
}

/** The consent page's form: its action, hidden fields and the CSRF nonce cookie it set. */
function consentForm(html: string, setCookie: string | null) {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, "&").replace(/&quot;/g, '"');
  return { action: /<form method="post" action="([^"]+)"/.exec(html)?.[1], csrf: field("csrf")!, signIn: field("sign_in")!, cookie: (setCookie ?? "").split(";")[0]! };
}

function decide(app: ReturnType<typeof createApp>, form: ReturnType<typeof consentForm>, fields: Record<string, string>, cookie = form.cookie) {
  return app.handle(
    new Request(`${ISSUER}/upstream/consent`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
      body: new URLSearchParams({ csrf: form.csrf, query: "", sign_in: form.signIn, ...fields }),
    }),
  );
}

/** The reference server configured from the environment as an operator would, with `upstream` as its provider. */
function federatedApp(upstream: Upstream) {
  const settings = upstreamFromEnvironment({
    UPSTREAM_ISSUER: upstream.issuer,
    UPSTREAM_CLIENT_ID: upstream.clientId,
    UPSTREAM_CLIENT_SECRET: upstream.clientSecret,
    UPSTREAM_TOKEN_AUTH_METHOD: "client_secret_post",
    PROPS_KEYS: `k1:${KEY}`,
  })!;
  return createApp({ issuer: ISSUER, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" }, ...settings, upstream: { ...settings.upstream, fetch: upstream.fetch } });
}

describe("reference server, federated mode (UPSTREAM_* environment)", () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startOidcProvider({ method: "client_secret_post", redirectUri: `${ISSUER}/upstream/callback`, accessTokenTtl: 3600 });
  });
  afterAll(async () => upstream?.stop());

  it("reads the environment: UPSTREAM_ISSUER or explicit endpoints, PROPS_KEYS required, errors name the variable", () => {
    expect(upstreamFromEnvironment({})).toBeUndefined();
    expect(() => upstreamFromEnvironment({ UPSTREAM_ISSUER: "https://idp.example.com" })).toThrow(/UPSTREAM_CLIENT_ID/);
    expect(() => upstreamFromEnvironment({ UPSTREAM_CLIENT_ID: "c", UPSTREAM_TOKEN_ENDPOINT: "https://x/token" })).toThrow(/UPSTREAM_AUTHORIZATION_ENDPOINT/);
    expect(() => upstreamFromEnvironment({ UPSTREAM_CLIENT_ID: "c", UPSTREAM_ISSUER: "https://idp.example.com" })).toThrow(/PROPS_KEYS/);
    expect(() => upstreamFromEnvironment({ UPSTREAM_CLIENT_ID: "c", UPSTREAM_ISSUER: "https://i", UPSTREAM_TOKEN_AUTH_METHOD: "private_key_jwt", PROPS_KEYS: `k:${KEY}` })).toThrow(/UPSTREAM_TOKEN_AUTH_METHOD/);
    expect(
      upstreamFromEnvironment({
        UPSTREAM_AUTHORIZATION_ENDPOINT: "https://github.com/login/oauth/authorize",
        UPSTREAM_TOKEN_ENDPOINT: "https://github.com/login/oauth/access_token",
        UPSTREAM_USERINFO_ENDPOINT: "https://api.github.com/user",
        UPSTREAM_CLIENT_ID: "gh",
        UPSTREAM_CLIENT_SECRET: "s",
        UPSTREAM_TOKEN_AUTH_METHOD: "client_secret_post",
        UPSTREAM_SCOPE: "read:user user:email",
        PROPS_KEYS: `new:${KEY},old:${KEY}`,
      }),
    ).toEqual({
      upstream: {
        authorizationEndpoint: "https://github.com/login/oauth/authorize",
        tokenEndpoint: "https://github.com/login/oauth/access_token",
        userinfoEndpoint: "https://api.github.com/user",
        clientId: "gh",
        clientSecret: "s",
        tokenEndpointAuthMethod: "client_secret_post",
        scope: ["read:user", "user:email"],
      },
      propsKeys: [
        { id: "new", key: KEY },
        { id: "old", key: KEY },
      ],
    });
  });

  it("signs in upstream (no password form), whoami is the upstream subject, upstream_whoami uses the sealed upstream token", async () => {
    const app = federatedApp(upstream);
    const registered = await app.handle(
      new Request(`${ISSUER}/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: "Federated test client", redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
      }),
    );
    const { client_id } = (await registered.json()) as { client_id: string };
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const query = new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: "http://127.0.0.1/cb",
      scope: "mcp",
      state: "s1",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    const authorize = await app.handle(new Request(`${ISSUER}/authorize?${query}`));
    // Straight to the upstream: no local sign-in page in federated mode.
    expect(authorize.status).toBe(302);
    const location = authorize.headers.get("location")!;
    expect(location.startsWith(`${upstream.issuer}/`)).toBe(true);
    const callback = await browseUpstream(location, `${ISSUER}/upstream/callback`, "carol");
    // Back from the upstream: our own consent page for this app, not a code yet.
    const consent = await app.handle(new Request(callback));
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain("Federated test client");
    expect(html).toContain("registered itself");
    expect(html).toContain("Signed in as <strong>carol</strong>");
    const form = consentForm(html, consent.headers.get("set-cookie"));
    expect(form.action).toBe("/upstream/consent");
    const back = await decide(app, form, { approve: "1" });
    expect(back.status).toBe(302);
    const redirect = new URL(back.headers.get("location")!);
    expect(redirect.origin + redirect.pathname).toBe("http://127.0.0.1/cb");
    expect(redirect.searchParams.get("state")).toBe("s1");
    const tokenResponse = await app.handle(
      new Request(`${ISSUER}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code: redirect.searchParams.get("code")!, redirect_uri: "http://127.0.0.1/cb", client_id, code_verifier: verifier }),
      }),
    );
    expect(tokenResponse.status).toBe(200);
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    const text = async (response: Response) => ((await response.json()) as { result: { content: Array<{ text: string }> } }).result.content[0]!.text;
    expect(await text(await callTool(app, access_token, "whoami"))).toBe("carol");
    expect(await text(await callTool(app, access_token, "upstream_whoami"))).toBe("carol");
    expect(upstream.authentications).toEqual(["client_secret_post"]);
  }, 30_000);

  it("asks for consent per app after the upstream sign-in: Deny answers access_denied, a forged or foreign form is refused, a remembered https app is not asked again", async () => {
    const app = federatedApp(upstream);
    const register = async (redirectUri: string) => {
      const response = await app.handle(
        new Request(`${ISSUER}/register`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ client_name: "Some app", redirect_uris: [redirectUri], token_endpoint_auth_method: "none" }),
        }),
      );
      return ((await response.json()) as { client_id: string }).client_id;
    };
    const signIn = async (clientId: string, redirectUri: string) => {
      const query = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, scope: "mcp", state: "s", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" });
      const started = await app.handle(new Request(`${ISSUER}/authorize?${query}`));
      return app.handle(new Request(await browseUpstream(started.headers.get("location")!, `${ISSUER}/upstream/callback`, "dave")));
    };

    const loopback = await register("http://127.0.0.1/cb");
    const page = await signIn(loopback, "http://127.0.0.1/cb");
    const form = consentForm(await page.text(), page.headers.get("set-cookie"));
    // Without the nonce cookie of the page (another site posting it): 403, nothing issued.
    expect((await decide(app, form, { approve: "1" }, "")).status).toBe(403);
    // A tampered sealed sign-in: 400.
    expect((await decide(app, { ...form, signIn: `${form.signIn.slice(0, -4)}AAAA` }, { approve: "1" })).status).toBe(400);
    // Deny: the app gets access_denied (RFC 6749 §4.1.2.1), no code.
    const denied = await decide(app, form, { deny: "1" });
    expect(denied.status).toBe(302);
    const deniedAt = new URL(denied.headers.get("location")!);
    expect(deniedAt.searchParams.get("error")).toBe("access_denied");
    expect(deniedAt.searchParams.get("code")).toBeNull();
    // A GET of the consent path is not a decision.
    expect((await app.handle(new Request(`${ISSUER}/upstream/consent`))).status).toBe(405);

    // An https app approved once is not asked again (a live grant for this scope); a loopback one
    // always is, since any app on the device can answer it (RFC 8252 §8.6).
    const web = await register("https://app.example.com/cb");
    const first = await signIn(web, "https://app.example.com/cb");
    expect(first.status).toBe(200);
    const approved = await decide(app, consentForm(await first.text(), first.headers.get("set-cookie")), { approve: "1" });
    const code = new URL(approved.headers.get("location")!).searchParams.get("code")!;
    const exchanged = await app.handle(
      new Request(`${ISSUER}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: "https://app.example.com/cb", client_id: web, code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" }),
      }),
    );
    expect(exchanged.status).toBe(200);
    const again = await signIn(web, "https://app.example.com/cb");
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get("location")!).searchParams.get("code")).toMatch(/^[\w-]{43}$/);
    expect((await signIn(loopback, "http://127.0.0.1/cb")).status).toBe(200);
  }, 60_000);
});
