/**
 * The authorization_code grant at the token endpoint (RFC 6749 §4.1.3, RFC 7636 §4.5).
 *
 * @module
 */
import type { ServerContext } from "../context.js";
import { generateToken, hashToken } from "../crypto.js";
import { OAuthError } from "../errors.js";
import type { RequestParameters } from "../http/form.js";
import { verifyCodeVerifier } from "../pkce.js";
import type { AuthorizationCodeRecord, ClientRecord, GrantRecord } from "../storage/types.js";
import { grantsRefreshToken, mintAccessToken, narrowedAudience, requiredParameter, tokenResponse } from "./issue.js";
import type { GrantHandler } from "./grant.js";

/**
 * Seconds of clock difference between server instances (and their store) that the tombstone of a
 * replayed code's grant absorbs.
 */
const CLOCK_SKEW_SECONDS = 60;

/**
 * Exchanges an authorization code: consumes it atomically, checks its bindings (client, redirect
 * URI, PKCE, expiry, resource), and creates the grant with its first tokens. Storage calls: the
 * redemption and the grant creation (plus the client lookup before it).
 *
 * A replayed code is `invalid_grant` and revokes the grant its first use created (RFC 6749 §4.1.2,
 * RFC 9700 §4.2.4) — also when that first use is still in flight: the revocation tombstones the
 * grant id, the first use's `createGrant` then stores nothing, and it answers `invalid_grant` too.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export const authorizationCodeGrant: GrantHandler = async (ctx, client, params) => {
  const codeValue = requiredParameter(params, "code");
  const redeemed = await ctx.config.storage.redeemAuthorizationCode(hashToken(codeValue));
  if (redeemed === null) throw new OAuthError("invalid_grant", "The authorization code is invalid or has expired.");
  const { code, firstUse } = redeemed;
  if (!firstUse) {
    await ctx.config.storage.revokeGrant(code.grantId, { until: replayTombstoneHorizon(ctx, code) });
    throw new OAuthError("invalid_grant", "The authorization code has already been used.");
  }
  checkCodeBindings(ctx, client, params, code);
  const audience = narrowedAudience(ctx, params, code.resource);

  const now = ctx.config.now();
  const withRefresh = grantsRefreshToken(ctx, client, code.scope);
  const grant: GrantRecord = {
    grantId: code.grantId,
    clientId: code.clientId,
    subject: code.subject,
    scope: code.scope,
    resource: code.resource,
    issuedAt: now,
    expiresAt: now + (withRefresh ? ctx.config.refreshTokens.absoluteLifetime : ctx.config.accessTokenLifetime),
  };
  if (code.props !== undefined) grant.props = code.props;
  // Sealed props move to the grant as they are (bound to its id, which the code already carried).
  if (code.sealedProps !== undefined) grant.sealedProps = code.sealedProps;
  let refreshToken: string | undefined;
  if (withRefresh) {
    refreshToken = generateToken();
    grant.refresh = {
      tokenHash: hashToken(refreshToken),
      expiresAt: Math.min(now + ctx.config.refreshTokens.idleLifetime, grant.expiresAt),
    };
  }
  const access = mintAccessToken(ctx, grant, code.scope, audience);
  // false: a replay of this code revoked the grant id while we were redeeming it (storage contract).
  if (!(await ctx.config.storage.createGrant(grant, access.record))) {
    throw new OAuthError("invalid_grant", "The authorization code has already been used.");
  }
  return tokenResponse(ctx, access, refreshToken);
};

/**
 * How long the grant id of a replayed code stays revoked: past the latest `expiresAt` the grant of
 * its first use can have. That use redeemed the code before `code.expiresAt` and dates its grant
 * from then, so a `createGrant` that reaches the store after the tombstone is gone brings a grant
 * that has already expired — however long the redemption took. Bounded: one small record per
 * replayed code, for at most the longest grant lifetime.
 */
function replayTombstoneHorizon(ctx: ServerContext, code: AuthorizationCodeRecord): number {
  const lifetime = Math.max(ctx.config.refreshTokens.absoluteLifetime, ctx.config.accessTokenLifetime);
  return code.expiresAt + lifetime + CLOCK_SKEW_SECONDS;
}

function checkCodeBindings(
  ctx: ServerContext,
  client: ClientRecord,
  params: RequestParameters,
  code: AuthorizationCodeRecord,
): void {
  // RFC 6749 §4.1.3: the code was issued to this client.
  if (code.clientId !== client.client_id) throw new OAuthError("invalid_grant", "The authorization code was issued to another client.");
  if (code.expiresAt <= ctx.config.now()) throw new OAuthError("invalid_grant", "The authorization code is invalid or has expired.");

  // RFC 6749 §4.1.3: redirect_uri must be identical if it was in the authorization request.
  const redirectUri = params.get("redirect_uri");
  const expected = code.redirectUri ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
  if (code.redirectUri !== undefined && redirectUri === undefined) {
    throw new OAuthError("invalid_grant", "The redirect_uri parameter is required: it was in the authorization request.");
  }
  if (redirectUri !== undefined && redirectUri !== expected) {
    throw new OAuthError("invalid_grant", "The redirect_uri does not match the authorization request.");
  }

  // RFC 7636 §4.6, and RFC 9700 §2.1.1: a verifier without a challenge is refused too.
  const verifier = params.get("code_verifier");
  if (code.codeChallenge === undefined || code.codeChallengeMethod === undefined) {
    if (verifier !== undefined) throw new OAuthError("invalid_grant", "A code_verifier was sent, but the authorization request had no code_challenge.");
    return;
  }
  if (verifier === undefined) throw new OAuthError("invalid_grant", "The code_verifier parameter is required (RFC 7636).");
  if (!verifyCodeVerifier({ verifier, challenge: code.codeChallenge, method: code.codeChallengeMethod })) {
    throw new OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.");
  }
}
