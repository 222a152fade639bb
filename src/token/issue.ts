/**
 * What every grant shares: minting an access token for a grant, deciding about refresh tokens,
 * and the token response (RFC 6749 §5.1).
 *
 * @module
 */
import type { ServerContext } from "../context.js";
import { generateToken, hashToken } from "../crypto.js";
import { OAuthError } from "../errors.js";
import type { RequestParameters } from "../http/form.js";
import { jsonResponse } from "../http/response.js";
import { parseResourceIndicators } from "../resource-indicators.js";
import { formatScope, isScopeSubset, parseScope, scopeParameter } from "../scope.js";
import type { AccessTokenRecord, ClientRecord, GrantRecord } from "../storage/types.js";

/** A freshly minted access token: the credential for the response and the record for storage. */
export interface MintedAccessToken {
  token: string;
  record: AccessTokenRecord;
}

/**
 * Mints an access token of `grant` for `scope` and `audience`. It lives `accessTokenLifetime`
 * seconds, never beyond the grant.
 */
export function mintAccessToken(
  ctx: ServerContext,
  grant: GrantRecord,
  scope: readonly string[],
  audience: readonly string[],
): MintedAccessToken {
  const token = generateToken();
  const now = ctx.config.now();
  const record: AccessTokenRecord = {
    tokenHash: hashToken(token),
    grantId: grant.grantId,
    clientId: grant.clientId,
    subject: grant.subject,
    // Only client_credentials marks its grants; every other grant acts for a user.
    subjectType: grant.subjectType ?? "user",
    scope: [...scope],
    audience: [...audience],
    issuedAt: now,
    expiresAt: Math.min(now + ctx.config.accessTokenLifetime, grant.expiresAt),
  };
  if (grant.props !== undefined) record.props = grant.props;
  return { token, record };
}

/**
 * Whether a grant of `client` with `scope` gets a refresh token: the server and the client must
 * both allow the `refresh_token` grant, and the configured policy must agree (always, or only when
 * `offline_access` was granted).
 */
export function grantsRefreshToken(ctx: ServerContext, client: ClientRecord, scope: readonly string[]): boolean {
  if (!ctx.config.grantTypes.includes("refresh_token") || !client.grant_types.includes("refresh_token")) return false;
  return ctx.config.refreshTokens.issue === "always" || scope.includes("offline_access");
}

/**
 * The successful token response (RFC 6749 §5.1): `Bearer`, `expires_in`, the granted `scope`,
 * and `Cache-Control: no-store` / `Pragma: no-cache`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function tokenResponse(ctx: ServerContext, access: MintedAccessToken, refreshToken?: string): Response {
  const body: Record<string, string | number> = {
    access_token: access.token,
    token_type: "Bearer",
    expires_in: Math.max(0, access.record.expiresAt - ctx.config.now()),
    scope: formatScope(access.record.scope),
  };
  if (refreshToken !== undefined) body["refresh_token"] = refreshToken;
  return jsonResponse(body);
}

/** Reads a required parameter. @throws {OAuthError} `invalid_request` when it is absent. */
export function requiredParameter(params: RequestParameters, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new OAuthError("invalid_request", `The ${name} parameter is required.`);
  return value;
}

/**
 * The scope of a token requested from an existing grant: the `scope` parameter if sent and not
 * blank, which may only narrow the grant's scope (RFC 6749 §6), else the grant's own.
 */
export function narrowedScope(params: RequestParameters, granted: readonly string[]): string[] {
  const raw = scopeParameter(params.get("scope"));
  if (raw === undefined) return [...granted];
  const requested = parseScope(raw);
  if (!isScopeSubset(requested, granted)) {
    throw new OAuthError("invalid_scope", "The requested scope exceeds the scope of the grant.");
  }
  return requested;
}

/**
 * The audience of a token requested from an existing grant: `resource` parameters if sent, which
 * may only narrow the grant's resources (RFC 8707 §2.2), else all of them.
 */
export function narrowedAudience(ctx: ServerContext, params: RequestParameters, granted: readonly string[]): string[] {
  const requested = params.getAll("resource");
  if (requested.length === 0) return [...granted];
  const audience = parseResourceIndicators(requested, ctx.config.resources);
  if (!isScopeSubset(audience, granted)) {
    throw new OAuthError("invalid_target", "The requested resource was not part of the grant.");
  }
  return audience;
}
