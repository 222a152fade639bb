/**
 * Bearer token validation for resource servers (RFC 6750, RFC 9728 §5.1, RFC 8707).
 *
 * @module
 */
import type { TokenHasher } from "../crypto.js";
import { hashTaggedToken } from "../token-format.js";
import { systemNow } from "../clock.js";
import { OAuthError } from "../errors.js";
import { authenticateChallenge } from "../http/challenge.js";
import { type ErrorReporter, logUnexpectedError } from "../http/response.js";
import { formatScope, isScopeSubset } from "../rules/scope.js";
import type { AccessTokenRecord, GrantProps, GrantStore, SubjectType } from "../storage/types.js";
import { type PropsConfig, cachedPropsSealer, unsealGrantProps } from "../props.js";

/** Options of {@link validateBearerToken}. */
export interface BearerValidationOptions {
  /** Where access tokens are (one `getAccessToken` call per validation). */
  storage: Pick<GrantStore, "getAccessToken">;
  /**
   * This resource's identifier (required): tokens whose audience does not include it — a token
   * minted for another resource, or one with no audience at all — are refused (RFC 8707).
   */
  resource: string;
  /** Scopes the route needs; a token lacking one gets `403 insufficient_scope`. */
  requiredScopes?: readonly string[];
  /**
   * Refuse tokens a client obtained for itself (client_credentials) with `401 invalid_token`, so a
   * client that must act for a user runs the authorization-code flow instead.
   */
  requireUser?: boolean;
  /** The RFC 9728 metadata URL, sent as `resource_metadata` in every challenge. */
  resourceMetadataUrl?: string;
  /** `realm` of the challenge, if wanted. */
  realm?: string;
  /** Clock in seconds since the epoch. */
  now?: () => number;
  /** How tokens are hashed (default: the portable `hashToken`; `oauthkit/node` gives a native one). */
  hash?: TokenHasher;
  /** The server's `props` keys, to unseal the props of the grant (required when grants have props). */
  props?: PropsConfig;
  /**
   * Hears about unexpected failures (a store that is down), which are answered `500
   * server_error`; without it they are logged with `console.error`.
   */
  onError?: ErrorReporter;
}

/** What a valid token grants, for the protected route. */
export interface BearerTokenInfo {
  /** The user (or, for client_credentials, the client) the token acts for. */
  subject: string;
  /**
   * Whom `subject` names: `"user"`, or `"client"` for a client_credentials token (then `subject`
   * is the `clientId`). Tokens stored before this was recorded count as `"user"`.
   */
  subjectType: SubjectType;
  /** The client the token was issued to. */
  clientId: string;
  /** The token's scopes. */
  scope: string[];
  /** RFC 8707 audience. */
  audience: string[];
  /** Host data attached when the grant was approved (unsealed). */
  props: GrantProps | undefined;
  /** The version of the grant's sealed props (for `updateGrantProps`); 0 when it has none. */
  propsVersion: number;
  /** When it expires, in seconds since the epoch. */
  expiresAt: number;
  /** Its grant, e.g. to revoke it (`storage.revokeGrant`). */
  grantId: string;
}

/** The headers of JSON error answers (RFC 6749 §5.1, §5.2). */
const JSON_NO_STORE_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" } as const;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Validates the bearer token of a request. Reads `Authorization: Bearer` only — tokens in the query
 * or body are not looked at (OAuth 2.1 §5.2). Makes exactly one storage call.
 *
 * The audience is always checked: `resource` is required, and a token whose audience does not
 * include it (minted for another resource, or with none) is refused.
 *
 * @param request - the request to the protected resource.
 * @param options - the resource, the store, and the route's requirements.
 * @returns the token's information, or a ready `Response`: `401` with `WWW-Authenticate: Bearer`
 *   (no error code when no token was sent, RFC 6750 §3.1; `invalid_token` for an unknown, expired,
 *   revoked or wrong-audience token, and with `requireUser` for a client_credentials token),
 *   `400 invalid_request` for a malformed header, or `403 insufficient_scope` naming the needed
 *   `scope`. Every challenge carries `resource_metadata` (RFC 9728 §5.1) when configured. A store
 *   that fails gives `500 server_error` (RFC 6749 §5.2 shape, no detail), reported to `onError`
 *   (default: `console.error`); the promise never rejects.
 * @throws {TypeError} synchronously, when `resource` is missing or empty (a programmer error).
 * @example
 * ```ts
 * const result = await validateBearerToken(request, { storage, resource: "https://api.example.com/mcp" });
 * if (result instanceof Response) return result;
 * console.log(result.subject);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function validateBearerToken(request: Request, options: BearerValidationOptions): Promise<BearerTokenInfo | Response> {
  if (typeof options.resource !== "string" || options.resource === "") {
    throw new TypeError("validateBearerToken: resource is required (the token's audience is always checked, RFC 8707).");
  }
  return validateBearerTokenFor(request, options, options.requiredScopes, options.requireUser);
}

/**
 * A refused bearer token as plain data: the status, the headers (`WWW-Authenticate: Bearer …`,
 * `Content-Type`, `Cache-Control`) and the body (`""` when there is none), ready to be written by
 * any HTTP layer. What {@link validateBearerAuthorization} returns where {@link validateBearerToken}
 * returns a `Response`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export interface BearerChallenge {
  /** 401, 400, 403, or 500 when the store failed. */
  status: number;
  /** Response headers, by their canonical names. */
  headers: Record<string, string>;
  /** The JSON error body, or `""` for a 401 without an error code (RFC 6750 §3.1). */
  body: string;
}

/**
 * Validates the bearer token of an `Authorization` header value — no `Request` needed, so a
 * node:http, Express or Fastify route passes `req.headers.authorization` as it is. The same checks,
 * answers and single storage call as {@link validateBearerToken}; refusals come back as a plain
 * {@link BearerChallenge} (tell the two apart with `"status" in result`).
 *
 * @param authorization - The header's value; `undefined` or `null` when the request had none.
 * @param options - The resource, the store, and the route's requirements.
 * @returns The token's information, or the challenge to answer with. A failing store gives a `500
 *   server_error` challenge, reported to `onError` (with a `GET` of the resource as the request);
 *   the promise never rejects.
 * @throws {TypeError} synchronously, when `resource` is missing or empty (a programmer error).
 * @example
 * ```ts
 * const result = await validateBearerAuthorization(req.headers.authorization, { storage, resource: "https://api.example.com/mcp" });
 * if ("status" in result) return res.writeHead(result.status, result.headers).end(result.body);
 * console.log(result.subject);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function validateBearerAuthorization(
  authorization: string | null | undefined,
  options: BearerValidationOptions,
): Promise<BearerTokenInfo | BearerChallenge> {
  if (typeof options.resource !== "string" || options.resource === "") {
    throw new TypeError("validateBearerAuthorization: resource is required (the token's audience is always checked, RFC 8707).");
  }
  return checkBearerAuthorization(authorization, options, options.requiredScopes, options.requireUser, () => new Request(options.resource));
}

/**
 * {@link validateBearerToken} with the route's requirements apart from the (cached, shared)
 * options, so a server validating for many routes builds no options object per request.
 *
 * @internal
 */
export async function validateBearerTokenFor(
  request: Request,
  options: BearerValidationOptions,
  requiredScopes: readonly string[] | undefined,
  requireUser: boolean | undefined,
): Promise<BearerTokenInfo | Response> {
  const result = await checkBearerAuthorization(request.headers.get("authorization"), options, requiredScopes, requireUser, () => request);
  return "status" in result ? new Response(result.body === "" ? null : result.body, result) : result;
}

/**
 * The validation itself, on the header's value: what the `Request` and the header forms both run.
 * `reportedRequest` is built only when a failing store is reported to `onError`.
 *
 * @internal
 */
export async function checkBearerAuthorization(
  authorization: string | null | undefined,
  options: BearerValidationOptions,
  requiredScopes: readonly string[] | undefined,
  requireUser: boolean | undefined,
  reportedRequest: () => Request,
): Promise<BearerTokenInfo | BearerChallenge> {
  const token = bearerToken(authorization ?? null);
  if (token === undefined) return missingTokenChallenge(options, requiredScopes);
  if (token === null) return challengeOf(bearerError(options, requiredScopes, "invalid_request", "The Authorization header is malformed."));
  let record: AccessTokenRecord | null;
  try {
    record = await options.storage.getAccessToken(hashTaggedToken(token, options.hash));
  } catch (error) {
    try {
      (options.onError ?? logUnexpectedError)(error, reportedRequest());
    } catch {
      // A failing reporter must not turn a 500 into a crash.
    }
    return challengeOf(new OAuthError("server_error", "The server encountered an unexpected error."));
  }
  const now = options.now?.() ?? systemNow();
  const refusal = refuse(record, options, requiredScopes, requireUser, now);
  if (refusal !== undefined) return challengeOf(refusal);
  const valid = record!;
  // Most tokens carry no props: no sealer lookup and no await for them on this hot path.
  let props: GrantProps | undefined = valid.props;
  if (valid.sealedProps !== undefined) {
    try {
      props = await unsealGrantProps(cachedPropsSealer(options.props), valid);
    } catch (error) {
      if (error instanceof OAuthError) return challengeOf(error);
      try {
        (options.onError ?? logUnexpectedError)(error, reportedRequest());
      } catch {
        // A failing reporter must not turn a 500 into a crash.
      }
      return challengeOf(new OAuthError("server_error", "The server encountered an unexpected error."));
    }
  }
  return {
    subject: valid.subject,
    subjectType: valid.subjectType ?? "user",
    clientId: valid.clientId,
    scope: valid.scope,
    audience: valid.audience,
    props,
    propsVersion: valid.propsVersion ?? 0,
    expiresAt: valid.expiresAt,
    grantId: valid.grantId,
  };
}

/** The JSON answer of an {@link OAuthError} (RFC 6749 §5.2 shape, as `errorResponse` gives it). */
function challengeOf(error: OAuthError): BearerChallenge {
  return { status: error.status, headers: { ...JSON_NO_STORE_HEADERS, ...error.headers }, body: JSON.stringify(error.toJSON()) };
}

/**
 * The token of an `Authorization: Bearer` header: `undefined` when there is no bearer credential
 * (another scheme or none), `null` when it is malformed (RFC 6750 §2.1). The scheme is
 * case-insensitive (RFC 9110 §11.1); the common spelling is checked first.
 */
function bearerToken(header: string | null): string | null | undefined {
  if (header === null) return undefined;
  let token: string;
  if (header.startsWith("Bearer ")) {
    token = header.slice(7);
  } else {
    const space = header.indexOf(" ");
    if (space === -1 || header.slice(0, space).toLowerCase() !== "bearer") return undefined;
    token = header.slice(space + 1);
  }
  token = token.trim();
  return B64TOKEN.test(token) ? token : null;
}

/** Why a token is refused, as the {@link OAuthError} it is (RFC 6750 §3.1), or `undefined` if it passes. */
function refuse(
  record: AccessTokenRecord | null,
  options: BearerValidationOptions,
  requiredScopes: readonly string[] | undefined,
  requireUser: boolean | undefined,
  now: number,
): OAuthError | undefined {
  if (record === null || record.expiresAt <= now) {
    return bearerError(options, requiredScopes, "invalid_token", "The access token is invalid or has expired.");
  }
  // RFC 8707 §2 / MCP authorization: a token must have been issued for this very resource. An
  // empty audience includes nothing, so an unrestricted token passes no resource.
  if (!record.audience.includes(options.resource)) {
    return bearerError(options, requiredScopes, "invalid_token", "The access token was not issued for this resource.");
  }
  // invalid_token rather than insufficient_scope: no scope would help, only a token a user
  // approved, which a client gets by running the authorization-code flow again.
  if (requireUser === true && record.subjectType === "client") {
    return bearerError(options, requiredScopes, "invalid_token", "This resource requires a token issued for a user.");
  }
  if (requiredScopes !== undefined && !isScopeSubset(requiredScopes, record.scope)) {
    return bearerError(options, requiredScopes, "insufficient_scope", "The access token lacks a required scope.");
  }
  return undefined;
}

/**
 * The route's required scopes as the challenge's `scope`: on every challenge, not only
 * `insufficient_scope` (RFC 6750 §3 allows it in any), because an MCP client takes the scopes of
 * its first authorization from the 401 (MCP 2026-07-28, scope selection strategy).
 */
function scopeAttribute(requiredScopes: readonly string[] | undefined): string | undefined {
  return requiredScopes === undefined || requiredScopes.length === 0 ? undefined : formatScope(requiredScopes);
}

/**
 * CORS of every challenge: any origin may read it, and `WWW-Authenticate` is exposed — without
 * that a browser hides the `resource_metadata` a browser-based client needs to start discovery
 * (RFC 9728 §5.1). A challenge carries no credential, so no origin needs refusing.
 */
const CHALLENGE_CORS_HEADERS = { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "WWW-Authenticate" } as const;

/**
 * A refusal of RFC 6750 §3.1 as an {@link OAuthError}: its status (`400`, `401`, `403`) and its
 * `WWW-Authenticate: Bearer` challenge, which repeats the error, names the route's scopes and
 * carries `resource_metadata` (RFC 9728 §5.1) when configured, readable by browsers.
 */
function bearerError(
  options: BearerValidationOptions,
  requiredScopes: readonly string[] | undefined,
  error: "invalid_request" | "invalid_token" | "insufficient_scope",
  description: string,
): OAuthError {
  const challenge = authenticateChallenge("Bearer", [
    ["realm", options.realm],
    ["error", error],
    ["error_description", description],
    ["scope", scopeAttribute(requiredScopes)],
    ["resource_metadata", options.resourceMetadataUrl],
  ]);
  // invalid_request is 400 (RFC 6750 §3.1); the other two have their own defaults (401, 403).
  return new OAuthError(error, description, { headers: { "WWW-Authenticate": challenge, ...CHALLENGE_CORS_HEADERS } });
}

/** The answer to a request without a bearer token (RFC 6750 §3.1: no error code, no body). */
function missingTokenChallenge(options: BearerValidationOptions, requiredScopes: readonly string[] | undefined): BearerChallenge {
  const challenge = authenticateChallenge("Bearer", [
    ["realm", options.realm],
    ["scope", scopeAttribute(requiredScopes)],
    ["resource_metadata", options.resourceMetadataUrl],
  ]);
  return { status: 401, headers: { "WWW-Authenticate": challenge, "Content-Type": "application/json", "Cache-Control": "no-store", ...CHALLENGE_CORS_HEADERS }, body: "" };
}
