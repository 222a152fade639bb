/**
 * The refresh_token grant: rotation, reuse detection and the grace window (RFC 6749 §6,
 * RFC 9700 §4.14.2, OAuth 2.1 §4.3).
 *
 * @module
 */
import { deriveToken, generateToken, timingSafeEqualString } from "../crypto.js";
import { OAuthError } from "../errors.js";
import type { ServerPolicy } from "../policy.js";
import { narrowAudience } from "../rules/resource-indicators.js";
import { narrowScope } from "../rules/scope.js";
import type { ClientRecord, GrantRecord, RefreshTokenState, Storage } from "../storage/types.js";
import { refreshFamilyHash, refreshFamilyOf, refreshTokenOf } from "../token-format.js";
import { type GrantDependencies, type IssuedTokens, clockOf, hasherOf, issuedTokens, mintHookedAccessToken } from "./issue.js";

const invalid = (): OAuthError => new OAuthError("invalid_grant", "The refresh token is invalid or has expired.");

/** The input of {@link refreshAccessToken}: a refresh request, parsed. */
export interface RefreshRequest {
  /** The authenticated client (already checked to be registered for `refresh_token`). */
  client: ClientRecord;
  /** The `refresh_token` parameter. */
  refreshToken: string;
  /** The requested scope tokens, which may only narrow the grant's (RFC 6749 §6); absent: the grant's. */
  scope?: readonly string[] | undefined;
  /** `resource` parameters, which may only narrow the grant's resources (RFC 8707 §2.2). */
  resource?: readonly string[] | undefined;
}

/**
 * The storage methods {@link refreshAccessToken} calls, and nothing else: the grant lookup, the
 * compare-and-rotate, `saveAccessToken` (a repeat inside the grace window gets a new access token
 * without a rotation) and `revokeGrant` (reuse). The grace window needs no storage method of its
 * own: its secret (`policy.refreshTokens.rotationKeys`) is kept out of the store by design.
 */
export type RefreshStorage = Pick<Storage, "getGrantByRefreshFamily" | "rotateRefreshToken" | "saveAccessToken" | "revokeGrant"> &
  Partial<Pick<Storage, "updateGrantProps">>;

/** Everything one refresh works with. */
interface Refresh {
  deps: GrantDependencies<RefreshStorage>;
  client: ClientRecord;
  presented: string;
  presentedHash: string;
  scope: string[];
  audience: string[];
  now: number;
}

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
 * The grant is found by the token's refresh family (`src/token-format.ts`), which every rotation
 * keeps: a token of the family that is neither the current one nor (inside the window) the one
 * just rotated out is reuse, however old, without the store keeping rotated-out hashes.
 *
 * Storage calls: the grant lookup and the compare-and-rotate (a second lookup after losing a race
 * with the grace window on).
 *
 * @param input - the authenticated client and the request's parameters.
 * @param deps - the four storage methods, the policy, and optionally a clock.
 * @throws {OAuthError} `invalid_grant` (unknown, expired, another client's, or reused token — reuse
 *   also revokes the grant), `invalid_scope`, `invalid_target`.
 * @example
 * ```ts
 * const tokens = await refreshAccessToken({ client, refreshToken }, { storage, policy });
 * return tokenResponse(tokens);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export async function refreshAccessToken(input: RefreshRequest, deps: GrantDependencies<RefreshStorage>): Promise<IssuedTokens> {
  const { storage, policy } = deps;
  const { client, refreshToken: presented } = input;
  const hash = hasherOf(deps);
  const presentedHash = hash(presented);
  const familyHash = refreshFamilyHash(presented, hash);
  const grant = await storage.getGrantByRefreshFamily(familyHash);
  if (grant === null) throw invalid();
  // Bound to its client (RFC 6749 §6): another client's token is invalid, but proves no theft.
  if (grant.clientId !== client.client_id) throw invalid();
  const now = clockOf(deps)();
  if (grant.expiresAt <= now || grant.refresh === undefined) throw invalid();

  // Checked before anything changes, so a bad request does not cost the client its token.
  const scope = narrowScope(input.scope, grant.scope);
  const audience = narrowAudience(input.resource, grant.resource, policy.resources);
  const refresh: Refresh = { deps, client, presented, presentedHash, scope, audience, now };

  if (timingSafeEqualString(presentedHash, grant.refresh.tokenHash)) {
    if (grant.refresh.expiresAt <= now) throw invalid();
    const rotated = await rotate(refresh, grant, grant.refresh);
    if (rotated !== undefined) return rotated;
    // Lost a race with another use of the same token: judge it as the later use it is.
    const current = policy.refreshTokens.gracePeriod > 0 ? await storage.getGrantByRefreshFamily(familyHash) : null;
    if (current !== null) return reuseWithinGrace(refresh, current);
    await revokeReused(deps, grant);
    throw invalid();
  }
  return reuseWithinGrace(refresh, grant);
}

/**
 * Rotates (or, where rotation is off for confidential clients, just renews the idle lifetime of)
 * the current refresh token with one compare-and-rotate. Returns `undefined` when another request
 * rotated it first.
 */
async function rotate(refresh: Refresh, grant: GrantRecord, state: RefreshTokenState): Promise<IssuedTokens | undefined> {
  const { deps, client, now } = refresh;
  const { rotation, idleLifetime } = deps.policy.refreshTokens;
  const expiresAt = Math.min(now + idleLifetime, grant.expiresAt);
  const rotates = rotation === "always" || client.token_endpoint_auth_method === "none";
  const successor = rotates ? nextRefreshToken(deps.policy, grant, refresh.presented) : undefined;
  const next: RefreshTokenState =
    successor === undefined
      ? { ...state, expiresAt }
      : { tokenHash: hasherOf(deps)(successor), expiresAt, previousTokenHash: state.tokenHash, rotatedAt: now, ...familyOf(state) };
  const pending = mintHookedAccessToken(deps, "refresh_token", grant, refresh.scope, refresh.audience, now);
  const { sealedProps, ...access } = pending instanceof Promise ? await pending : pending;
  // Refused before anything is stored: after the rotation the client would lose its token.
  if (sealedProps !== undefined && deps.storage.updateGrantProps === undefined) {
    throw new TypeError("tokenHook returned props: the storage given to refreshAccessToken needs updateGrantProps.");
  }
  const ok = await deps.storage.rotateRefreshToken({
    grantId: grant.grantId,
    expectedTokenHash: state.tokenHash,
    refresh: next,
    accessToken: access.record,
  });
  if (!ok) return undefined;
  if (sealedProps !== undefined) {
    // Compare-and-set: a concurrent change of the props (an upstream refresh) wins over the hook's.
    await deps.storage.updateGrantProps!({ grantId: grant.grantId, expectedVersion: grant.propsVersion ?? 0, sealedProps });
  }
  deps.emit?.({ type: "refresh_token.rotated", clientId: grant.clientId, subject: grant.subject, grantId: grant.grantId });
  return issuedTokens(access, successor, now);
}

/** RFC 9700 §4.14.2: a refresh token used twice revokes its grant (the token family), told as reuse. */
async function revokeReused(deps: GrantDependencies<RefreshStorage>, grant: GrantRecord): Promise<void> {
  await deps.storage.revokeGrant(grant.grantId);
  deps.emit?.({ type: "refresh_token.reused", clientId: grant.clientId, subject: grant.subject, grantId: grant.grantId });
}

// The family is the grant's for its lifetime: a rotation carries it over unchanged.
const familyOf = (state: RefreshTokenState): Pick<RefreshTokenState, "familyHash"> =>
  state.familyHash === undefined ? {} : { familyHash: state.familyHash };

/**
 * The successor of a refresh token, of the same family: its secret part random, or, when the grace
 * window is on, derived from the grant id and the presented token with the newest rotation secret,
 * so that a repeat inside the window can be given the same one. Computing it takes both the token
 * and the host's secret, which no store holds.
 */
function nextRefreshToken(policy: ServerPolicy, grant: GrantRecord, presented: string): string {
  const [key] = policy.refreshTokens.rotationKeys;
  const secret = policy.refreshTokens.gracePeriod > 0 && key !== undefined ? deriveToken(key, successorInput(grant, presented)) : generateToken();
  return refreshTokenOf(refreshFamilyOf(presented), secret);
}

// The grant id binds a successor to its grant. Unambiguous: a grant id is `<tag>.<id>` or, from
// before slot tags, a bare base64url id, so the first "." after it is at a fixed place.
const successorInput = (grant: GrantRecord, presented: string): string => `${grant.grantId}.${presented}`;

/**
 * Every successor of `presented` this server could have handed out: one per rotation secret
 * (newest first); for a token issued before refresh families, also the successors of that format
 * (without the family) and the one from the per-grant `rotationKey` that records written before
 * `rotationSecret` existed still carry, so a repeat across either upgrade is not taken for reuse.
 */
function successorCandidates(policy: ServerPolicy, grant: GrantRecord, presented: string): string[] {
  const secrets = policy.refreshTokens.rotationKeys.map((key) => deriveToken(key, successorInput(grant, presented)));
  const family = refreshFamilyOf(presented);
  const candidates = secrets.map((secret) => refreshTokenOf(family, secret));
  if (family !== presented) return candidates;
  candidates.push(...secrets);
  const legacyKey = (grant as { rotationKey?: unknown }).rotationKey;
  if (typeof legacyKey === "string") candidates.push(deriveToken(legacyKey, presented));
  return candidates;
}

/**
 * A token that is not the current one: the one just rotated out, inside the grace window, gets
 * the same successor and a new access token; anything else is reuse and revokes the grant.
 */
async function reuseWithinGrace(refresh: Refresh, grant: GrantRecord): Promise<IssuedTokens> {
  const { deps, presented, presentedHash, now } = refresh;
  const state = grant.refresh;
  const grace = deps.policy.refreshTokens.gracePeriod;
  if (
    state !== undefined &&
    grace > 0 &&
    state.previousTokenHash !== undefined &&
    timingSafeEqualString(state.previousTokenHash, presentedHash) &&
    state.rotatedAt !== undefined &&
    now < state.rotatedAt + grace &&
    state.expiresAt > now
  ) {
    // Still the current token, i.e. not itself rotated since: hand it out again.
    const successor = successorCandidates(deps.policy, grant, presented).find((candidate) =>
      timingSafeEqualString(hasherOf(deps)(candidate), state.tokenHash),
    );
    if (successor !== undefined) {
      // The hook's props are not kept here: nothing rotated, and the rotation that did kept its own.
      const pending = mintHookedAccessToken(deps, "refresh_token", grant, refresh.scope, refresh.audience, now);
      const access = pending instanceof Promise ? await pending : pending;
      await deps.storage.saveAccessToken(access.record);
      deps.emit?.({ type: "refresh_token.rotated", clientId: grant.clientId, subject: grant.subject, grantId: grant.grantId });
      return issuedTokens(access, successor, now);
    }
  }
  // RFC 9700 §4.14.2: a rotated-out token of the family presented again revokes the whole grant,
  // whichever rotation it is from (the family names the grant; no history is needed).
  await revokeReused(deps, grant);
  throw invalid();
}
