/**
 * Bearer token validation for resource servers (RFC 6750, RFC 9728 §5.1, RFC 8707).
 *
 * @module
 */
import { hashToken } from "../crypto.js";
import { systemNow } from "../clock.js";
import { OAuthError } from "../errors.js";
import { authenticateChallenge } from "../http/challenge.js";
import { type ErrorReporter, errorResponse, errorToResponse } from "../http/response.js";
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
  const token = bearerToken(request.headers.get("authorization"));
  if (token === undefined) return missingTokenResponse(options);
  if (token === null) return errorResponse(bearerError(options, "invalid_request", "The Authorization header is malformed."));
  let record: AccessTokenRecord | null;
  try {
    record = await options.storage.getAccessToken(hashToken(token));
  } catch (error) {
    return errorToResponse(error, request, options.onError);
  }
  const now = options.now?.() ?? systemNow();
  const refusal = refuse(record, options, requiredScopes, requireUser, now);
  if (refusal !== undefined) return errorResponse(refusal);
  const valid = record!;
  let props: GrantProps | undefined;
  try {
    props = await unsealGrantProps(cachedPropsSealer(options.props), valid);
  } catch (error) {
    return errorToResponse(error, request, options.onError);
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
    return bearerError(options, "invalid_token", "The access token is invalid or has expired.");
  }
  // RFC 8707 §2 / MCP authorization: a token must have been issued for this very resource. An
  // empty audience includes nothing, so an unrestricted token passes no resource.
  if (!record.audience.includes(options.resource)) {
    return bearerError(options, "invalid_token", "The access token was not issued for this resource.");
  }
  // invalid_token rather than insufficient_scope: no scope would help, only a token a user
  // approved, which a client gets by running the authorization-code flow again.
  if (requireUser === true && record.subjectType === "client") {
    return bearerError(options, "invalid_token", "This resource requires a token issued for a user.");
  }
  if (requiredScopes !== undefined && !isScopeSubset(requiredScopes, record.scope)) {
    return bearerError(options, "insufficient_scope", "The access token lacks a required scope.", formatScope(requiredScopes));
  }
  return undefined;
}

/**
 * A refusal of RFC 6750 §3.1 as an {@link OAuthError}: its status (`400`, `401`, `403`) and its
 * `WWW-Authenticate: Bearer` challenge, which repeats the error (and the needed `scope`) and
 * carries `resource_metadata` (RFC 9728 §5.1) when configured.
 */
function bearerError(
  options: BearerValidationOptions,
  error: "invalid_request" | "invalid_token" | "insufficient_scope",
  description: string,
  scope?: string,
): OAuthError {
  const challenge = authenticateChallenge("Bearer", [
    ["realm", options.realm],
    ["error", error],
    ["error_description", description],
    ["scope", scope],
    ["resource_metadata", options.resourceMetadataUrl],
  ]);
  // invalid_request is 400 (RFC 6750 §3.1); the other two have their own defaults (401, 403).
  return new OAuthError(error, description, { headers: { "WWW-Authenticate": challenge } });
}

/** The headers of the answer to a request without a bearer token (RFC 6750 §3.1: no error code). */
function missingTokenResponse(options: BearerValidationOptions): Response {
  const challenge = authenticateChallenge("Bearer", [
    ["realm", options.realm],
    ["resource_metadata", options.resourceMetadataUrl],
  ]);
  return new Response(null, {
    status: 401,
    headers: { "WWW-Authenticate": challenge, "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
