/**
 * The one configuration object of an authorization server, and its resolution into the values
 * every handler and the metadata document read — the same values, so the metadata can never
 * advertise what the handlers refuse.
 *
 * @module
 */
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";
import { isAdmissiblePrivateUseScheme, isLoopbackHost } from "./rules/redirect-uri.js";
import { systemNow } from "./clock.js";
import { type TokenHasher, hashToken } from "./crypto.js";
import { DEFAULT_MAX_BODY_BYTES } from "./http/body.js";
import { type CorsConfig, type CorsPolicy, resolveCors } from "./http/cors.js";
import type { ErrorReporter } from "./http/response.js";
import type { OAuthEventListener } from "./events.js";
import type { RateLimitHook } from "./rate-limit.js";
import { parseUrl } from "./http/url.js";
import { isResourceIndicator } from "./rules/resource-indicators.js";
import { isScopeToken } from "./rules/scope.js";
import type { ClientIdMetadataDocumentConfig } from "./clients/client-id-metadata-document.js";
import type { CodeChallengeMethod } from "./rules/pkce.js";
import { type ClientMetadata, DEFAULT_REGISTRATION_GRANT_TYPES } from "./rules/client-metadata.js";
import type { IntrospectionCredential, RoutingMode, ServerPolicy } from "./policy.js";
import type { ClientAuthenticationMethod, ClientRecord, GrantType, Storage } from "./storage/types.js";
import { type PropsConfig, propsSealer } from "./props.js";
import type { Sealer } from "./sealing.js";
import type { TokenHook } from "./grants/token-hook.js";

export type { IntrospectionCredential, ResolvedPkceConfig, ResolvedRefreshTokenConfig, RoutingMode, ServerPolicy } from "./policy.js";
// Defined with the records that carry it, below every module that reads it.
export type { GrantType } from "./storage/types.js";

/** The storage methods only dynamic client registration (RFC 7591, RFC 7592) calls. */
export type RegistrationStorageMethod = "createClient" | "updateClient" | "extendClientExpiry" | "deleteClient" | "countClients";

/**
 * What `createAuthorizationServer` needs of a store: every {@link Storage} method, the
 * registration ones ({@link RegistrationStorageMethod}) only when registration is on — checked at
 * startup with a `TypeError` naming the missing method.
 */
export type AuthorizationServerStorage = Omit<Storage, RegistrationStorageMethod> & Partial<Pick<Storage, RegistrationStorageMethod>>;

/** Paths of the endpoints, relative to the issuer's origin. `false` turns an endpoint off. */
export interface EndpointPaths {
  /** Default `/authorize`. */
  authorization?: string;
  /** Default `/token`. */
  token?: string;
  /** Default `/revoke`. */
  revocation?: string | false;
  /** Default `/introspect`. */
  introspection?: string | false;
  /** Default off; set a path (e.g. `/register`) to enable dynamic client registration. */
  registration?: string | false;
}

/** PKCE policy (RFC 7636, OAuth 2.1 §7.5.1). */
export interface PkceConfig {
  /** Who must send a `code_challenge`: every client (default, OAuth 2.1) or public clients only. */
  required?: "all-clients" | "public-clients";
  /** Accepted methods; default `["S256"]`. Add `"plain"` only for legacy clients. */
  methods?: readonly CodeChallengeMethod[];
}

/** Refresh-token policy (RFC 6749 §6, RFC 9700 §4.14, OAuth 2.1 §4.3). */
export interface RefreshTokenConfig {
  /**
   * When a refresh token is issued to a client registered for the `refresh_token` grant:
   * `always` (default) or only when the `offline_access` scope is granted.
   */
  issue?: "always" | "offline_access";
  /**
   * Which clients get a new refresh token on every use: `always` (default) or only public clients
   * (OAuth 2.1 §4.3.1 requires rotation for them; confidential clients are sender-constrained by
   * their authentication).
   */
  rotation?: "always" | "public-clients";
  /** Seconds a refresh token lives unused (default 30 days). */
  idleLifetime?: number;
  /** Seconds a grant lives at most, however often it is refreshed (default 90 days). */
  absoluteLifetime?: number;
  /**
   * Seconds after a rotation during which the token just rotated out may be presented again and
   * receives the same successor (default 0: off). Needs `rotationSecret`. See
   * docs/token-endpoint.md#grace-window.
   */
  gracePeriod?: number;
  /**
   * The host's secret from which refresh-token successors are derived while `gracePeriod` > 0
   * (required then): base64url of at least 32 random bytes (`generateToken()` makes one), the same
   * on every instance, kept out of the store — so that a storage dump plus an old refresh token
   * does not compute the current one. To rotate it, give a list, newest first: successors are
   * derived with the first, and a repeat inside the grace window is recognised with any of them.
   */
  rotationSecret?: string | readonly string[];
}

/**
 * A host's say on each dynamic registration: throw an `OAuthError` (e.g.
 * `invalid_client_metadata`, or `access_denied` with status 401 for a missing initial access
 * token) to refuse it, return adjusted metadata to change it, or return nothing to accept it as is.
 * It also decides on RFC 7592 updates (then `client` is the registration being replaced), so an
 * update cannot undo what the policy imposed at registration.
 */
export type RegistrationPolicy = (input: {
  request: Request;
  metadata: ClientMetadata;
  /**
   * On an RFC 7592 update: the client as currently registered (its registration access token, in
   * the request's `Authorization` header, is already verified). Absent on a new registration.
   */
  client?: ClientRecord;
}) => ClientMetadata | undefined | Promise<ClientMetadata | undefined>;

/** Dynamic client registration (RFC 7591) and management (RFC 7592). */
export interface RegistrationConfig {
  /** Decides on each registration (initial access tokens, allow-lists, rate limits…). */
  policy?: RegistrationPolicy;
  /** Refuse registrations once the store holds this many clients. */
  maxClients?: number;
  /** Seconds an issued client secret lives; 0 (default): it does not expire. */
  clientSecretLifetime?: number;
  /**
   * The grant types a dynamically registered client may register, at registration, on RFC 7592
   * updates and in what the `policy` returns; each must be one of `grantTypes`. Default
   * `["authorization_code", "refresh_token"]` (those of them in `grantTypes`): `client_credentials`
   * issues tokens without a user, so open registration offers it only when listed here (then the
   * `policy` can still refuse it per client, e.g. without an initial access token).
   */
  allowedGrantTypes?: readonly GrantType[];
  /**
   * One-word private-use redirect URI schemes accepted for public clients besides the reverse-domain
   * ones RFC 8252 §7.1 asks for, e.g. `["cursor"]` for Cursor, which registers
   * `cursor://anysphere.cursor-mcp/oauth/callback`. Default none. A scheme names an app only by
   * convention, so any app on the device may claim it; PKCE (required of public clients) is what
   * keeps an intercepted code useless (RFC 8252 §8.1).
   */
  privateUseSchemes?: readonly string[];
  /**
   * Seconds after which a dynamically registered client that is not used expires (default 0: never).
   * Each use (any lookup of the client: an authorization request, a token request) extends it by
   * this much again, with a write only once less than half of it is left. An expired client is
   * unknown at once (`invalid_client`) and is deleted with its grants by the store's sweep. Pick at
   * least the refresh tokens' idle lifetime, or an idle client loses its grants first. See
   * `docs/registration.md`.
   */
  unusedClientLifetime?: number;
  /**
   * Register only public clients (`token_endpoint_auth_method` `none`, RFC 7591 §2): any other
   * method, asked for by the client or returned by the `policy`, at registration or in an RFC 7592
   * update, is refused with `invalid_client_metadata`. Default `false`.
   */
  publicClientsOnly?: boolean;
  /**
   * Answer a registration whose metadata is identical to an earlier one from the same source with
   * the earlier client, so that a client registering on every start does not grow the client table
   * (default off). Only public clients take part (a secret cannot be handed out twice), and such a
   * registration is immutable: no registration access token is issued for it (RFC 7592 management
   * is off), since whoever held one could change a client that other instances share.
   *
   * The source: `true` uses the metadata's `software_id` (registrations without one are not reused);
   * a function returns the host's key (an initial access token's owner, a verified software
   * statement's issuer…), or `undefined` for a registration that must not be reused. See
   * `docs/registration.md` for the trade-offs.
   */
  reuseIdenticalRegistrations?: boolean | RegistrationSource;
}

/**
 * Names where a registration comes from, for `registration.reuseIdenticalRegistrations`: two
 * registrations with identical metadata and the same key get the same client.
 */
export type RegistrationSource = (input: { request: Request; metadata: ClientMetadata }) => string | undefined | Promise<string | undefined>;

/** Configuration of {@link createAuthorizationServer}. */
export interface AuthorizationServerConfig {
  /**
   * The issuer identifier (RFC 8414 §2): an `https` URL (or `http` on localhost) without query,
   * fragment or trailing `/`, used exactly as written.
   */
  issuer: string;
  /**
   * Where everything is stored. The client registration methods (`createClient`, `updateClient`,
   * `extendClientExpiry`, `deleteClient`, `countClients`) are needed only when registration is on
   * (`endpoints.registration`); without it a store of the other methods is enough.
   */
  storage: AuthorizationServerStorage;
  /** Endpoint paths under the issuer (defaults `/authorize`, `/token`, `/revoke`, `/introspect`; registration off). */
  endpoints?: EndpointPaths;
  /** Scopes clients may request; if absent, any scope is accepted. Advertised as `scopes_supported`. */
  scopesSupported?: readonly string[];
  /** Scope granted when a request omits `scope` (default none). */
  defaultScopes?: readonly string[];
  /**
   * RFC 8707 resource indicators this server issues tokens for; if absent, any absolute URI is
   * accepted. The first one is the default when a request names none (so that every token has
   * an audience), and the resource `validateBearerToken` checks when a route names none.
   */
  resources?: readonly string[];
  /** Client authentication methods accepted at the token endpoint (default: all three). */
  clientAuthenticationMethods?: readonly ClientAuthenticationMethod[];
  /** Grant types accepted at the token endpoint (default: all three). */
  grantTypes?: readonly GrantType[];
  /** PKCE policy (default: required of every client, S256 only). */
  pkce?: PkceConfig;
  /** Refresh-token issuance, rotation and lifetimes. */
  refreshTokens?: RefreshTokenConfig;
  /** Seconds an authorization code lives (default 60; RFC 6749 §4.1.2 recommends at most 600). */
  authorizationCodeLifetime?: number;
  /** Seconds an access token lives (default 3600). */
  accessTokenLifetime?: number;
  /** Resource-server credentials accepted by the introspection endpoint, besides registered clients. */
  introspectionCredentials?: readonly IntrospectionCredential[];
  /** Registration options; registration itself is on when `endpoints.registration` is a path. */
  registration?: RegistrationConfig;
  /**
   * Accept Client ID Metadata Documents: a `client_id` that is an `https` URL is resolved by
   * fetching it (draft-ietf-oauth-client-id-metadata-document). Off unless given (`{}` for defaults).
   */
  clientIdMetadataDocuments?: ClientIdMetadataDocumentConfig;
  /**
   * Also serve the authorization server metadata at the OpenID Connect discovery paths —
   * `/.well-known/openid-configuration` with path insertion for an issuer with a path (RFC 8414
   * §5), and `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4) — for
   * clients that try those (MCP 2026-07-28 has clients try both mechanisms). Default `false`.
   * The document is the same RFC 8414 one: oauthkit issues no ID tokens, so it carries none of
   * the OpenID fields (`jwks_uri`, `id_token_signing_alg_values_supported`…).
   */
  openIdConfiguration?: boolean;
  /** Largest accepted form body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /**
   * Told about unexpected errors (which clients see only as `500 server_error`); without it they
   * are logged with `console.error`, once each.
   */
  onError?: ErrorReporter;
  /**
   * Told what happened — codes issued, redeemed and replayed, refresh rotations and reuse, tokens
   * revoked, clients registered, updated and deleted, client ID metadata documents fetched or
   * refused, failed client authentication at the token endpoint — with ids, never a credential.
   * A listener that throws or rejects is reported to `onError` and never changes an answer. See
   * docs/events.md.
   */
  onEvent?: OAuthEventListener;
  /**
   * Decides, before an endpoint does any work, whether it answers a request (token, registration,
   * authorization request parsing, introspection, revocation): return `{ retryAfter }` to have it
   * answered `429` with `Retry-After`. See docs/production.md#rate-limiting.
   */
  rateLimit?: RateLimitHook;
  /**
   * How `handleRequest` matches a request to an endpoint. `"issuer-origin"` (default): by origin
   * and path, so only requests addressed to the issuer's origin are served, and a request for an
   * endpoint path on another origin is answered `421 Misdirected Request` with an explanation.
   * `"path"`: by path alone, whatever the `Host` says — for hosts behind a proxy that rewrites
   * the origin; safe because every URL oauthkit emits is built from `issuer`, never from the request.
   */
  routing?: RoutingMode;
  /**
   * CORS of the endpoints `handleRequest` serves: which origins may read their answers (default
   * `"*"`, safe because none of them relies on cookies: see docs/server.md#cors) and which headers
   * scripts may read.
   */
  cors?: CorsConfig;
  /**
   * Seals grant `props` at rest (AES-256-GCM, host-held keys): required to attach props to a
   * grant, so a dump of the store yields no host data (docs/federation.md#threat-model).
   */
  props?: PropsConfig;
  /**
   * Runs at every code exchange and refresh: may replace the grant's props, narrow the access
   * token's scope and shorten its lifetime (e.g. to the upstream token's, docs/federation.md).
   */
  tokenHook?: TokenHook;
  /** Clock in seconds since the epoch (default: the system clock). For tests. */
  now?: () => number;
  /**
   * How credentials are hashed for storage and lookup (default: the portable `hashToken`, pure
   * JavaScript). A native synchronous SHA-256 is faster: on Node, `nodeHashToken` from
   * `oauthkit/node`. Every hasher gives the same strings, so it can change without a migration.
   */
  hash?: TokenHasher;
}

/**
 * What {@link resolvePolicy} reads: the configuration of {@link createAuthorizationServer} without
 * its runtime dependencies (storage, clock, error reporter). Callbacks inside it (the registration
 * `policy`, the CIMD `fetch`) are not part of the policy and are ignored.
 */
export type PolicyConfig = Omit<AuthorizationServerConfig, "storage" | "onError" | "onEvent" | "rateLimit" | "now" | "hash">;

/**
 * The configuration with every default applied, as the server's handlers read it: the
 * {@link ServerPolicy} plus the runtime dependencies (storage, clock, reporter) and callbacks.
 */
export interface ResolvedConfig extends ServerPolicy {
  /** The issuer, parsed once. */
  issuerUrl: URL;
  /** {@link AuthorizationServerConfig.storage}. */
  storage: Storage;
  /** Present when registration is on: the policy's registration settings and the host's callback. */
  registration:
    | (NonNullable<ServerPolicy["registration"]> & {
        /** The host's registration policy, if any. */
        policy: RegistrationPolicy | undefined;
        /** Where a registration comes from, when identical registrations are reused. */
        reuseIdenticalRegistrations: RegistrationSource | undefined;
      })
    | undefined;
  /** {@link AuthorizationServerConfig.clientIdMetadataDocuments}; `undefined`: off. */
  clientIdMetadataDocuments: ClientIdMetadataDocumentConfig | undefined;
  /** {@link AuthorizationServerConfig.onError}. */
  onError: ErrorReporter | undefined;
  /** {@link AuthorizationServerConfig.cors}, defaults applied. */
  cors: CorsPolicy;
  /** {@link AuthorizationServerConfig.onEvent}. */
  onEvent: OAuthEventListener | undefined;
  /** {@link AuthorizationServerConfig.rateLimit}. */
  rateLimit: RateLimitHook | undefined;
  /** The server's clock, in seconds since the epoch. */
  now: () => number;
  /** {@link AuthorizationServerConfig.hash}, default `hashToken`. */
  hash: TokenHasher;
  /** {@link AuthorizationServerConfig.props}, as given (`undefined`: props cannot be attached). */
  props: PropsConfig | undefined;
  /** The sealer of `props.keys`; `undefined` when none are configured. */
  propsSealer: Sealer | undefined;
  /** {@link AuthorizationServerConfig.tokenHook}. */
  tokenHook: TokenHook | undefined;
}

const DAY = 24 * 60 * 60;

/** What a configured `hash` is checked on: non-ASCII too, so that the UTF-8 encoding is checked. */
const HASH_PROBE = "oauthkit hash probe: ü€😀";

/**
 * Resolves the policy of a configuration: applies every default and checks every option, with no
 * storage, clock or callback involved — so the metadata document, the PKCE check and the grants
 * can be used, and tested, without a server.
 *
 * @param config - the issuer and any policy option of `createAuthorizationServer` (a whole
 *   `AuthorizationServerConfig` fits; its storage, clock and callbacks are not read).
 * @throws {TypeError} on a configuration mistake, naming the option (a programmer error, never an
 *   OAuth error).
 * @example
 * ```ts
 * const policy = resolvePolicy({ issuer: "https://auth.example.com", scopesSupported: ["read"] });
 * policy.pkce.methods; // ["S256"]
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function resolvePolicy(config: PolicyConfig): ServerPolicy {
  checkIssuer(config.issuer);
  checkPolicy(config);
  const issuer = config.issuer;
  const path = (value: string | false | undefined, fallback: string | undefined): string | undefined => {
    if (value === false) return undefined;
    const chosen = value ?? fallback;
    return chosen === undefined ? undefined : issuer + chosen;
  };
  const grantTypes = config.grantTypes ?? ["authorization_code", "refresh_token", "client_credentials"];
  for (const resource of config.resources ?? []) {
    if (!isResourceIndicator(resource)) throw new TypeError(`resources must be absolute URIs without fragment: ${resource}`);
  }
  const gracePeriod = seconds(config.refreshTokens?.gracePeriod, 0, "refreshTokens.gracePeriod");
  return {
    issuer,
    endpoints: {
      authorization: path(config.endpoints?.authorization, "/authorize")!,
      token: path(config.endpoints?.token, "/token")!,
      revocation: path(config.endpoints?.revocation, "/revoke"),
      introspection: path(config.endpoints?.introspection, "/introspect"),
      registration: path(config.endpoints?.registration, undefined),
    },
    scopesSupported: config.scopesSupported,
    defaultScopes: config.defaultScopes ?? [],
    resources: config.resources,
    clientAuthenticationMethods: config.clientAuthenticationMethods ?? ["client_secret_basic", "client_secret_post", "none"],
    grantTypes,
    pkce: { required: config.pkce?.required ?? "all-clients", methods: config.pkce?.methods ?? ["S256"] },
    refreshTokens: {
      issue: config.refreshTokens?.issue ?? "always",
      rotation: config.refreshTokens?.rotation ?? "always",
      idleLifetime: seconds(config.refreshTokens?.idleLifetime, 30 * DAY, "refreshTokens.idleLifetime"),
      absoluteLifetime: seconds(config.refreshTokens?.absoluteLifetime, 90 * DAY, "refreshTokens.absoluteLifetime"),
      gracePeriod,
      rotationKeys: rotationKeys(config.refreshTokens?.rotationSecret, gracePeriod),
    },
    authorizationCodeLifetime: seconds(config.authorizationCodeLifetime, 60, "authorizationCodeLifetime"),
    accessTokenLifetime: seconds(config.accessTokenLifetime, 3600, "accessTokenLifetime"),
    introspectionCredentials: config.introspectionCredentials ?? [],
    registration:
      config.endpoints?.registration === undefined || config.endpoints.registration === false
        ? undefined
        : {
            maxClients: config.registration?.maxClients ?? Number.POSITIVE_INFINITY,
            clientSecretLifetime: seconds(config.registration?.clientSecretLifetime, 0, "registration.clientSecretLifetime"),
            allowedGrantTypes: registrationGrantTypes(config.registration?.allowedGrantTypes, grantTypes),
            privateUseSchemes: privateUseSchemes(config.registration?.privateUseSchemes),
            unusedClientLifetime: seconds(config.registration?.unusedClientLifetime, 0, "registration.unusedClientLifetime"),
            publicClientsOnly: flag(config.registration?.publicClientsOnly, "registration.publicClientsOnly"),
          },
    clientIdMetadataDocumentsSupported: config.clientIdMetadataDocuments !== undefined,
    openIdConfiguration: config.openIdConfiguration ?? false,
    maxBodyBytes: config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    routing: config.routing ?? "issuer-origin",
  };
}

/**
 * Applies defaults and checks the configuration: the {@link ServerPolicy} of
 * {@link resolvePolicy}, with the storage, the clock, the reporter and the callbacks beside it.
 *
 * @throws {TypeError} on a configuration mistake (a programmer error, never an OAuth error).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function resolveConfig(config: AuthorizationServerConfig): ResolvedConfig {
  const issuerUrl = checkIssuer(config.issuer);
  checkStorage(config.storage, typeof config.endpoints?.registration === "string");
  const policy = resolvePolicy(config);
  if (config.onError !== undefined && typeof config.onError !== "function") throw new TypeError("onError must be a function.");
  if (config.onEvent !== undefined && typeof config.onEvent !== "function") throw new TypeError("onEvent must be a function.");
  if (config.rateLimit !== undefined && typeof config.rateLimit !== "function") throw new TypeError("rateLimit must be a function.");
  if (config.now !== undefined && typeof config.now !== "function") {
    throw new TypeError("now must be a function returning seconds since the epoch.");
  }
  checkHash(config.hash);
  return {
    ...policy,
    issuerUrl,
    // checkStorage verified the registration methods when registration is on, and nothing else
    // calls them (every registration path refuses to run while it is off).
    storage: config.storage as Storage,
    registration:
      policy.registration === undefined
        ? undefined
        : {
            ...policy.registration,
            policy: config.registration?.policy,
            reuseIdenticalRegistrations: registrationSource(config.registration?.reuseIdenticalRegistrations),
          },
    clientIdMetadataDocuments: config.clientIdMetadataDocuments,
    onError: config.onError,
    cors: resolveCors(config.cors),
    onEvent: config.onEvent,
    rateLimit: config.rateLimit,
    now: config.now ?? systemNow,
    hash: config.hash ?? hashToken,
    props: config.props,
    propsSealer: propsSealer(config.props),
    tokenHook: checkedTokenHook(config.tokenHook),
  };
}

function checkedTokenHook(hook: TokenHook | undefined): TokenHook | undefined {
  if (hook !== undefined && typeof hook !== "function") throw new TypeError("tokenHook must be a function.");
  return hook;
}

/** A lifetime option: a non-negative number of seconds, or its default. */
function seconds(value: number | undefined, fallback: number, name: string): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < 0) throw new TypeError(`${name} must be a non-negative number of seconds.`);
  return chosen;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Decodes `refreshTokens.rotationSecret`; the messages never quote a secret. */
function rotationKeys(secret: string | readonly string[] | undefined, gracePeriod: number): Uint8Array[] {
  const secrets = secret === undefined ? [] : typeof secret === "string" ? [secret] : [...secret];
  if (gracePeriod > 0 && secrets.length === 0) {
    throw new TypeError(
      "refreshTokens.rotationSecret is required when refreshTokens.gracePeriod > 0: successors are derived from it, so that the store alone cannot compute them (generateToken() makes one; use the same on every instance).",
    );
  }
  return secrets.map((value, index) => {
    const name = typeof secret === "string" ? "refreshTokens.rotationSecret" : `refreshTokens.rotationSecret[${index}]`;
    let bytes: Uint8Array | undefined;
    try {
      if (typeof value === "string" && BASE64URL.test(value)) bytes = decodeBase64urlIgnorePadding(value);
    } catch {
      // a length no base64url encoding has: refused below
    }
    if (bytes === undefined || bytes.length < 32) throw new TypeError(`${name} must be base64url of at least 32 bytes (generateToken() makes one).`);
    return bytes;
  });
}

/**
 * The issuer identifier, checked: RFC 8414 §3.3 has clients compare it character for character
 * with the one they were configured with, and every endpoint URL is built by appending a path to
 * it, so it is refused rather than silently rewritten.
 */
function checkIssuer(issuer: unknown): URL {
  if (typeof issuer !== "string" || issuer === "") throw new TypeError("issuer is required.");
  const url = parseUrl(issuer);
  if (url === null) throw new TypeError(`issuer must be an absolute URL (RFC 8414 §2): ${issuer}`);
  if (url.search !== "" || url.hash !== "" || issuer.includes("?") || issuer.includes("#")) {
    throw new TypeError(`issuer must not have a query or fragment (RFC 8414 §2): ${issuer}`);
  }
  if (issuer.endsWith("/")) {
    throw new TypeError(`issuer must not end with "/" (endpoint paths are appended to it): ${issuer}`);
  }
  if (url.protocol !== "https:" && !isLocalhost(url)) {
    throw new TypeError("issuer must use https, except on localhost (RFC 8414 §2).");
  }
  // Requests are routed by their parsed URL (lower-case host, no default port): an issuer spelled
  // otherwise would build endpoint URLs no request ever matches.
  const canonical = url.origin + (url.pathname === "/" ? "" : url.pathname);
  if (canonical !== issuer) throw new TypeError(`issuer must be written as ${canonical}: ${issuer}`);
  return url;
}

const GRANT_TYPES: readonly GrantType[] = ["authorization_code", "refresh_token", "client_credentials"];
const AUTHENTICATION_METHODS: readonly ClientAuthenticationMethod[] = ["client_secret_basic", "client_secret_post", "none"];
const PKCE_METHODS: readonly CodeChallengeMethod[] = ["S256", "plain"];
// A Record over the keys of Storage, so that a method added to the contract must be added here.
const STORAGE_METHODS: Record<keyof Storage, true> = {
  getClient: true,
  createClient: true,
  updateClient: true,
  extendClientExpiry: true,
  deleteClient: true,
  countClients: true,
  saveAuthorizationCode: true,
  redeemAuthorizationCode: true,
  createGrant: true,
  saveAccessToken: true,
  getAccessToken: true,
  getGrantByRefreshFamily: true,
  rotateRefreshToken: true,
  revokeGrant: true,
  revokeAccessToken: true,
  updateGrantProps: true,
  listSubjectGrants: true,
  revokeSubjectGrants: true,
};

/**
 * The configuration mistakes that would otherwise surface only with traffic (a 500 on the first
 * request of a kind, or metadata advertising what the handlers refuse), each a `TypeError` naming
 * the option. The configuration is plain data that may come from untyped code or a file, so the
 * types alone do not rule these out.
 */
function checkPolicy(config: PolicyConfig): void {
  const endpoints = config.endpoints ?? {};
  for (const name of ["authorization", "token", "revocation", "introspection", "registration"] as const) {
    const value: unknown = endpoints[name];
    const optional = name !== "authorization" && name !== "token";
    if (value === undefined || (optional && value === false)) continue;
    if (typeof value !== "string" || !value.startsWith("/")) {
      throw new TypeError(`endpoints.${name} must be a path starting with "/"${optional ? " or false" : ""}: ${String(value)}`);
    }
  }
  if (config.registration !== undefined && typeof endpoints.registration !== "string") {
    throw new TypeError(
      "registration options are set but registration is off: set endpoints.registration to a path (e.g. \"/register\") to turn it on.",
    );
  }
  if (config.scopesSupported !== undefined) {
    if (config.scopesSupported.length === 0) {
      throw new TypeError("scopesSupported must name at least one scope (leave it out to accept any scope).");
    }
    checkScopeTokens(config.scopesSupported, "scopesSupported");
  }
  if (config.defaultScopes !== undefined) {
    checkScopeTokens(config.defaultScopes, "defaultScopes");
    const unsupported = config.defaultScopes.find((scope) => !(config.scopesSupported ?? [scope]).includes(scope));
    if (unsupported !== undefined) throw new TypeError(`defaultScopes must be within scopesSupported: "${unsupported}" is not supported.`);
  }
  if (config.resources !== undefined && config.resources.length === 0) {
    throw new TypeError("resources must name at least one resource (leave it out to accept any).");
  }
  checkMembers(config.grantTypes, GRANT_TYPES, "grantTypes", "grant type");
  checkMembers(config.clientAuthenticationMethods, AUTHENTICATION_METHODS, "clientAuthenticationMethods", "method");
  checkMembers(config.pkce?.methods, PKCE_METHODS, "pkce.methods", "method");
  // OAuth 2.1 §4.1.1: an authorization server must support S256; plain alone protects nothing
  // against an attacker who reads the authorization request.
  if (config.pkce?.methods !== undefined && !config.pkce.methods.includes("S256")) {
    throw new TypeError('pkce.methods must include "S256" (OAuth 2.1 §4.1.1): "plain" alone does not protect the code.');
  }
  const required: unknown = config.pkce?.required;
  if (required !== undefined && required !== "all-clients" && required !== "public-clients") {
    throw new TypeError(`pkce.required must be "all-clients" or "public-clients": ${String(required)}`);
  }
  if (config.openIdConfiguration !== undefined && typeof config.openIdConfiguration !== "boolean") {
    throw new TypeError("openIdConfiguration must be true or false.");
  }
  if (config.routing !== undefined && config.routing !== "issuer-origin" && config.routing !== "path") {
    throw new TypeError(`routing must be "issuer-origin" or "path": ${String(config.routing)}`);
  }
}

function checkHash(hash: unknown): void {
  if (hash === undefined) return;
  if (typeof hash !== "function") {
    throw new TypeError("hash must be a function (value: string) => base64url(SHA-256(value)), such as hashToken.");
  }
  // A hasher with another digest or encoding (hex, padding) would find no stored record: refused
  // at startup rather than as every token being unknown.
  if (hash(HASH_PROBE) !== hashToken(HASH_PROBE)) {
    throw new TypeError("hash must give base64url(SHA-256(UTF-8(value))) without padding, exactly as hashToken does.");
  }
}

const REGISTRATION_METHODS: Record<RegistrationStorageMethod, true> = { createClient: true, updateClient: true, extendClientExpiry: true, deleteClient: true, countClients: true };

function checkStorage(storage: unknown, registration: boolean): void {
  if (storage === undefined || storage === null || typeof storage !== "object") throw new TypeError("storage is required.");
  for (const method of Object.keys(STORAGE_METHODS)) {
    if (typeof (storage as Record<string, unknown>)[method] === "function") continue;
    if (method in REGISTRATION_METHODS) {
      if (!registration) continue;
      throw new TypeError(`storage must implement ${method}() when registration is on (endpoints.registration; see the Storage interface).`);
    }
    throw new TypeError(`storage must implement ${method}() (see the Storage interface).`);
  }
}

function checkScopeTokens(scopes: readonly string[], name: string): void {
  for (const scope of scopes) {
    if (typeof scope !== "string" || !isScopeToken(scope)) {
      throw new TypeError(`${name}: ${JSON.stringify(scope)} is not a scope token (RFC 6749 §3.3: no spaces, quotes, backslashes or control characters).`);
    }
  }
}

function checkMembers<T extends string>(values: readonly T[] | undefined, known: readonly T[], name: string, what: string): void {
  if (values === undefined) return;
  if (values.length === 0) throw new TypeError(`${name} must name at least one ${what}.`);
  for (const value of values) {
    if (!known.includes(value)) {
      throw new TypeError(`${name}: unknown ${what} ${JSON.stringify(value)} (oauthkit supports ${known.join(", ")}).`);
    }
  }
}

function isLocalhost(url: URL): boolean {
  return isLoopbackHost(url.hostname);
}

function registrationGrantTypes(allowed: readonly GrantType[] | undefined, grantTypes: readonly GrantType[]): readonly GrantType[] {
  if (allowed === undefined) return DEFAULT_REGISTRATION_GRANT_TYPES.filter((grant) => grantTypes.includes(grant));
  if (!Array.isArray(allowed)) throw new TypeError("registration.allowedGrantTypes must be an array of grant types.");
  for (const grant of allowed) {
    if (!grantTypes.includes(grant)) {
      throw new TypeError(`registration.allowedGrantTypes names ${String(grant)}, which is not one of grantTypes (${grantTypes.join(", ")}).`);
    }
  }
  return [...new Set(allowed)];
}

function privateUseSchemes(schemes: readonly string[] | undefined): readonly string[] {
  if (schemes === undefined) return [];
  if (!Array.isArray(schemes)) throw new TypeError("registration.privateUseSchemes must be an array of URI schemes.");
  for (const scheme of schemes) {
    if (typeof scheme !== "string" || !isAdmissiblePrivateUseScheme(scheme)) {
      throw new TypeError(
        `registration.privateUseSchemes: ${JSON.stringify(scheme)} is not a lower-case private-use scheme (web, file and script schemes are never admitted).`,
      );
    }
  }
  return [...schemes];
}

function flag(value: boolean | undefined, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new TypeError(`${name} must be a boolean.`);
  return value;
}

// `true`: the software_id (RFC 7591 §2), which identifies the client software across registrations.
const bySoftwareId: RegistrationSource = ({ metadata }) => metadata.software_id;

function registrationSource(value: boolean | RegistrationSource | undefined): RegistrationSource | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return bySoftwareId;
  if (typeof value !== "function") throw new TypeError("registration.reuseIdenticalRegistrations must be a boolean or a function returning the registration's source.");
  return value;
}
