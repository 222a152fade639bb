/**
 * Upstream identity federation: the authorization server signs users in at another OAuth/OpenID
 * provider, keeps that provider's tokens in the grant's sealed props, and refreshes them upstream
 * — once across instances — when a protected request finds them expired (docs/federation.md).
 *
 * @module
 */
import type { AuthorizationRequest } from "../authorize/request.js";
import { generateToken, hashToken } from "../crypto.js";
import { hashTaggedToken } from "../token-format.js";
import { jsonResponse } from "../http/response.js";
import { unsealGrantProps, sealGrantProps } from "../props.js";
import type { BearerTokenInfo } from "../resource/bearer.js";
import type { Sealer } from "../sealing.js";
import type { AuthorizationServer, ProtectedRouteOptions } from "../server.js";
import type { GrantProps } from "../storage/types.js";
import { verifyIdToken } from "./id-token.js";
import { type ResolvedUpstream, type UpstreamConfig, UpstreamError, type UpstreamTokenResponse, resolveUpstream, upstreamJson, upstreamTokenRequest } from "./upstream.js";

export { UpstreamError } from "./upstream.js";
export type { UpstreamConfig, UpstreamEndpoints, UpstreamTokenResponse } from "./upstream.js";
export type { IdTokenClaims } from "./id-token.js";

/** The upstream tokens as kept in the grant's sealed props (`props.upstream`). */
export interface UpstreamTokens {
  /** The upstream access token. */
  access_token: string;
  /** Its type, usually `Bearer`. */
  token_type: string;
  /** The upstream refresh token, if any. */
  refresh_token?: string;
  /** When the upstream access token expires, seconds since the epoch (absent: unknown, never refreshed). */
  expires_at?: number;
  /** The scope the upstream granted, if it said. */
  scope?: string;
  /** While an instance refreshes upstream: until when its claim holds (seconds since the epoch). */
  refreshing_until?: number;
}

/** Who signed in upstream. */
export interface UpstreamIdentity {
  /** The upstream's identifier of the user; becomes our grant's subject. */
  subject: string;
  /** The claims it came with (ID token or userinfo), for the consent page. */
  claims: Record<string, unknown>;
}

/**
 * Where the identity of the user comes from: the verified ID token (`"id_token"`, OpenID), the
 * userinfo endpoint (`"userinfo"`), or the host's function for non-OpenID providers (GitHub's
 * `/user`, say), given the upstream tokens.
 */
export type UpstreamIdentitySource = "id_token" | "userinfo" | ((tokens: UpstreamTokenResponse) => Promise<UpstreamIdentity>);

/** Options of {@link createFederation}. */
export interface FederationConfig {
  /** The upstream provider and our client there. */
  upstream: UpstreamConfig;
  /** Where the identity comes from (default: `"id_token"` when `openid` is in the upstream scope, else `"userinfo"`). */
  identity?: UpstreamIdentitySource;
  /** Refresh the upstream token this many seconds before it expires (default 60). */
  refreshMargin?: number;
  /** Seconds an instance's claim on an upstream refresh holds before another may take over (default 30). */
  refreshLease?: number;
  /** Seconds a sign-in may take, upstream and at consent (default 600). */
  signInLifetime?: number;
  /** Extra parameters for the upstream authorization request (e.g. Google's `access_type=offline`). */
  authorizationParameters?: Record<string, string>;
}

/** A user signed in upstream, waiting for consent (or straight to the code). */
export interface UpstreamSignIn {
  /** The downstream authorization request, validated again. */
  request: AuthorizationRequest;
  /** Who signed in. */
  identity: UpstreamIdentity;
  /** The upstream tokens, for the grant's sealed props. */
  upstream: UpstreamTokens;
  /**
   * The whole sign-in sealed (AES-GCM with `props.keys`, expiring): put it in the consent form and
   * recover it with {@link Federation.openSignIn} — no server-side store for flows in flight.
   */
  sealed: string;
}

/** A federated authorization server's upstream side. */
export interface Federation {
  /** `<issuer>/upstream/callback`: register it as the redirect URI of our client at the upstream. */
  readonly redirectUri: string;
  /**
   * At the host's `/authorize`: validates the downstream request (answering as
   * `parseAuthorizationRequest` does when it is invalid) and redirects to the upstream, with a
   * sealed, expiring `state` holding the upstream PKCE verifier, the nonce and the downstream request.
   */
  startUpstreamAuthorization(request: Request): Promise<Response>;
  /**
   * At {@link Federation.redirectUri}: checks the state, exchanges the upstream code, establishes
   * the identity; returns the sign-in for consent, or a ready `Response` (an error redirect to the
   * client, or `400` when the state is invalid or expired).
   */
  handleUpstreamCallback(request: Request): Promise<UpstreamSignIn | Response>;
  /** Recovers a sign-in from its `sealed` form (e.g. posted back by the consent page); `undefined` when invalid or expired. */
  openSignIn(sealed: string): Promise<UpstreamSignIn | undefined>;
  /** Issues the downstream code for a sign-in: subject = upstream subject, upstream tokens in sealed props. */
  approve(signIn: UpstreamSignIn, approval?: { scope?: readonly string[]; props?: GrantProps }): Promise<Response>;
  /**
   * Bearer validation that also keeps the upstream token fresh: one storage call while it is
   * valid; when it is within `refreshMargin` of expiry, refreshes it upstream exactly once across
   * instances (compare-and-set on the grant's props version) and returns the new props. An upstream
   * `invalid_grant` revokes our grant: the client gets `401 invalid_token`.
   */
  validateBearerToken(request: Request, options?: ProtectedRouteOptions): Promise<BearerTokenInfo | Response>;
  /** Calls made to the upstream token endpoint for refreshes by this instance (for monitoring). */
  readonly upstreamRefreshes: number;
}

const STATE_CONTEXT = "oauthkit/upstream-state";
const SIGN_IN_CONTEXT = "oauthkit/upstream-sign-in";

interface SealedState {
  q: string;
  v?: string;
  n: string;
  e: number;
}

interface SealedSignIn {
  q: string;
  i: UpstreamIdentity;
  u: UpstreamTokens;
  e: number;
}

/**
 * Creates the upstream side of a federated authorization server.
 *
 * @throws {TypeError} naming the option: `props.keys` missing on the server (upstream tokens are
 *   sealed props), or a mistake in `upstream`.
 * @example
 * ```ts
 * const federation = createFederation(server, {
 *   upstream: { issuer: "https://accounts.example.com", clientId: "id", clientSecret: "secret" },
 * });
 * ```
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export function createFederation(server: AuthorizationServer, config: FederationConfig): Federation {
  const sealer: Sealer | undefined = server.config.propsSealer;
  if (sealer === undefined) {
    throw new TypeError("Federation needs props.keys on the authorization server: the upstream tokens are sealed props, and the upstream state is sealed with them.");
  }
  const upstream: ResolvedUpstream = resolveUpstream(config.upstream);
  const scope = config.upstream.scope ?? (config.upstream.issuer === undefined ? [] : ["openid"]);
  const openid = scope.includes("openid");
  const identity: UpstreamIdentitySource = config.identity ?? (openid ? "id_token" : "userinfo");
  if (identity === "id_token" && !openid) throw new TypeError('identity "id_token" needs "openid" in upstream.scope.');
  if (identity === "userinfo" && config.upstream.issuer === undefined && config.upstream.userinfoEndpoint === undefined) {
    throw new TypeError('identity "userinfo" needs upstream.userinfoEndpoint (or upstream.issuer for discovery), or give identity a function.');
  }
  const margin = config.refreshMargin ?? 60;
  const lease = config.refreshLease ?? 30;
  const signInLifetime = config.signInLifetime ?? 600;
  const now = server.config.now;
  const redirectUri = `${server.config.issuer}/upstream/callback`;
  const authorizationEndpoint = server.config.endpoints.authorization;
  const parseDownstream = (query: string) => server.parseAuthorizationRequest(new Request(`${authorizationEndpoint}?${query}`));
  let upstreamRefreshes = 0;

  const badSignIn = (): Response =>
    new Response("This sign-in link is invalid or has expired. Start again from the application.", {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });

  async function upstreamIdentity(tokens: UpstreamTokenResponse, nonce: string): Promise<UpstreamIdentity> {
    if (typeof identity === "function") return identity(tokens);
    const endpoints = await upstream.endpoints();
    if (identity === "id_token") {
      if (tokens.id_token === undefined) throw new UpstreamError("invalid_id_token", "The upstream token response has no id_token.");
      const claims = await verifyIdToken(upstream, endpoints.jwksUri, tokens.id_token, { issuer: endpoints.issuer!, clientId: config.upstream.clientId, nonce, now: now() });
      return { subject: claims.sub, claims };
    }
    return { subject: await userinfoSubject(upstream, endpoints.userinfoEndpoint, tokens.access_token), claims: {} };
  }

  function storedTokens(tokens: UpstreamTokenResponse, previous?: UpstreamTokens): UpstreamTokens {
    const stored: UpstreamTokens = { access_token: tokens.access_token, token_type: tokens.token_type };
    // RFC 6749 §6: the upstream may keep the refresh token (no new one in the answer).
    const refresh = tokens.refresh_token ?? previous?.refresh_token;
    if (refresh !== undefined) stored.refresh_token = refresh;
    if (tokens.expires_in !== undefined) stored.expires_at = now() + tokens.expires_in;
    const grantedScope = tokens.scope ?? previous?.scope;
    if (grantedScope !== undefined) stored.scope = grantedScope;
    return stored;
  }

  async function openSignIn(sealed: string): Promise<UpstreamSignIn | undefined> {
    const opened = (await sealer!.unseal(sealed, SIGN_IN_CONTEXT)) as SealedSignIn | undefined;
    if (opened === undefined || typeof opened.e !== "number" || opened.e <= now()) return undefined;
    const request = await parseDownstream(opened.q);
    if (request instanceof Response) return undefined;
    return { request, identity: opened.i, upstream: opened.u, sealed };
  }

  const federation: Federation = {
    redirectUri,
    get upstreamRefreshes() {
      return upstreamRefreshes;
    },

    async startUpstreamAuthorization(request) {
      const query = new URL(request.url).search.slice(1);
      const downstream = await parseDownstream(query);
      if (downstream instanceof Response) return downstream;
      let endpoints;
      try {
        endpoints = await upstream.endpoints();
      } catch (error) {
        report(server, error, request);
        return server.denyAuthorization(downstream, { error: "temporarily_unavailable", description: "The upstream identity provider is unreachable; try again later." });
      }
      const state: SealedState = { q: query, n: generateToken(), e: now() + signInLifetime };
      const url = new URL(endpoints.authorizationEndpoint);
      const requested = [...scope];
      // OpenID Connect Core §11: offline_access asks for a refresh token, and needs prompt=consent.
      const offline = openid && config.upstream.offlineAccess !== false;
      if (offline && !requested.includes("offline_access")) requested.push("offline_access");
      const params: Record<string, string> = { response_type: "code", client_id: config.upstream.clientId, redirect_uri: redirectUri };
      if (requested.length > 0) params["scope"] = requested.join(" ");
      if (offline) params["prompt"] = "consent";
      if (openid) params["nonce"] = state.n;
      if (endpoints.pkceS256) {
        state.v = generateToken();
        params["code_challenge"] = hashToken(state.v); // S256: base64url(SHA-256(ASCII(verifier)))
        params["code_challenge_method"] = "S256";
      }
      Object.assign(params, config.authorizationParameters);
      params["state"] = await sealer!.seal(state, STATE_CONTEXT);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return new Response(null, { status: 302, headers: { Location: url.href, "Cache-Control": "no-store" } });
    },

    async handleUpstreamCallback(request) {
      const params = new URL(request.url).searchParams;
      const rawState = params.get("state");
      const state = rawState === null ? undefined : ((await sealer!.unseal(rawState, STATE_CONTEXT)) as SealedState | undefined);
      if (state === undefined || typeof state.e !== "number" || state.e <= now() || typeof state.q !== "string") return badSignIn();
      const downstream = await parseDownstream(state.q);
      if (downstream instanceof Response) return downstream;
      const upstreamError = params.get("error");
      if (upstreamError !== null) {
        return server.denyAuthorization(downstream, upstreamError === "access_denied" ? {} : { error: "server_error", description: "The upstream identity provider refused the sign-in." });
      }
      const code = params.get("code");
      if (code === null) return badSignIn();
      try {
        const endpoints = await upstream.endpoints();
        // RFC 9207 §2.4: a response naming another issuer is a mix-up attack.
        const iss = params.get("iss");
        if (iss !== null && endpoints.issuer !== undefined && iss !== endpoints.issuer) {
          return server.denyAuthorization(downstream, { error: "server_error", description: "The upstream response came from an unexpected issuer." });
        }
        const exchange: Record<string, string> = { grant_type: "authorization_code", code, redirect_uri: redirectUri };
        if (state.v !== undefined) exchange["code_verifier"] = state.v;
        const tokens = await upstreamTokenRequest(upstream, exchange);
        const who = await upstreamIdentity(tokens, state.n);
        if (typeof who?.subject !== "string" || who.subject === "") throw new UpstreamError("invalid_identity", "The upstream identity has no subject.");
        const upstreamTokens = storedTokens(tokens);
        const sealed: SealedSignIn = { q: state.q, i: { subject: who.subject, claims: who.claims ?? {} }, u: upstreamTokens, e: now() + signInLifetime };
        return { request: downstream, identity: sealed.i, upstream: upstreamTokens, sealed: await sealer!.seal(sealed, SIGN_IN_CONTEXT) };
      } catch (error) {
        report(server, error, request);
        return server.denyAuthorization(downstream, { error: "server_error", description: "The upstream sign-in failed." });
      }
    },

    openSignIn,

    approve(signIn, approval = {}) {
      return server.issueAuthorizationCode(signIn.request, {
        subject: signIn.identity.subject,
        ...(approval.scope === undefined ? {} : { scope: approval.scope }),
        props: { ...approval.props, upstream: signIn.upstream },
      });
    },

    async validateBearerToken(request, options) {
      const info = await server.validateBearerToken(request, options);
      if (info instanceof Response) return info;
      const tokens = info.props?.["upstream"] as UpstreamTokens | undefined;
      if (tokens === undefined || !needsRefresh(tokens, now(), margin)) return info;
      const tokenHash = hashTaggedToken(bearerCredential(request), server.config.hash);
      let outcome: GrantProps | "revoked" | "unavailable";
      try {
        outcome = await refreshOnce(info.grantId, tokenHash, info.propsVersion, info.props!);
      } catch (error) {
        report(server, error, request);
        outcome = "unavailable";
      }
      // Our grant is revoked now: validating again gives the usual 401 invalid_token challenge.
      if (outcome === "revoked") return server.validateBearerToken(request, options);
      if (outcome === "unavailable") {
        const response = jsonResponse({ error: "temporarily_unavailable", error_description: "The upstream provider could not refresh the session; try again shortly." }, { status: 503 });
        response.headers.set("Retry-After", "5");
        return response;
      }
      return { ...info, props: outcome };
    },
  };

  // One refresh per grant in flight in this instance; across instances the store's compare-and-set decides.
  const inFlight = new Map<string, Promise<GrantProps | "revoked" | "unavailable">>();
  function refreshOnce(grantId: string, tokenHash: string, version: number, props: GrantProps): Promise<GrantProps | "revoked" | "unavailable"> {
    let running = inFlight.get(grantId);
    if (running === undefined) {
      running = coordinate(grantId, tokenHash, version, props).finally(() => inFlight.delete(grantId));
      inFlight.set(grantId, running);
    }
    return running;
  }

  async function reread(tokenHash: string): Promise<{ props: GrantProps; version: number } | "revoked"> {
    const record = await server.config.storage.getAccessToken(tokenHash);
    if (record === null) return "revoked";
    return { props: (await unsealGrantProps(sealer, record)) ?? {}, version: record.propsVersion ?? 0 };
  }

  async function coordinate(grantId: string, tokenHash: string, version: number, props: GrantProps): Promise<GrantProps | "revoked" | "unavailable"> {
    const storage = server.config.storage;
    const deadline = now() + lease + Math.ceil(upstream.timeoutMs / 1000) + 5;
    for (;;) {
      const tokens = props["upstream"] as UpstreamTokens;
      if (!needsRefresh(tokens, now(), margin)) return props;
      if (tokens.refreshing_until !== undefined && tokens.refreshing_until > now()) {
        // Another instance holds the claim: wait for its result (re-read the grant's props).
        if (now() > deadline) return "unavailable";
        await new Promise((resolve) => setTimeout(resolve, 100));
        const current = await reread(tokenHash);
        if (current === "revoked") return current;
        ({ props, version } = current);
        continue;
      }
      // Claim the refresh: a compare-and-set that exactly one instance wins.
      const claimed: GrantProps = { ...props, upstream: { ...tokens, refreshing_until: now() + lease } };
      if (!(await storage.updateGrantProps({ grantId, expectedVersion: version, sealedProps: (await sealGrantProps(sealer, grantId, claimed))! }))) {
        const current = await reread(tokenHash);
        if (current === "revoked") return current;
        ({ props, version } = current);
        continue;
      }
      version += 1;
      if (tokens.refresh_token === undefined) {
        await storage.revokeGrant(grantId);
        return "revoked";
      }
      let fresh: UpstreamTokenResponse;
      try {
        upstreamRefreshes++;
        fresh = await upstreamTokenRequest(upstream, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
      } catch (error) {
        if (error instanceof UpstreamError && error.code === "invalid_grant") {
          // RFC 6749 §5.2: the upstream grant is gone; ours goes with it, so the client re-authorizes.
          await storage.revokeGrant(grantId);
          return "revoked";
        }
        // Release the claim so that the next request may try again.
        await storage.updateGrantProps({ grantId, expectedVersion: version, sealedProps: (await sealGrantProps(sealer, grantId, props))! });
        throw error;
      }
      const next: GrantProps = { ...props, upstream: storedTokens(fresh, tokens) };
      if (await storage.updateGrantProps({ grantId, expectedVersion: version, sealedProps: (await sealGrantProps(sealer, grantId, next))! })) return next;
      const current = await reread(tokenHash);
      return current === "revoked" ? current : current.props;
    }
  }

  return federation;
}

function needsRefresh(tokens: UpstreamTokens, now: number, margin: number): boolean {
  return typeof tokens.expires_at === "number" && tokens.expires_at - margin <= now;
}

function bearerCredential(request: Request): string {
  const header = request.headers.get("authorization") ?? "";
  return header.slice(header.indexOf(" ") + 1).trim();
}

function report(server: AuthorizationServer, error: unknown, request: Request): void {
  try {
    (server.config.onError ?? ((e: unknown) => console.error("oauthkit federation:", e)))(error, request);
  } catch {
    // A failing reporter must not turn the answer into a crash.
  }
}

async function userinfoSubject(upstream: ResolvedUpstream, endpoint: string | undefined, accessToken: string): Promise<string> {
  if (endpoint === undefined) throw new UpstreamError("invalid_identity", "The upstream has no userinfo endpoint.");
  const { status, body } = await upstreamJson(upstream, new Request(endpoint, { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } }), "userinfo");
  const sub = typeof body === "object" && body !== null ? (body as { sub?: unknown }).sub : undefined;
  if (status !== 200 || typeof sub !== "string" || sub === "") throw new UpstreamError("invalid_identity", `The upstream userinfo answered HTTP ${status} without sub.`);
  return sub;
}

/**
 * Calls the upstream userinfo endpoint with an upstream access token and returns its `sub`
 * (OpenID Connect Core §5.3): proof that a stored upstream token is usable.
 *
 * @throws {UpstreamError} when the call fails or the answer has no `sub`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function fetchUpstreamUserinfoSubject(config: UpstreamConfig, accessToken: string): Promise<string> {
  const upstream = resolveUpstream(config);
  return userinfoSubject(upstream, (await upstream.endpoints()).userinfoEndpoint, accessToken);
}
