/**
 * The upstream client of a federated authorization server: where the upstream's endpoints are
 * (RFC 8414 / OpenID Connect discovery, or given explicitly), and its token requests — the code
 * exchange (RFC 6749 §4.1.3) and refresh (§6) — with one client authentication method for both.
 *
 * @module
 */
import { OAuthError } from "../errors.js";
import { readStreamCapped } from "../http/body.js";
import { parseUrl } from "../http/url.js";
import { isLoopbackHost } from "../rules/redirect-uri.js";
import type { ClientAuthenticationMethod } from "../storage/types.js";

/** How oauthkit reaches and signs in at the upstream provider. */
export interface UpstreamConfig {
  /**
   * The upstream issuer: its endpoints are discovered from
   * `<issuer>/.well-known/openid-configuration` (then RFC 8414's `oauth-authorization-server`).
   * Leave it out and give `authorizationEndpoint` and `tokenEndpoint` for providers without
   * discovery (GitHub).
   */
  issuer?: string;
  /** The upstream authorization endpoint (required without `issuer`). */
  authorizationEndpoint?: string;
  /** The upstream token endpoint (required without `issuer`). */
  tokenEndpoint?: string;
  /** The upstream userinfo endpoint (OpenID Connect Core §5.3), when identity comes from it. */
  userinfoEndpoint?: string;
  /** Our client id at the upstream. */
  clientId: string;
  /** Our client secret at the upstream (absent for `none`). */
  clientSecret?: string;
  /**
   * How we authenticate at the upstream token endpoint, for the code exchange and every refresh
   * alike (default `client_secret_basic` with a secret, `none` without).
   */
  tokenEndpointAuthMethod?: ClientAuthenticationMethod;
  /** Scopes requested upstream (default `["openid"]` with an issuer, none without). */
  scope?: readonly string[];
  /**
   * Ask for an upstream refresh token (default true): `offline_access` is added to the scope when
   * the upstream is OpenID (its scope has `openid`), with `prompt=consent` as OpenID Connect Core
   * §11 requires for it.
   */
  offlineAccess?: boolean;
  /** PKCE S256 upstream: `"auto"` (default: when discovery lists S256, always for explicit endpoints), or on/off. */
  pkce?: "auto" | boolean;
  /** The `fetch` for upstream calls (default: the global one). */
  fetch?: (request: Request) => Promise<Response>;
  /** Time allowed for each upstream call, in milliseconds (default 10000). */
  timeoutMs?: number;
}

/** The upstream endpoints, discovered or configured. */
export interface UpstreamEndpoints {
  /** The upstream issuer, when known (checked against the ID token's `iss`). */
  issuer: string | undefined;
  /** Authorization endpoint. */
  authorizationEndpoint: string;
  /** Token endpoint. */
  tokenEndpoint: string;
  /** Userinfo endpoint, if any. */
  userinfoEndpoint: string | undefined;
  /** JWKS URI, if any (ID-token signatures). */
  jwksUri: string | undefined;
  /** Whether the upstream supports PKCE S256 (metadata `code_challenge_methods_supported`). */
  pkceS256: boolean;
}

/** The upstream's token response (RFC 6749 §5.1) as oauthkit keeps it. */
export interface UpstreamTokenResponse {
  /** The upstream access token. */
  access_token: string;
  /** Its type, usually `Bearer`. */
  token_type: string;
  /** The upstream refresh token, if one was issued. */
  refresh_token?: string;
  /** Seconds the access token lives, as the upstream said. */
  expires_in?: number;
  /** The granted scope, if the upstream said. */
  scope?: string;
  /** The OpenID Connect ID token, if any. */
  id_token?: string;
}

/**
 * An error answer of the upstream token endpoint (RFC 6749 §5.2), or a transport failure.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class UpstreamError extends Error {
  /** The upstream's `error` code (`invalid_grant`…), or `upstream_unavailable` for a transport failure or a malformed answer. */
  readonly code: string;
  /**
   * @param code - see {@link UpstreamError.code}.
   * @param message - what went wrong (never a token).
   */
  constructor(code: string, message: string) {
    super(message);
    this.name = "UpstreamError";
    this.code = code;
  }
}

const MAX_RESPONSE_BYTES = 256 * 1024;

/** The upstream configuration checked, with defaults applied. */
export interface ResolvedUpstream {
  /** The configuration as given. */
  config: UpstreamConfig;
  /** The token-endpoint authentication method, defaulted. */
  method: ClientAuthenticationMethod;
  /** Time allowed for each upstream call, in milliseconds. */
  timeoutMs: number;
  /** The `fetch` for upstream calls. */
  fetch: (request: Request) => Promise<Response>;
  /** The endpoints, discovered on first use (and again after a failed discovery). */
  endpoints(): Promise<UpstreamEndpoints>;
  /**
   * The upstream's signing keys (its JWKS), fetched once and kept for {@link JWKS_TTL_SECONDS}, so
   * a sign-in costs no JWKS request. `stale`: the keys a verification just failed with; if they are
   * still the cached ones they are fetched again (key rotation), otherwise the newer ones are
   * returned, so concurrent verifications share one refetch. A failed fetch is not cached.
   */
  jwks(jwksUri: string, now: number, stale?: Promise<JsonWebKeyRecord[]>): Promise<JsonWebKeyRecord[]>;
}

/** One key of a JWKS, as published (RFC 7517 §4). */
export type JsonWebKeyRecord = Record<string, unknown>;

/**
 * How long the upstream's signing keys are used before they are fetched again (seconds). Keys an
 * ID token names but the cache lacks are fetched at once anyway (key rotation).
 */
export const JWKS_TTL_SECONDS = 600;

/**
 * Checks the upstream configuration (TypeError naming the option) and prepares discovery.
 *
 * @throws {TypeError} on a configuration mistake, naming `upstream.<option>`.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export function resolveUpstream(config: UpstreamConfig): ResolvedUpstream {
  if (typeof config !== "object" || config === null) throw new TypeError("upstream must be an object.");
  if (typeof config.clientId !== "string" || config.clientId === "") throw new TypeError("upstream.clientId is required.");
  const method = config.tokenEndpointAuthMethod ?? (config.clientSecret === undefined ? "none" : "client_secret_basic");
  if (!["client_secret_basic", "client_secret_post", "none"].includes(method)) {
    throw new TypeError(`upstream.tokenEndpointAuthMethod must be client_secret_basic, client_secret_post or none: ${String(method)}`);
  }
  if (method !== "none" && (typeof config.clientSecret !== "string" || config.clientSecret === "")) {
    throw new TypeError(`upstream.clientSecret is required with upstream.tokenEndpointAuthMethod ${method}.`);
  }
  for (const name of ["issuer", "authorizationEndpoint", "tokenEndpoint", "userinfoEndpoint"] as const) {
    const value = config[name];
    if (value !== undefined) checkUpstreamUrl(value, `upstream.${name}`);
  }
  if (config.issuer === undefined && (config.authorizationEndpoint === undefined || config.tokenEndpoint === undefined)) {
    throw new TypeError("upstream needs issuer (for discovery) or both authorizationEndpoint and tokenEndpoint.");
  }
  const timeoutMs = config.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError("upstream.timeoutMs must be a positive number of milliseconds.");
  const doFetch = config.fetch ?? ((request: Request) => fetch(request));
  let discovered: Promise<UpstreamEndpoints> | undefined;
  const endpoints = (): Promise<UpstreamEndpoints> => {
    if (config.issuer === undefined) {
      return Promise.resolve({
        issuer: undefined,
        authorizationEndpoint: config.authorizationEndpoint!,
        tokenEndpoint: config.tokenEndpoint!,
        userinfoEndpoint: config.userinfoEndpoint,
        jwksUri: undefined,
        pkceS256: config.pkce !== false,
      });
    }
    discovered ??= discover(config, doFetch, timeoutMs).catch((error: unknown) => {
      discovered = undefined; // a failed discovery is tried again on the next use
      throw error;
    });
    return discovered;
  };
  let jwksCache: { uri: string; fetchedAt: number; keys: Promise<JsonWebKeyRecord[]> } | undefined;
  const resolved: ResolvedUpstream = {
    config,
    method,
    timeoutMs,
    fetch: doFetch,
    endpoints,
    jwks(jwksUri, now, stale) {
      const current = jwksCache;
      const usable = current !== undefined && current.uri === jwksUri && now < current.fetchedAt + JWKS_TTL_SECONDS;
      if (usable && (stale === undefined || stale !== current.keys)) return current.keys;
      const entry = { uri: jwksUri, fetchedAt: now, keys: fetchJwks(resolved, jwksUri) };
      entry.keys.catch(() => {
        if (jwksCache === entry) jwksCache = undefined; // a failed fetch is tried again next time
      });
      jwksCache = entry;
      return entry.keys;
    },
  };
  return resolved;
}

async function fetchJwks(upstream: ResolvedUpstream, jwksUri: string): Promise<JsonWebKeyRecord[]> {
  const { status, body } = await upstreamJson(upstream, new Request(jwksUri, { headers: { Accept: "application/json" } }), "JWKS");
  const keys = typeof body === "object" && body !== null ? (body as { keys?: unknown }).keys : undefined;
  if (status !== 200 || !Array.isArray(keys)) throw new UpstreamError("upstream_unavailable", `The upstream JWKS answered HTTP ${status} without keys.`);
  return keys.filter((key): key is JsonWebKeyRecord => typeof key === "object" && key !== null);
}

function checkUpstreamUrl(value: string, name: string): URL {
  const url = typeof value === "string" ? parseUrl(value) : null;
  if (url === null || url.hash !== "") throw new TypeError(`${name} must be an absolute URL without fragment: ${String(value)}`);
  // Tokens travel to these endpoints: https only, except on loopback (tests, local development).
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new TypeError(`${name} must use https (http only on loopback): ${value}`);
  }
  return url;
}

/** Fetches with the upstream timeout, never following redirects, and reads a capped JSON body. */
export async function upstreamJson(upstream: ResolvedUpstream, request: Request, what: string): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await upstream.fetch(new Request(request, { redirect: "manual", signal: AbortSignal.timeout(upstream.timeoutMs) }));
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? `timed out after ${upstream.timeoutMs} ms` : "failed";
    throw new UpstreamError("upstream_unavailable", `The upstream ${what} request ${reason}.`);
  }
  let text: string;
  try {
    const failed = () => new OAuthError("server_error", "unreadable upstream response");
    text = response.body === null ? "" : new TextDecoder().decode(await readStreamCapped(response.body, MAX_RESPONSE_BYTES, { tooLarge: failed, unreadable: failed }));
  } catch {
    throw new UpstreamError("upstream_unavailable", `The upstream ${what} response was unreadable or larger than ${MAX_RESPONSE_BYTES} bytes.`);
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new UpstreamError("upstream_unavailable", `The upstream ${what} response (HTTP ${response.status}) was not JSON.`);
  }
}

async function discover(config: UpstreamConfig, doFetch: (request: Request) => Promise<Response>, timeoutMs: number): Promise<UpstreamEndpoints> {
  const issuer = config.issuer!;
  const upstream = { config, fetch: doFetch, timeoutMs } as ResolvedUpstream;
  // OpenID Connect Discovery §4 appends to the issuer; RFC 8414 §3.1 inserts before its path.
  const url = new URL(issuer);
  const candidates = [`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${url.pathname === "/" ? "" : url.pathname}`];
  let lastProblem = "no metadata document";
  for (const candidate of candidates) {
    const { status, body } = await upstreamJson(upstream, new Request(candidate, { headers: { Accept: "application/json" } }), "discovery").catch((error: UpstreamError) => {
      lastProblem = error.message;
      return { status: 0, body: undefined };
    });
    if (status !== 200 || typeof body !== "object" || body === null) {
      if (status !== 0) lastProblem = `HTTP ${status} at ${candidate}`;
      continue;
    }
    const metadata = body as Record<string, unknown>;
    // RFC 8414 §3.3 / OpenID Discovery §4.3: the document must name the very issuer we asked.
    if (metadata["issuer"] !== issuer) throw new UpstreamError("upstream_unavailable", `The upstream metadata names issuer ${String(metadata["issuer"])}, not ${issuer}.`);
    const endpoint = (name: string, fallback: string | undefined): string | undefined => {
      const value = fallback ?? metadata[name];
      if (value === undefined) return undefined;
      if (typeof value !== "string") throw new UpstreamError("upstream_unavailable", `The upstream metadata's ${name} is not a URL.`);
      try {
        checkUpstreamUrl(value, name);
      } catch (error) {
        throw new UpstreamError("upstream_unavailable", `The upstream metadata's ${(error as Error).message}`);
      }
      return value;
    };
    const authorizationEndpoint = endpoint("authorization_endpoint", config.authorizationEndpoint);
    const tokenEndpoint = endpoint("token_endpoint", config.tokenEndpoint);
    if (authorizationEndpoint === undefined || tokenEndpoint === undefined) {
      throw new UpstreamError("upstream_unavailable", "The upstream metadata lacks authorization_endpoint or token_endpoint.");
    }
    const methods = metadata["code_challenge_methods_supported"];
    return {
      issuer,
      authorizationEndpoint,
      tokenEndpoint,
      userinfoEndpoint: endpoint("userinfo_endpoint", config.userinfoEndpoint),
      jwksUri: endpoint("jwks_uri", undefined),
      pkceS256: config.pkce === true || (config.pkce !== false && Array.isArray(methods) && methods.includes("S256")),
    };
  }
  throw new UpstreamError("upstream_unavailable", `Upstream discovery for ${issuer} failed: ${lastProblem}.`);
}

/**
 * A request to the upstream token endpoint with our client authentication (RFC 6749 §2.3.1:
 * `client_secret_basic` form-encodes id and secret before Basic; `client_secret_post` sends them in
 * the body; `none` sends the id only).
 *
 * @throws {UpstreamError} with the upstream's `error` code for an error answer (RFC 6749 §5.2), or
 *   `upstream_unavailable` for a transport failure or a malformed answer.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export async function upstreamTokenRequest(upstream: ResolvedUpstream, parameters: Record<string, string>): Promise<UpstreamTokenResponse> {
  const { tokenEndpoint } = await upstream.endpoints();
  const body = new URLSearchParams(parameters);
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
  const { clientId, clientSecret } = upstream.config;
  if (upstream.method === "client_secret_basic") {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
    headers["Authorization"] = `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret!)}`)}`;
  } else {
    body.set("client_id", clientId);
    if (upstream.method === "client_secret_post") body.set("client_secret", clientSecret!);
  }
  const { status, body: answer } = await upstreamJson(upstream, new Request(tokenEndpoint, { method: "POST", headers, body: body.toString() }), "token");
  const fields = (typeof answer === "object" && answer !== null ? answer : {}) as Record<string, unknown>;
  if (status !== 200 || typeof fields["error"] === "string") {
    const code = typeof fields["error"] === "string" ? fields["error"] : "upstream_unavailable";
    throw new UpstreamError(code, `The upstream token endpoint answered HTTP ${status}${typeof fields["error"] === "string" ? ` ${fields["error"]}` : ""}.`);
  }
  if (typeof fields["access_token"] !== "string" || fields["access_token"] === "") {
    throw new UpstreamError("upstream_unavailable", "The upstream token response has no access_token.");
  }
  const result: UpstreamTokenResponse = { access_token: fields["access_token"], token_type: typeof fields["token_type"] === "string" ? fields["token_type"] : "Bearer" };
  if (typeof fields["refresh_token"] === "string") result.refresh_token = fields["refresh_token"];
  if (typeof fields["expires_in"] === "number" && Number.isFinite(fields["expires_in"])) result.expires_in = fields["expires_in"];
  else if (typeof fields["expires_in"] === "string" && /^\d+$/.test(fields["expires_in"])) result.expires_in = Number(fields["expires_in"]);
  if (typeof fields["scope"] === "string") result.scope = fields["scope"];
  if (typeof fields["id_token"] === "string") result.id_token = fields["id_token"];
  return result;
}
