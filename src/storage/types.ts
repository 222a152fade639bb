/**
 * The storage contract: small interfaces split by concern, which a host implements for its
 * engine (or takes from oauthkit: memory, Redis, PostgreSQL).
 *
 * Rules every implementation follows:
 * - Times are seconds since the Unix epoch. A record whose `expiresAt` is at or before the
 *   store's current time is never returned (the core checks again with its own clock).
 * - Credentials are stored only as hashes (`…Hash` fields, base64url SHA-256); a storage dump
 *   yields nothing that authenticates.
 * - Records are plain JSON-serialisable values; `props` is opaque host data.
 * - Each method documents what it must do atomically; single-use operations are a method of
 *   their own (take-and-mark, compare-and-rotate), never a read followed by a separate write.
 *
 * The number of calls per operation is part of the contract (see `docs/storage.md`): an
 * authorization-code exchange makes at most 3 calls, a refresh at most 3 (4 after losing a
 * race with the grace window on), bearer validation exactly 1.
 *
 * @module
 */

/** How a client authenticates at the token endpoint (IANA "OAuth Token Endpoint Authentication Methods"). */
export type ClientAuthenticationMethod = "client_secret_basic" | "client_secret_post" | "none";

/** The grant types oauthkit implements (RFC 6749 §4.1, §4.4, §6), as a client registers them in `grant_types`. */
export type GrantType = "authorization_code" | "refresh_token" | "client_credentials";

/** Opaque host data attached to a grant and handed back with every token of it. */
export type GrantProps = Record<string, unknown>;

/**
 * A registered client, with its metadata in RFC 7591 §2 names.
 *
 * Naming: the records oauthkit defines for itself (codes, grants, access tokens) use camelCase;
 * this one is the exception, in the snake_case of RFC 7591 §2 and §3.2.1, because it is the wire
 * format at rest: registration stores validated client metadata under its RFC names, the client
 * information response (RFC 7591 §3.2.1, RFC 7592 §3) is this record without its hashes, and a
 * validated client ID metadata document is one, with no mapping in between. Its two fields of oauthkit's own,
 * `client_secret_hash` and `registration_access_token_hash`, follow the record's convention.
 *
 * RFC 7591 §2 metadata the server does not understand is ignored, not kept, so there is no field
 * for it. (Records written by earlier versions may hold a `metadata` property, which was never
 * written by oauthkit itself: every store keeps a client as one JSON value, nothing reads the
 * property, and the client information response leaves it out, so no migration is needed.)
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export interface ClientRecord {
  /** The client identifier (RFC 6749 §2.2). */
  client_id: string;
  /** Hash of the client secret; absent for public clients. */
  client_secret_hash?: string;
  /** When the secret expires; 0 or absent: never (RFC 7591 §3.2.1). */
  client_secret_expires_at?: number;
  /** When the client id was issued, in seconds since the epoch (RFC 7591 §3.2.1). */
  client_id_issued_at?: number;
  /** How the client authenticates at the token endpoint; `none` for public clients (RFC 7591 §2). */
  token_endpoint_auth_method: ClientAuthenticationMethod;
  /** Redirect URIs, compared exactly (loopback ports excepted, RFC 8252 §7.3). */
  redirect_uris: string[];
  /** Grant types the client may use (RFC 7591 §2). */
  grant_types: string[];
  /** Response types the client may use; `code` only (RFC 7591 §2). */
  response_types: string[];
  /** Space-delimited scopes the client may request; absent: any supported scope. */
  scope?: string;
  /** Name shown on the consent page; chosen by the client, so not proof of identity. */
  client_name?: string;
  /** The client's home page (RFC 7591 §2). */
  client_uri?: string;
  /** The client's logo (RFC 7591 §2). */
  logo_uri?: string;
  /** People responsible for the client, usually e-mail addresses (RFC 7591 §2). */
  contacts?: string[];
  /** The client's terms of service (RFC 7591 §2). */
  tos_uri?: string;
  /** The client's privacy policy (RFC 7591 §2). */
  policy_uri?: string;
  /** Identifies the client software across its registrations (RFC 7591 §2). */
  software_id?: string;
  /** The version of the client software (RFC 7591 §2). */
  software_version?: string;
  /** Hash of the RFC 7592 registration access token. */
  registration_access_token_hash?: string;
  /**
   * oauthkit's, not RFC 7591's: when this dynamically registered client expires unless it is used
   * (`registration.unusedClientLifetime`), in seconds since the epoch; absent: never. The core
   * treats a client past it as unknown; the stores' sweeps delete it with its grants.
   */
  expires_at?: number;
}

/**
 * An issued authorization code: everything it is bound to (RFC 6749 §4.1.3, RFC 7636 §4.6,
 * RFC 8707 §2.2).
 */
export interface AuthorizationCodeRecord {
  /** `hashToken(code)`: the code itself is never stored. */
  codeHash: string;
  /** The grant that redeeming this code creates; known in advance so that a replay can revoke it. */
  grantId: string;
  /** The client it was issued to. */
  clientId: string;
  /** The `redirect_uri` of the authorization request, as sent; absent when the request had none. */
  redirectUri?: string;
  /** The user who approved. */
  subject: string;
  /** Granted scopes. */
  scope: string[];
  /** RFC 8707 resource indicators the tokens will be audience-restricted to. */
  resource: string[];
  /** The PKCE challenge of the authorization request (RFC 7636 §4.2). */
  codeChallenge?: string;
  /** The PKCE method of the challenge (RFC 7636 §4.3). */
  codeChallengeMethod?: "S256" | "plain";
  /** Host data from the approval, handed back by bearer validation and introspection. */
  props?: GrantProps;
  /**
   * The host data sealed (AES-GCM with a host-held key, see `sealing`): what oauthkit writes
   * instead of `props` when props keys are configured. Opaque to the store; kept as given.
   */
  sealedProps?: string;
  /** When it was issued, in seconds since the epoch. */
  issuedAt: number;
  /** When it expires, in seconds since the epoch. */
  expiresAt: number;
}

/** The result of {@link AuthorizationCodeStore.redeemAuthorizationCode}. */
export interface RedeemedAuthorizationCode {
  /** The code's record, as saved. */
  code: AuthorizationCodeRecord;
  /** True for exactly one caller per code; false for every replay. */
  firstUse: boolean;
}

/**
 * The refresh state of a grant: the one refresh token that is valid now, and the one it replaced.
 */
export interface RefreshTokenState {
  /** Hash of the refresh token that is valid now. */
  tokenHash: string;
  /** When the current refresh token stops working unless used (idle lifetime). */
  expiresAt: number;
  /** Hash of the token that the current one replaced (for reuse detection and the grace window). */
  previousTokenHash?: string;
  /** When the last rotation happened. */
  rotatedAt?: number;
  /**
   * Hash of the grant's refresh family (`hashTaggedToken(family)`, see `src/token-format.ts`): what
   * {@link GrantStore.getGrantByRefreshFamily} finds the grant by. Set when the grant is created and
   * carried unchanged by every rotation. Absent on grants created before refresh families, which
   * the store finds by the `tokenHash` they were created with (or migrated to).
   */
  familyHash?: string;
}

/**
 * A grant: one authorization of one client by one subject, from which tokens descend.
 * Revoking it revokes every token issued from it (RFC 9700 §4.14.2).
 */
export interface GrantRecord {
  /** Unique id of the grant; a revoked id stays revoked (tombstone). */
  grantId: string;
  /** The client it was issued to. */
  clientId: string;
  /** Whom it acts for: the user who approved, or the client itself for client_credentials. */
  subject: string;
  /** Granted scopes. */
  scope: string[];
  /** RFC 8707 resources its tokens are audience-restricted to. */
  resource: string[];
  /** Host data from the approval, handed back by bearer validation and introspection. */
  props?: GrantProps;
  /**
   * The grant's host data, sealed (AES-GCM with a host-held key): opaque to the store. It lives on
   * the grant only — `getAccessToken` hands it out with each access token of the grant (see
   * {@link AccessTokenRecord.sealedProps}) — so {@link GrantStore.updateGrantProps} changes it for
   * every token at once and no token record carries a stale copy.
   */
  sealedProps?: string;
  /**
   * Version of `sealedProps` for {@link GrantStore.updateGrantProps}'s compare-and-set: absent
   * counts as 0; each successful update adds 1.
   */
  propsVersion?: number;
  /** When it was issued, in seconds since the epoch. */
  issuedAt: number;
  /** Absolute end of the grant: no token of it outlives this. */
  expiresAt: number;
  /**
   * Who the grant acts for: a user (authorization code) or the client itself (client_credentials).
   * Absent on grants stored before this field existed, which were user grants unless their
   * `subject` is their `clientId`.
   */
  subjectType?: SubjectType;
  /** Present when the grant has a refresh token. */
  refresh?: RefreshTokenState;
}

/**
 * Whom a token acts for: `"user"`, a resource owner who approved it (authorization code, and
 * refreshes of it), or `"client"`, the client itself (client_credentials, RFC 6749 §4.4).
 */
export type SubjectType = "user" | "client";

/**
 * An access token, denormalised with what bearer validation needs so that validating one takes
 * exactly one storage call.
 */
export interface AccessTokenRecord {
  /** `hashToken(token)`: the token itself is never stored. */
  tokenHash: string;
  /** The grant this belongs to; revoking the grant revokes it. */
  grantId: string;
  /** The client it was issued to. */
  clientId: string;
  /** Whom it acts for: the user who approved, or the client itself for client_credentials. */
  subject: string;
  /**
   * Whom `subject` names. Always written by oauthkit; absent only on records stored before the
   * field existed, which count as `"user"` (every store keeps records as JSON, so no migration).
   */
  subjectType?: SubjectType;
  /** Granted scopes. */
  scope: string[];
  /** RFC 8707 audience: the resources this token is for. Empty: not audience-restricted. */
  audience: string[];
  /** Host data from the approval, handed back by bearer validation and introspection. */
  props?: GrantProps;
  /**
   * The grant's sealed props, as they are now: filled in by `getAccessToken` from the token's
   * grant (stores need not write it on the token; oauthkit never does). Absent when the grant has
   * none.
   */
  sealedProps?: string;
  /** The grant's `propsVersion` with `sealedProps` (filled in by `getAccessToken` likewise). */
  propsVersion?: number;
  /** When it was issued, in seconds since the epoch. */
  issuedAt: number;
  /** When it expires, in seconds since the epoch. */
  expiresAt: number;
}

/**
 * Registered clients.
 */
export interface ClientStore {
  /** Returns the client, or `null`. */
  getClient(clientId: string): Promise<ClientRecord | null>;
  /**
   * Stores a new client. Atomic: fails (returns `false`) when `client_id` exists already, so two
   * registrations never overwrite each other.
   */
  createClient(client: ClientRecord): Promise<boolean>;
  /** Replaces an existing client; returns `false` when it does not exist. */
  updateClient(client: ClientRecord): Promise<boolean>;
  /**
   * Moves a client's `expires_at` later, to `expiresAt`, atomically and touching no other field: only
   * if the client exists and has an `expires_at` earlier than `expiresAt` (never one without, never
   * earlier). Returns whether it changed. A concurrent `updateClient` (an RFC 7592 update) keeps
   * every field it wrote; at worst the extension is undone by it, and the next use extends again.
   * Used by `registration.unusedClientLifetime` (needed with registration on, like `updateClient`).
   */
  extendClientExpiry(clientId: string, expiresAt: number): Promise<boolean>;
  /**
   * Deletes a client and revokes every grant issued to it (RFC 7592 §2.3); returns `false` when
   * it did not exist.
   */
  deleteClient(clientId: string): Promise<boolean>;
  /** The number of registered clients (for a cap on dynamic registration). */
  countClients(): Promise<number>;
}

/**
 * Authorization codes (RFC 6749 §4.1.2: short-lived, single-use).
 */
export interface AuthorizationCodeStore {
  /** Stores a new code until its `expiresAt`. */
  saveAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>;
  /**
   * Take-and-mark, atomically: returns the unexpired code with `firstUse: true` to exactly one
   * caller, however many call at once (across processes, for a networked store); later callers
   * get it with `firstUse: false` until it expires, so the core can revoke what the first use
   * issued (RFC 6749 §4.1.2). Returns `null` for an unknown or expired code.
   */
  redeemAuthorizationCode(codeHash: string): Promise<RedeemedAuthorizationCode | null>;
}

/** The input of {@link GrantStore.rotateRefreshToken}. */
export interface RefreshTokenRotation {
  /** The grant whose refresh token rotates. */
  grantId: string;
  /** The rotation happens only if this is still the grant's current refresh token hash. */
  expectedTokenHash: string;
  /** The grant's refresh state after the rotation. */
  refresh: RefreshTokenState;
  /** The access token issued with the new refresh token. */
  accessToken: AccessTokenRecord;
}

/** The input of {@link GrantStore.updateGrantProps}. */
export interface GrantPropsUpdate {
  /** The grant whose sealed props change. */
  grantId: string;
  /** The update happens only if the grant's `propsVersion` (absent: 0) is still this. */
  expectedVersion: number;
  /** The new sealed props; the grant's version becomes `expectedVersion + 1`. */
  sealedProps: string;
}

/**
 * How long, in seconds, the tombstone of a revoked grant lasts when nothing else bounds it: when
 * `revokeGrant` is called without `until` for a grant id the store does not hold (yet). One day:
 * far longer than any redemption takes, short enough to keep storage bounded.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export const GRANT_TOMBSTONE_DEFAULT_SECONDS = 86_400;

/** The options of {@link GrantStore.revokeGrant}. */
export interface RevokeGrantOptions {
  /**
   * Keep the grant id revoked at least until this time (seconds since the epoch), even if the
   * grant does not exist yet. The core passes it when a replayed authorization code revokes a
   * grant that the code's first use may still be creating.
   */
  until?: number;
}

/**
 * Grants and the tokens issued from them.
 *
 * **Revocation sticks.** Revoking a grant leaves a *tombstone* for its id: until the tombstone's
 * horizon, `createGrant` with that id stores nothing usable and returns `false`, so a grant whose
 * creation was still in flight when it was revoked (the first use of an authorization code that is
 * being replayed, RFC 6749 §4.1.2) never becomes live. The horizon is the latest of `until` (if
 * given), the grant's `expiresAt` (if the store holds the grant), and, when neither is known, the
 * store's now plus {@link GRANT_TOMBSTONE_DEFAULT_SECONDS}. A later `revokeGrant` only extends it.
 * Tombstones expire with their horizon like every other record (bounded storage); a store may keep
 * refusing an expired tombstone's id until it sweeps it.
 */
export interface GrantStore {
  /**
   * Stores a new grant and its first access token, atomically (both or neither), until the
   * grant's `expiresAt`. If the grant has a refresh token, `getGrantByRefreshFamily` finds it by
   * `refresh.familyHash` (or, without one, by `refresh.tokenHash`).
   *
   * Checks the grant id's tombstone in the same atomic step: if the id was revoked (see
   * {@link GrantStore}), stores nothing and returns `false`; otherwise returns `true`. The core
   * answers `invalid_grant` on `false` instead of handing out tokens that do not work.
   */
  createGrant(grant: GrantRecord, accessToken: AccessTokenRecord): Promise<boolean>;
  /**
   * Stores another access token of an existing grant. A token of a grant that does not exist (or
   * was revoked) must never be returned by `getAccessToken`.
   */
  saveAccessToken(accessToken: AccessTokenRecord): Promise<void>;
  /**
   * Returns the access token, or `null` if it is unknown, expired, revoked, or its grant was
   * revoked or has expired. One call, no follow-up: bearer validation relies on it. When the grant
   * has `sealedProps`, the record comes with the grant's current `sealedProps` and `propsVersion`
   * (read in the same call, never a copy kept on the token).
   */
  getAccessToken(tokenHash: string): Promise<AccessTokenRecord | null>;
  /**
   * Returns the live grant of this refresh family, or `null`: the grant whose `refresh.familyHash`
   * (for a grant created without one: the `refresh.tokenHash` it was created with) is `familyHash`.
   * Every refresh token of a grant, current or long rotated out, carries its family, so this finds
   * the grant for any of them; the core then compares the token with the current and previous hash,
   * and anything else of the family is reuse (RFC 9700 §4.14.2). One call, one lookup.
   */
  getGrantByRefreshFamily(familyHash: string): Promise<GrantRecord | null>;
  /**
   * Compare-and-rotate, atomically: if the grant exists and its current refresh token hash is
   * `expectedTokenHash`, sets its refresh state to `refresh` and stores `accessToken`; returns
   * `true`. Otherwise changes nothing and returns `false`. Of concurrent rotations expecting the
   * same hash, exactly one succeeds. The grant stays findable by its family; a rotation adds no
   * record besides the access token, so the records of a grant do not grow with its refreshes.
   */
  rotateRefreshToken(rotation: RefreshTokenRotation): Promise<boolean>;
  /**
   * Revokes a grant: the grant, its refresh tokens and every access token issued from it stop
   * being returned, at once and for every reader, and the id is tombstoned (see {@link GrantStore}:
   * until the latest of `options.until`, the grant's `expiresAt`, or — neither known — now plus
   * {@link GRANT_TOMBSTONE_DEFAULT_SECONDS}), so a `createGrant` of it landing later stores nothing
   * usable. Works for an id the store does not hold yet. Idempotent; never shortens a tombstone.
   */
  revokeGrant(grantId: string, options?: RevokeGrantOptions): Promise<void>;
  /** Revokes one access token. Idempotent. */
  revokeAccessToken(tokenHash: string): Promise<void>;
  /**
   * Compare-and-set of a grant's sealed props, atomically: if the grant is live (not expired, not
   * revoked) and its `propsVersion` (absent: 0) equals `update.expectedVersion`, stores
   * `update.sealedProps` with version `expectedVersion + 1` and returns `true`; otherwise changes
   * nothing and returns `false`. Of concurrent updates expecting the same version (across
   * processes, for a networked store), exactly one succeeds. From then on `getAccessToken` of every
   * token of the grant and `getGrantByRefreshToken` return the new props and version. This is how
   * federated servers refresh upstream tokens exactly once (docs/federation.md).
   */
  updateGrantProps(update: GrantPropsUpdate): Promise<boolean>;
}

/** The options of {@link SubjectGrantStore.revokeSubjectGrants}. */
export interface RevokeSubjectGrantsOptions {
  /** Revoke only the grants (and pending codes) of this client; absent: of every client. */
  clientId?: string;
}

/**
 * A subject's grants as a whole: what a "connected apps" page and a re-authorization need
 * (listing, and revoking all of one subject's grants, or those for one client).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export interface SubjectGrantStore {
  /**
   * Returns every live grant whose `subject` is `subject` (not expired, not revoked), with its
   * refresh state, in any order; `[]` when there is none. One call, a consistent snapshot: a grant
   * revoked before the call started is never in it. Grants of every subject type are returned (a
   * client_credentials grant's subject is its client id); the core filters.
   */
  listSubjectGrants(subject: string): Promise<GrantRecord[]>;
  /**
   * Revokes, atomically (one step, across instances), every live grant of `subject` (only those of
   * `options.clientId` when given), exactly as {@link GrantStore.revokeGrant} revokes one: the
   * grant and all its tokens stop working and its id is tombstoned until its `expiresAt`.
   *
   * In the same step it tombstones the grant id of every unexpired authorization code of the
   * subject (and client), redeemed or not, for {@link GRANT_TOMBSTONE_DEFAULT_SECONDS} (or longer
   * if already tombstoned): a code approved before this call and redeemed while (or after) it runs
   * then creates nothing (`createGrant` returns `false`), so a racing redemption cannot bring a
   * grant back. Codes saved after the call are untouched (a new approval).
   *
   * Returns how many live grants it revoked (pending codes not counted). Idempotent.
   */
  revokeSubjectGrants(subject: string, options?: RevokeSubjectGrantsOptions): Promise<number>;
}

/** Everything the authorization server stores. */
export interface Storage extends ClientStore, AuthorizationCodeStore, GrantStore, SubjectGrantStore {}
