/**
 * The refresh_token grant: rotation, reuse detection and the grace window (RFC 6749 §6,
 * RFC 9700 §4.14.2, OAuth 2.1 §4.3).
 *
 * @module
 */
import type { ServerContext } from "../context.js";
import { deriveToken, generateToken, hashToken, timingSafeEqualString } from "../crypto.js";
import { OAuthError } from "../errors.js";
import type { ClientRecord, GrantRecord, RefreshTokenState } from "../storage/types.js";
import type { GrantHandler } from "./grant.js";
import { mintAccessToken, narrowedAudience, narrowedScope, requiredParameter, tokenResponse } from "./issue.js";

const invalid = (): OAuthError => new OAuthError("invalid_grant", "The refresh token is invalid or has expired.");

/**
 * Refreshes a grant. Every use rotates the refresh token (for public clients always; for
 * confidential ones unless `rotation: "public-clients"`): the presented token stops working and a
 * new one is returned. Presenting a token that was already rotated out is `invalid_grant` and
 * revokes the whole grant, since either the client or an attacker holds a stolen copy (RFC 9700
 * §4.14.2).
 *
 * With `gracePeriod` > 0, the successor of a token is derived from it with the host's
 * `rotationSecret`, so the token just rotated out may be presented again for `gracePeriod` seconds
 * and receives the same successor (and a new access token) instead of revoking the grant: a client
 * that lost the response, or raced itself, keeps working and ends up holding the one valid refresh
 * token. The store never holds that secret, so a dump of it plus an old token computes nothing.
 *
 * Storage calls: the grant lookup and the compare-and-rotate (plus the client lookup before it).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export const refreshTokenGrant: GrantHandler = async (ctx, client, params) => {
  const presented = requiredParameter(params, "refresh_token");
  const presentedHash = hashToken(presented);
  const grant = await ctx.config.storage.getGrantByRefreshToken(presentedHash);
  if (grant === null) throw invalid();
  // Bound to its client (RFC 6749 §6): another client's token is invalid, but proves no theft.
  if (grant.clientId !== client.client_id) throw invalid();
  const now = ctx.config.now();
  if (grant.expiresAt <= now || grant.refresh === undefined) throw invalid();

  // Checked before anything changes, so a bad request does not cost the client its token.
  const scope = narrowedScope(params, grant.scope);
  const audience = narrowedAudience(ctx, params, grant.resource);

  if (presentedHash === grant.refresh.tokenHash) {
    if (grant.refresh.expiresAt <= now) throw invalid();
    const rotated = await rotate(ctx, client, grant, grant.refresh, presented, scope, audience);
    if (rotated !== undefined) return rotated;
    // Lost a race with another use of the same token: judge it as the later use it is.
    const current = ctx.config.refreshTokens.gracePeriod > 0 ? await ctx.config.storage.getGrantByRefreshToken(presentedHash) : null;
    if (current !== null) return reuseWithinGrace(ctx, current, presented, presentedHash, scope, audience);
    await ctx.config.storage.revokeGrant(grant.grantId);
    throw invalid();
  }
  return reuseWithinGrace(ctx, grant, presented, presentedHash, scope, audience);
};

/**
 * Rotates (or, where rotation is off for confidential clients, just renews the idle lifetime of)
 * the current refresh token with one compare-and-rotate. Returns `undefined` when another request
 * rotated it first.
 */
async function rotate(
  ctx: ServerContext,
  client: ClientRecord,
  grant: GrantRecord,
  state: RefreshTokenState,
  presented: string,
  scope: string[],
  audience: string[],
): Promise<Response | undefined> {
  const { rotation, idleLifetime } = ctx.config.refreshTokens;
  const now = ctx.config.now();
  const expiresAt = Math.min(now + idleLifetime, grant.expiresAt);
  const rotates = rotation === "always" || client.token_endpoint_auth_method === "none";
  const successor = rotates ? nextRefreshToken(ctx, grant, presented) : undefined;
  const refresh: RefreshTokenState =
    successor === undefined
      ? { ...state, expiresAt }
      : { tokenHash: hashToken(successor), expiresAt, previousTokenHash: state.tokenHash, rotatedAt: now };
  const access = mintAccessToken(ctx, grant, scope, audience);
  const ok = await ctx.config.storage.rotateRefreshToken({
    grantId: grant.grantId,
    expectedTokenHash: state.tokenHash,
    refresh,
    accessToken: access.record,
  });
  return ok ? tokenResponse(ctx, access, successor) : undefined;
}

/**
 * The successor of a refresh token: random, or, when the grace window is on, derived from the
 * grant id and the presented token with the newest rotation secret, so that a repeat inside the
 * window can be given the same one. Computing it takes both the token and the host's secret,
 * which no store holds.
 */
function nextRefreshToken(ctx: ServerContext, grant: GrantRecord, presented: string): string {
  const [key] = ctx.config.refreshTokens.rotationKeys;
  return ctx.config.refreshTokens.gracePeriod > 0 && key !== undefined ? deriveToken(key, successorInput(grant, presented)) : generateToken();
}

// The grant id binds a successor to its grant; "." cannot occur in a base64url grant id.
const successorInput = (grant: GrantRecord, presented: string): string => `${grant.grantId}.${presented}`;

/**
 * Every successor of `presented` this server could have handed out: one per rotation secret
 * (newest first), and one from the per-grant `rotationKey` that records written before
 * `rotationSecret` existed still carry, so a repeat across that upgrade is not taken for reuse.
 */
function successorCandidates(ctx: ServerContext, grant: GrantRecord, presented: string): string[] {
  const candidates = ctx.config.refreshTokens.rotationKeys.map((key) => deriveToken(key, successorInput(grant, presented)));
  const legacyKey = (grant as { rotationKey?: unknown }).rotationKey;
  if (typeof legacyKey === "string") candidates.push(deriveToken(legacyKey, presented));
  return candidates;
}

/**
 * A token that is not the current one: the one just rotated out, inside the grace window, gets
 * the same successor and a new access token; anything else is reuse and revokes the grant.
 */
async function reuseWithinGrace(
  ctx: ServerContext,
  grant: GrantRecord,
  presented: string,
  presentedHash: string,
  scope: string[],
  audience: string[],
): Promise<Response> {
  const state = grant.refresh;
  const grace = ctx.config.refreshTokens.gracePeriod;
  const now = ctx.config.now();
  if (
    state !== undefined &&
    grace > 0 &&
    state.previousTokenHash === presentedHash &&
    state.rotatedAt !== undefined &&
    now < state.rotatedAt + grace &&
    state.expiresAt > now
  ) {
    // Still the current token, i.e. not itself rotated since: hand it out again.
    const successor = successorCandidates(ctx, grant, presented).find((candidate) => timingSafeEqualString(hashToken(candidate), state.tokenHash));
    if (successor !== undefined) {
      const access = mintAccessToken(ctx, grant, scope, audience);
      await ctx.config.storage.saveAccessToken(access.record);
      return tokenResponse(ctx, access, successor);
    }
  }
  // RFC 9700 §4.14.2: a rotated-out refresh token presented again revokes the whole grant.
  await ctx.config.storage.revokeGrant(grant.grantId);
  throw invalid();
}
