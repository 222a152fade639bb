/**
 * What every grant shares: the dependencies it is given, minting an access token for a grant,
 * deciding about refresh tokens, and the tokens it returns ({@link IssuedTokens}).
 *
 * @module
 */
import type { EmitEvent } from "../events.js";
import { systemNow } from "../clock.js";
import { type TokenHasher, generateToken, hashToken } from "../crypto.js";
import type { ServerPolicy } from "../policy.js";
import type { Sealer } from "../sealing.js";
import { generateAccessToken, generateRefreshFamily, hashTaggedToken, refreshTokenOf } from "../token-format.js";
import { type HookedIssue, type TokenHook, type TokenHookInput, applyTokenHook } from "./token-hook.js";
import type { AccessTokenRecord, ClientRecord, GrantRecord } from "../storage/types.js";

/**
 * What a grant needs besides its storage: the policy it enforces and, optionally, a clock.
 *
 * @typeParam S - the storage methods the grant calls (a `Pick<Storage, …>`).
 */
export interface GrantDependencies<S> {
  /** Only the storage methods the grant calls; a host may pass an object with just those. */
  storage: S;
  /** The server policy (`resolvePolicy(...)`, or a server's `config`). */
  policy: ServerPolicy;
  /** Clock in seconds since the epoch (default: the system clock). */
  now?: (() => number) | undefined;
  /** How credentials are hashed (default: the portable `hashToken`; see {@link TokenHasher}). */
  hash?: TokenHasher | undefined;
  /** Told what happened (code redeemed, replay detected…): the server's `onEvent`, made safe. */
  emit?: EmitEvent | undefined;
  /**
   * The sealer of the server's `props.keys` (a server's `config.propsSealer`): grant props are
   * stored only sealed, so attaching props needs it.
   */
  sealer?: Sealer | undefined;
  /** The host's token hook (a server's `config.tokenHook`), run at every code exchange and refresh. */
  tokenHook?: TokenHook | undefined;
}

/**
 * The tokens a grant issued, before they become a response (`tokenResponse`) — so a host can also
 * log, wrap or deliver them its own way.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface IssuedTokens {
  /** The access token (RFC 6749 §1.4); only its hash is stored. */
  accessToken: string;
  /** Always `Bearer` (RFC 6750). */
  tokenType: "Bearer";
  /** Seconds until the access token expires (RFC 6749 §5.1 `expires_in`). */
  expiresIn: number;
  /** The granted scope of the access token. */
  scope: string[];
  /** The refresh token, when one was issued (a new one on rotation). */
  refreshToken?: string;
  /** The grant the tokens belong to (revoke it with `storage.revokeGrant`). */
  grantId: string;
  /** Whom the tokens act for: the user, or the client itself for client_credentials. */
  subject: string;
  /** RFC 8707 audience of the access token. */
  audience: string[];
}

/** A freshly minted access token: the credential for the response and the record for storage. */
export interface MintedAccessToken {
  /** The token itself. */
  token: string;
  /** What is stored (its hash, and what bearer validation needs). */
  record: AccessTokenRecord;
}

/** The hasher of a grant's dependencies. */
export function hasherOf(deps: { hash?: TokenHasher | undefined }): TokenHasher {
  return deps.hash ?? hashToken;
}

/** The clock of a grant's dependencies. */
export function clockOf(deps: { now?: (() => number) | undefined }): () => number {
  return deps.now ?? systemNow;
}

/**
 * Mints an access token of `grant` for `scope` and `audience`. It lives `accessTokenLifetime`
 * seconds, never beyond the grant.
 */
export function mintAccessToken(
  policy: ServerPolicy,
  now: number,
  grant: GrantRecord,
  scope: readonly string[],
  audience: readonly string[],
  hash: TokenHasher,
): MintedAccessToken {
  // Tagged with the grant's slot tag, so a sharded store keeps it beside its grant (src/token-format.ts).
  const token = generateAccessToken(grant.grantId);
  const record: AccessTokenRecord = {
    tokenHash: hashTaggedToken(token, hash),
    grantId: grant.grantId,
    clientId: grant.clientId,
    subject: grant.subject,
    // Only client_credentials marks its grants; every other grant acts for a user.
    subjectType: grant.subjectType ?? "user",
    scope: [...scope],
    audience: [...audience],
    issuedAt: now,
    expiresAt: Math.min(now + policy.accessTokenLifetime, grant.expiresAt),
  };
  if (grant.props !== undefined) record.props = grant.props;
  return { token, record };
}

/** An access token minted after the token hook ran, with the props the hook gave the grant. */
export interface HookedAccessToken extends MintedAccessToken {
  /** The grant's new sealed props, when the hook replaced them. */
  sealedProps: string | undefined;
}

/**
 * Runs the host's token hook (if any) for this issue, then mints the access token with what it
 * decided (a shorter lifetime, a narrower scope). The one place every grant that issues tokens for
 * a user goes through, so the hook's limits are enforced the same way for each. Without a hook it
 * returns at once, not a promise: the grant then reaches its store call in the same turn, which
 * keeps races (a code redeemed twice at once) decided as they were without hooks.
 */
export function mintHookedAccessToken(
  deps: GrantDependencies<unknown>,
  grantType: TokenHookInput["grantType"],
  grant: GrantRecord,
  scope: string[],
  audience: readonly string[],
  now: number,
): HookedAccessToken | Promise<HookedAccessToken> {
  const mint = (hooked: HookedIssue): HookedAccessToken => ({
    ...mintAccessToken(hooked.policy, now, grant, hooked.scope, audience, hasherOf(deps)),
    sealedProps: hooked.sealedProps,
  });
  const pending = applyTokenHook(deps, grantType, grant, scope);
  return pending instanceof Promise ? pending.then(mint) : mint(pending);
}

/** The first refresh token of a new grant, and what the store keeps of it. */
export interface NewRefreshToken {
  /** The token for the response: `<family>.<secret>`. */
  token: string;
  /** `hash(token)`: what compare-and-rotate compares. */
  tokenHash: string;
  /** `hashTaggedToken(family)`: what the store finds the grant by, for every later token too. */
  familyHash: string;
}

/**
 * Starts the refresh family of a new grant: a fresh family and its first token (the format is in
 * `src/token-format.ts`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function newRefreshToken(grantId: string, hash: TokenHasher): NewRefreshToken {
  const family = generateRefreshFamily(grantId);
  const token = refreshTokenOf(family, generateToken());
  return { token, tokenHash: hash(token), familyHash: hashTaggedToken(family, hash) };
}

/**
 * Whether a grant of `client` with `scope` gets a refresh token: the server and the client must
 * both allow the `refresh_token` grant, and the configured policy must agree (always, or only when
 * `offline_access` was granted).
 */
export function grantsRefreshToken(policy: ServerPolicy, client: ClientRecord, scope: readonly string[]): boolean {
  if (!policy.grantTypes.includes("refresh_token") || !client.grant_types.includes("refresh_token")) return false;
  return policy.refreshTokens.issue === "always" || scope.includes("offline_access");
}

/** The {@link IssuedTokens} of a minted access token (and refresh token, if any), at `now`. */
export function issuedTokens(access: MintedAccessToken, refreshToken: string | undefined, now: number): IssuedTokens {
  const { record } = access;
  const tokens: IssuedTokens = {
    accessToken: access.token,
    tokenType: "Bearer",
    expiresIn: Math.max(0, record.expiresAt - now),
    scope: record.scope,
    grantId: record.grantId,
    subject: record.subject,
    audience: record.audience,
  };
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
  return tokens;
}
