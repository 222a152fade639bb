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
import type { TokenHook } from "./token-hook.js";
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
  const token = generateToken();
  const record: AccessTokenRecord = {
    tokenHash: hash(token),
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
