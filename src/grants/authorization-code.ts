/**
 * The authorization code grant, both steps: issuing the code once the user approved
 * (RFC 6749 §4.1.2) and exchanging it at the token endpoint (§4.1.3, RFC 7636 §4.5).
 *
 * @module
 */
import { type TokenHasher, generateToken } from "../crypto.js";
import { OAuthError } from "../errors.js";
import type { ServerPolicy } from "../policy.js";
import { sealGrantProps } from "../props.js";
import { type CodeChallengeMethod, verifyPkce } from "../rules/pkce.js";
import { narrowAudience } from "../rules/resource-indicators.js";
import type { AuthorizationCodeRecord, ClientRecord, GrantProps, GrantRecord, Storage } from "../storage/types.js";
import { generateGrantId } from "../token-format.js";
import { type GrantDependencies, type IssuedTokens, clockOf, grantsRefreshToken, hasherOf, issuedTokens, mintHookedAccessToken, newRefreshToken } from "./issue.js";

/**
 * Seconds of clock difference between server instances (and their store) that the tombstone of a
 * replayed code's grant absorbs.
 */
const CLOCK_SKEW_SECONDS = 60;

/** The input of {@link createAuthorizationCode}: an approved, validated authorization request. */
export interface AuthorizationCodeInput {
  /** The client the code is issued to. */
  clientId: string;
  /** The user who approved (becomes `sub`). */
  subject: string;
  /** The approved scope. */
  scope: readonly string[];
  /** RFC 8707 resources the tokens will be for (audience). */
  resource: readonly string[];
  /**
   * The `redirect_uri` of the authorization request, only if it was sent: then the token request
   * must repeat it (RFC 6749 §4.1.3).
   */
  redirectUri?: string | undefined;
  /** The checked PKCE challenge (see `checkCodeChallenge`), if any. */
  codeChallenge?: string | undefined;
  /** Its method. */
  codeChallengeMethod?: CodeChallengeMethod | undefined;
  /**
   * Host data kept with the grant and handed back whenever one of its tokens is validated; stored
   * sealed with `deps.sealer` (required when props are given).
   */
  props?: GrantProps | undefined;
}

/** What {@link createAuthorizationCode} returns. */
export interface IssuedAuthorizationCode {
  /** The code, for the redirect; only its hash is stored. */
  code: string;
  /** The grant the code will create when exchanged. */
  grantId: string;
  /** When the code expires, in seconds since the epoch. */
  expiresAt: number;
}

/**
 * Issues an authorization code for an approved request: single-use, living
 * `authorizationCodeLifetime` seconds, bound to the client, redirect URI, PKCE challenge, scope and
 * resource (RFC 6749 §4.1.2, RFC 7636 §4.4, RFC 8707 §2.1). One storage call. The caller validated
 * the request (e.g. with `parseAuthorizationRequest`, or `checkCodeChallenge` for PKCE) and builds
 * the redirect.
 *
 * @param input - the approved request.
 * @param deps - `saveAuthorizationCode`, the policy, optionally a clock, and the props sealer when
 *   `input.props` are given.
 * @throws {TypeError} when `input.props` are given without `deps.sealer`.
 * @example
 * ```ts
 * const { code } = await createAuthorizationCode(
 *   { clientId: "app", subject: "alice", scope: ["read"], resource: [], codeChallenge, codeChallengeMethod: "S256" },
 *   { storage, policy },
 * );
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export async function createAuthorizationCode(
  input: AuthorizationCodeInput,
  deps: GrantDependencies<Pick<Storage, "saveAuthorizationCode">>,
): Promise<IssuedAuthorizationCode> {
  const code = generateToken();
  const now = clockOf(deps)();
  const record: AuthorizationCodeRecord = {
    codeHash: hasherOf(deps)(code),
    grantId: generateGrantId(),
    clientId: input.clientId,
    subject: input.subject,
    scope: [...input.scope],
    resource: [...input.resource],
    issuedAt: now,
    expiresAt: now + deps.policy.authorizationCodeLifetime,
  };
  if (input.redirectUri !== undefined) record.redirectUri = input.redirectUri;
  if (input.codeChallenge !== undefined) record.codeChallenge = input.codeChallenge;
  if (input.codeChallengeMethod !== undefined) record.codeChallengeMethod = input.codeChallengeMethod;
  // Sealed before anything is stored, bound to the grant id; a TypeError when props come without
  // props.keys, so nothing sensitive is ever stored in clear.
  const sealedProps = await sealGrantProps(deps.sealer, record.grantId, input.props);
  if (sealedProps !== undefined) record.sealedProps = sealedProps;
  await deps.storage.saveAuthorizationCode(record);
  deps.emit?.({ type: "authorization_code.issued", clientId: record.clientId, subject: record.subject, grantId: record.grantId });
  return { code, grantId: record.grantId, expiresAt: record.expiresAt };
}

/** The input of {@link exchangeAuthorizationCode}: a token request, parsed. */
export interface AuthorizationCodeExchange {
  /** The authenticated client (already checked to be registered for `authorization_code`). */
  client: ClientRecord;
  /** The `code` parameter. */
  code: string;
  /** The `redirect_uri` parameter, if sent. */
  redirectUri?: string | undefined;
  /** The `code_verifier` parameter, if sent (RFC 7636 §4.5). */
  codeVerifier?: string | undefined;
  /** `resource` parameters, which may only narrow the code's resources (RFC 8707 §2.2). */
  resource?: readonly string[] | undefined;
}

/** The storage methods {@link exchangeAuthorizationCode} calls, and nothing else. */
export type AuthorizationCodeExchangeStorage = Pick<Storage, "redeemAuthorizationCode" | "createGrant" | "revokeGrant">;

/**
 * Exchanges an authorization code: consumes it atomically, checks its bindings (client, redirect
 * URI, PKCE, expiry, resource), and creates the grant with its first tokens. Storage calls: the
 * redemption and the grant creation (`revokeGrant` only on a replay).
 *
 * A replayed code is `invalid_grant` and revokes the grant its first use created (RFC 6749 §4.1.2,
 * RFC 9700 §4.2.4) — also when that first use is still in flight: the revocation tombstones the
 * grant id, the first use's `createGrant` then stores nothing, and it answers `invalid_grant` too.
 *
 * @param input - the authenticated client and the request's parameters.
 * @param deps - the three storage methods, the policy, and optionally a clock.
 * @returns the issued tokens (a refresh token when the policy and the client allow it).
 * @throws {OAuthError} `invalid_grant` (unknown, expired, replayed or another client's code, a
 *   redirect URI or PKCE mismatch), `invalid_target` (a resource outside the code's).
 * @example
 * ```ts
 * const tokens = await exchangeAuthorizationCode({ client, code, codeVerifier }, { storage, policy });
 * return tokenResponse(tokens);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function exchangeAuthorizationCode(
  input: AuthorizationCodeExchange,
  deps: GrantDependencies<AuthorizationCodeExchangeStorage>,
): Promise<IssuedTokens> {
  const { policy, storage } = deps;
  const hash = hasherOf(deps);
  const { client } = input;
  const clock = clockOf(deps);
  const redeemed = await storage.redeemAuthorizationCode(hash(input.code));
  if (redeemed === null) throw new OAuthError("invalid_grant", "The authorization code is invalid or has expired.");
  const { code, firstUse } = redeemed;
  if (!firstUse) {
    await storage.revokeGrant(code.grantId, { until: replayTombstoneHorizon(policy, code) });
    deps.emit?.({ type: "authorization_code.replayed", clientId: code.clientId, subject: code.subject, grantId: code.grantId, presentedBy: client.client_id });
    throw new OAuthError("invalid_grant", "The authorization code has already been used.");
  }
  checkCodeBindings(input, code, clock(), hash);
  const audience = narrowAudience(input.resource, code.resource, policy.resources);

  const now = clock();
  const withRefresh = grantsRefreshToken(policy, client, code.scope);
  const grant: GrantRecord = {
    grantId: code.grantId,
    clientId: code.clientId,
    subject: code.subject,
    scope: code.scope,
    resource: code.resource,
    issuedAt: now,
    expiresAt: now + (withRefresh ? policy.refreshTokens.absoluteLifetime : policy.accessTokenLifetime),
  };
  if (code.props !== undefined) grant.props = code.props;
  // Sealed props move to the grant as they are (bound to its id, which the code already carried).
  if (code.sealedProps !== undefined) grant.sealedProps = code.sealedProps;
  let refreshToken: string | undefined;
  if (withRefresh) {
    const issued = newRefreshToken(grant.grantId, hash);
    refreshToken = issued.token;
    grant.refresh = {
      tokenHash: issued.tokenHash,
      familyHash: issued.familyHash,
      expiresAt: Math.min(now + policy.refreshTokens.idleLifetime, grant.expiresAt),
    };
  }
  const pending = mintHookedAccessToken(deps, "authorization_code", grant, code.scope, audience, now);
  const { sealedProps, ...access } = pending instanceof Promise ? await pending : pending;
  if (sealedProps !== undefined) grant.sealedProps = sealedProps;
  // false: a replay of this code revoked the grant id while we were redeeming it (storage contract).
  if (!(await storage.createGrant(grant, access.record))) {
    throw new OAuthError("invalid_grant", "The authorization code has already been used.");
  }
  deps.emit?.({ type: "authorization_code.redeemed", clientId: grant.clientId, subject: grant.subject, grantId: grant.grantId });
  return issuedTokens(access, refreshToken, now);
}

/**
 * How long the grant id of a replayed code stays revoked: past the latest `expiresAt` the grant of
 * its first use can have. That use redeemed the code before `code.expiresAt` and dates its grant
 * from then, so a `createGrant` that reaches the store after the tombstone is gone brings a grant
 * that has already expired — however long the redemption took. Bounded: one small record per
 * replayed code, for at most the longest grant lifetime.
 */
function replayTombstoneHorizon(policy: ServerPolicy, code: AuthorizationCodeRecord): number {
  const lifetime = Math.max(policy.refreshTokens.absoluteLifetime, policy.accessTokenLifetime);
  return code.expiresAt + lifetime + CLOCK_SKEW_SECONDS;
}

function checkCodeBindings(input: AuthorizationCodeExchange, code: AuthorizationCodeRecord, now: number, hash: TokenHasher): void {
  const { client } = input;
  // RFC 6749 §4.1.3: the code was issued to this client.
  if (code.clientId !== client.client_id) throw new OAuthError("invalid_grant", "The authorization code was issued to another client.");
  if (code.expiresAt <= now) throw new OAuthError("invalid_grant", "The authorization code is invalid or has expired.");

  // RFC 6749 §4.1.3: redirect_uri must be identical if it was in the authorization request.
  const { redirectUri } = input;
  const expected = code.redirectUri ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
  if (code.redirectUri !== undefined && redirectUri === undefined) {
    throw new OAuthError("invalid_grant", "The redirect_uri parameter is required: it was in the authorization request.");
  }
  if (redirectUri !== undefined && redirectUri !== expected) {
    throw new OAuthError("invalid_grant", "The redirect_uri does not match the authorization request.");
  }
  // RFC 7636 §4.6, and RFC 9700 §2.1.1: a verifier without a challenge is refused too.
  verifyPkce(code, input.codeVerifier, { hash });
}
