/**
 * A real upstream OpenID provider (oidc-provider) for the federation tests, and a browser that
 * walks its sign-in and consent forms with a cookie jar.
 */
import type { Server } from "node:http";
import Provider from "oidc-provider";
import { freePort } from "../support/servers.js";

export interface Upstream {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Upstream token-endpoint requests by grant_type, counted as they arrive. */
  tokenRequests: Record<string, number>;
  /** How the client authenticated at each token request (basic or post). */
  authentications: string[];
  /** The `fetch` oauthkit uses for the upstream: counts token requests. */
  fetch: (request: Request) => Promise<Response>;
  /** Revokes an upstream refresh token (RFC 7009 at the provider). */
  revoke(token: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts oidc-provider on loopback with one confidential client that must use `method` at the
 * token endpoint, short access-token lifetimes, refresh tokens for `offline_access`, and PKCE.
 */
export async function startOidcProvider(options: { method: "client_secret_basic" | "client_secret_post"; redirectUri: string; accessTokenTtl?: number }): Promise<Upstream> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "oauthkit-downstream";
  const clientSecret = "upstream-client-secret-0123456789abcdef";
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: options.method,
      },
    ],
    ttl: { AccessToken: options.accessTokenTtl ?? 30, IdToken: 300, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
    scopes: ["openid", "offline_access"],
    claims: { openid: ["sub"] },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    cookies: { keys: ["oidc-provider-test-cookie-key"] },
    // Refresh tokens of confidential clients are rotated too, as the strictest providers do.
    rotateRefreshToken: true,
  } as never);
  const server: Server = provider.listen(port);
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const tokenRequests: Record<string, number> = {};
  const authentications: string[] = [];
  const upstream: Upstream = {
    issuer,
    clientId,
    clientSecret,
    tokenRequests,
    authentications,
    async fetch(request) {
      if (request.method === "POST" && new URL(request.url).pathname === "/token") {
        const body = new URLSearchParams(await request.clone().text());
        const grant = body.get("grant_type") ?? "?";
        tokenRequests[grant] = (tokenRequests[grant] ?? 0) + 1;
        authentications.push(request.headers.get("authorization")?.startsWith("Basic ") ? "client_secret_basic" : body.has("client_secret") ? "client_secret_post" : "none");
      }
      return fetch(request);
    },
    async revoke(token) {
      const body = new URLSearchParams({ token, token_type_hint: "refresh_token" });
      const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
      if (options.method === "client_secret_basic") headers["Authorization"] = `Basic ${btoa(`${clientId}:${clientSecret}`)}`;
      else body.set("client_id", clientId), body.set("client_secret", clientSecret);
      const response = await fetch(`${issuer}/token/revocation`, { method: "POST", headers, body });
      if (response.status !== 200) throw new Error(`upstream revocation answered ${response.status}`);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return upstream;
}

/**
 * Plays the browser at the upstream: follows redirects, signs in and consents on the forms it
 * meets (oidc-provider's development interactions), and returns the URL of the redirect that
 * leaves the upstream for `stopAt` (our callback).
 */
export async function browseUpstream(start: string, stopAt: string, login = "alice"): Promise<string> {
  const jar = new Map<string, string>();
  let url = start;
  let method = "GET";
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(stopAt)) return url;
    const headers: Record<string, string> = { Cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") };
    if (body !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
    const response = await fetch(url, { method, headers, redirect: "manual", ...(body === undefined ? {} : { body: body.toString() }) });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const index = pair!.indexOf("=");
      jar.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    const location = response.headers.get("location");
    if (location !== null) {
      url = new URL(location, url).href;
      method = "GET";
      body = undefined;
      continue;
    }
    const html = await response.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (form === null) throw new Error(`no form and no redirect at ${url} (HTTP ${response.status}): ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
      const name = /name="([^"]+)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? "";
      if (name !== undefined) fields.set(name, value);
    }
    if (fields.has("login")) fields.set("login", login);
    if (fields.has("password")) fields.set("password", "any-password");
    url = new URL(form[1]!, url).href;
    method = "POST";
    body = fields;
  }
  throw new Error("too many steps at the upstream");
}
