import { systemNow } from "../clock.js";
import {
  type AccessTokenRecord,
  type AuthorizationCodeRecord,
  type ClientRecord,
  type GrantProps,
  type GrantPropsUpdate,
  type GrantRecord,
  type RedeemedAuthorizationCode,
  type RefreshTokenRotation,
  type Storage,
  GRANT_TOMBSTONE_DEFAULT_SECONDS,
} from "./types.js";

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** The store's clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
}

/** The in-memory store, with a sweep a host or test may call. */
export interface MemoryStorage extends Storage {
  /**
   * Removes every expired record now (dynamically registered clients past their `expires_at`
   * included, with their grants); returns how many were removed.
   */
  sweep(): number;
  /**
   * Inspection for tests and sizing: how many entries the store holds for a grant (the grant, its
   * refresh-family index entry, its access tokens, its tombstone).
   */
  countGrantRecords(grantId: string): number;
}

interface CodeEntry {
  code: AuthorizationCodeRecord;
  used: boolean;
}

interface GrantEntry {
  grant: GrantRecord;
  accessTokenHashes: Set<string>;
  /** The key of the grant in the refresh-family index, if it has a refresh token. */
  familyHash?: string;
}

// Records are copied on the way in so that a caller mutating its object cannot change the store.
// Copying the known fields is several times cheaper than structuredClone on these small records
// (measured in bench/); only opaque host props need a deep copy. A field the contract adds must be
// added here too (the conformance suite's round trips catch an omission).
const copyProps = (props: GrantProps | undefined): GrantProps | undefined => (props === undefined ? undefined : structuredClone(props));

// Object literals with every field in a fixed order give V8 one stable shape per record type: faster
// property access on the hot lookups than spread copies (measured in bench/).
function copyCode(code: AuthorizationCodeRecord): AuthorizationCodeRecord {
  const copy: AuthorizationCodeRecord = {
    codeHash: code.codeHash,
    grantId: code.grantId,
    clientId: code.clientId,
    subject: code.subject,
    scope: code.scope.slice(),
    resource: code.resource.slice(),
    issuedAt: code.issuedAt,
    expiresAt: code.expiresAt,
  };
  if (code.redirectUri !== undefined) copy.redirectUri = code.redirectUri;
  if (code.codeChallenge !== undefined) copy.codeChallenge = code.codeChallenge;
  if (code.codeChallengeMethod !== undefined) copy.codeChallengeMethod = code.codeChallengeMethod;
  if (code.props !== undefined) copy.props = copyProps(code.props)!;
  if (code.sealedProps !== undefined) copy.sealedProps = code.sealedProps;
  return copy;
}

function copyGrant(grant: GrantRecord): GrantRecord {
  const copy: GrantRecord = {
    grantId: grant.grantId,
    clientId: grant.clientId,
    subject: grant.subject,
    scope: grant.scope.slice(),
    resource: grant.resource.slice(),
    issuedAt: grant.issuedAt,
    expiresAt: grant.expiresAt,
  };
  if (grant.subjectType !== undefined) copy.subjectType = grant.subjectType;
  if (grant.refresh !== undefined) copy.refresh = { ...grant.refresh };
  if (grant.props !== undefined) copy.props = copyProps(grant.props)!;
  if (grant.sealedProps !== undefined) {
    copy.sealedProps = grant.sealedProps;
    copy.propsVersion = grant.propsVersion ?? 0;
  }
  return copy;
}

function copyAccessToken(token: AccessTokenRecord): AccessTokenRecord {
  const copy: AccessTokenRecord = {
    tokenHash: token.tokenHash,
    grantId: token.grantId,
    clientId: token.clientId,
    subject: token.subject,
    scope: token.scope.slice(),
    audience: token.audience.slice(),
    issuedAt: token.issuedAt,
    expiresAt: token.expiresAt,
  };
  if (token.subjectType !== undefined) copy.subjectType = token.subjectType;
  if (token.props !== undefined) copy.props = copyProps(token.props)!;
  return copy;
}

/** How often, at most, a write triggers a sweep of expired records. */
const SWEEP_INTERVAL_SECONDS = 60;

/**
 * A store that keeps everything in this process's memory: for tests, examples and single-process
 * deployments. Every method does its work synchronously before it yields, so each is atomic
 * with respect to every other call in the process, which is what the contract asks.
 *
 * Expired records are never returned, and a write sweeps them out at most once a minute, so memory
 * stays bounded; `sweep()` sweeps now.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage();
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const clock = options.now ?? systemNow;
  const clients = new Map<string, ClientRecord>();
  const codes = new Map<string, CodeEntry>();
  const grants = new Map<string, GrantEntry>();
  const accessTokens = new Map<string, AccessTokenRecord>();
  const refreshIndex = new Map<string, string>(); // refresh family hash -> grant id (one per grant)
  const revoked = new Map<string, number>(); // grant id -> tombstone horizon (storage contract)
  const bySubject = new Map<string, Set<string>>(); // subject -> grant ids (listSubjectGrants)

  function removeGrant(grantId: string): void {
    const entry = grants.get(grantId);
    if (!entry) return;
    grants.delete(grantId);
    unindexSubject(entry.grant);
    for (const hash of entry.accessTokenHashes) accessTokens.delete(hash);
    if (entry.familyHash !== undefined) refreshIndex.delete(entry.familyHash);
  }

  function unindexSubject(grant: GrantRecord): void {
    const ids = bySubject.get(grant.subject);
    ids?.delete(grant.grantId);
    if (ids?.size === 0) bySubject.delete(grant.subject);
  }

  // Tombstones a grant id as revokeGrant does: never shortens an existing horizon.
  function tombstone(grantId: string, until: number, now: number): void {
    const horizon = Math.max(until, revoked.get(grantId) ?? 0);
    if (horizon > now) revoked.set(grantId, horizon);
  }

  function removeAccessToken(hash: string, token: AccessTokenRecord): void {
    accessTokens.delete(hash);
    grants.get(token.grantId)?.accessTokenHashes.delete(hash);
  }

  function liveGrant(grantId: string, now: number): GrantEntry | undefined {
    const entry = grants.get(grantId);
    if (!entry) return undefined;
    if (entry.grant.expiresAt <= now) {
      removeGrant(grantId);
      return undefined;
    }
    return entry;
  }

  function addAccessToken(entry: GrantEntry, token: AccessTokenRecord): void {
    accessTokens.set(token.tokenHash, copyAccessToken(token));
    entry.accessTokenHashes.add(token.tokenHash);
  }

  // Expired records are swept at most once a minute, from a write: a full scan is cheap at that
  // rate, and keeps lookups free of housekeeping (measured in bench/).
  let nextSweepAt = 0;
  function maybeSweep(now: number): void {
    if (now < nextSweepAt) return;
    nextSweepAt = now + SWEEP_INTERVAL_SECONDS;
    sweep();
  }

  function sweep(): number {
    const now = clock();
    const size = () => clients.size + codes.size + grants.size + accessTokens.size + revoked.size;
    const before = size();
    // Dynamically registered clients past expires_at go with their grants, as deleteClient does.
    for (const [id, client] of clients) {
      if (client.expires_at === undefined || client.expires_at > now) continue;
      clients.delete(id);
      for (const [grantId, entry] of grants) if (entry.grant.clientId === id) removeGrant(grantId);
    }
    for (const [hash, entry] of codes) if (entry.code.expiresAt <= now) codes.delete(hash);
    for (const [id, entry] of grants) if (entry.grant.expiresAt <= now) removeGrant(id);
    for (const [hash, token] of accessTokens) if (token.expiresAt <= now) removeAccessToken(hash, token);
    for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
    return before - size();
  }

  return {
    sweep,
    countGrantRecords(grantId) {
      const entry = grants.get(grantId);
      let count = (entry === undefined ? 0 : 1 + entry.accessTokenHashes.size) + (revoked.has(grantId) ? 1 : 0);
      for (const id of refreshIndex.values()) if (id === grantId) count++;
      for (const token of accessTokens.values()) if (token.grantId === grantId && !entry?.accessTokenHashes.has(token.tokenHash)) count++;
      return count;
    },

    async getClient(clientId) {
      return clients.get(clientId) ?? null;
    },
    async createClient(client) {
      if (clients.has(client.client_id)) return false;
      clients.set(client.client_id, structuredClone(client));
      return true;
    },
    async updateClient(client) {
      if (!clients.has(client.client_id)) return false;
      clients.set(client.client_id, structuredClone(client));
      return true;
    },
    async extendClientExpiry(clientId, expiresAt) {
      const client = clients.get(clientId);
      if (client?.expires_at === undefined || client.expires_at >= expiresAt) return false;
      clients.set(clientId, { ...client, expires_at: expiresAt });
      return true;
    },
    async deleteClient(clientId) {
      if (!clients.delete(clientId)) return false;
      for (const [id, entry] of grants) if (entry.grant.clientId === clientId) removeGrant(id);
      return true;
    },
    async countClients() {
      return clients.size;
    },

    async saveAuthorizationCode(code) {
      const now = clock();
      codes.set(code.codeHash, { code: copyCode(code), used: false });
      maybeSweep(now);
    },
    async redeemAuthorizationCode(codeHash): Promise<RedeemedAuthorizationCode | null> {
      const entry = codes.get(codeHash);
      if (!entry) return null;
      if (entry.code.expiresAt <= clock()) {
        codes.delete(codeHash);
        return null;
      }
      const firstUse = !entry.used;
      entry.used = true;
      return { code: entry.code, firstUse };
    },

    async createGrant(grant, accessToken) {
      const now = clock();
      // Checked in the same synchronous step as the write: a revoked id never becomes live.
      if ((revoked.get(grant.grantId) ?? 0) > now) return false;
      const entry: GrantEntry = { grant: copyGrant(grant), accessTokenHashes: new Set() };
      grants.set(grant.grantId, entry);
      let ids = bySubject.get(grant.subject);
      if (ids === undefined) bySubject.set(grant.subject, (ids = new Set()));
      ids.add(grant.grantId);
      if (grant.refresh) {
        entry.familyHash = grant.refresh.familyHash ?? grant.refresh.tokenHash;
        refreshIndex.set(entry.familyHash, grant.grantId);
      }
      addAccessToken(entry, accessToken);
      maybeSweep(now);
      return true;
    },
    async saveAccessToken(accessToken) {
      const now = clock();
      const entry = liveGrant(accessToken.grantId, now);
      if (entry) addAccessToken(entry, accessToken);
      maybeSweep(now);
    },
    async getAccessToken(tokenHash) {
      const token = accessTokens.get(tokenHash);
      if (!token) return null;
      const now = clock();
      const entry = token.expiresAt <= now ? undefined : liveGrant(token.grantId, now);
      if (entry === undefined) {
        removeAccessToken(tokenHash, token);
        return null;
      }
      // The props live on the grant (one copy, which updateGrantProps replaces for every token).
      const { sealedProps, propsVersion } = entry.grant;
      return sealedProps === undefined ? token : { ...token, sealedProps, propsVersion: propsVersion ?? 0 };
    },
    async getGrantByRefreshFamily(familyHash) {
      const grantId = refreshIndex.get(familyHash);
      if (grantId === undefined) return null;
      return liveGrant(grantId, clock())?.grant ?? null;
    },
    async rotateRefreshToken(rotation: RefreshTokenRotation) {
      const now = clock();
      const entry = liveGrant(rotation.grantId, now);
      if (!entry || entry.grant.refresh?.tokenHash !== rotation.expectedTokenHash) return false;
      // A new grant object: a caller still holding the old one sees the state it read.
      // Found by its family as before: nothing is added per rotation but the access token.
      entry.grant = { ...entry.grant, refresh: { ...rotation.refresh } };
      addAccessToken(entry, rotation.accessToken);
      maybeSweep(now);
      return true;
    },
    async revokeGrant(grantId, options = {}) {
      const now = clock();
      const existing = grants.get(grantId)?.grant.expiresAt;
      let until = existing ?? (options.until === undefined ? now + GRANT_TOMBSTONE_DEFAULT_SECONDS : 0);
      if (options.until !== undefined) until = Math.max(until, options.until);
      tombstone(grantId, until, now);
      removeGrant(grantId);
      maybeSweep(now);
    },
    async revokeAccessToken(tokenHash) {
      const token = accessTokens.get(tokenHash);
      if (token) removeAccessToken(tokenHash, token);
    },
    async updateGrantProps(update: GrantPropsUpdate) {
      const entry = liveGrant(update.grantId, clock());
      if (!entry || (entry.grant.propsVersion ?? 0) !== update.expectedVersion) return false;
      // A new grant object: a caller still holding the old one sees the state it read.
      entry.grant = { ...entry.grant, sealedProps: update.sealedProps, propsVersion: update.expectedVersion + 1 };
      return true;
    },

    async listSubjectGrants(subject) {
      const now = clock();
      const list: GrantRecord[] = [];
      for (const id of [...(bySubject.get(subject) ?? [])]) {
        const entry = liveGrant(id, now);
        if (entry) list.push(copyGrant(entry.grant));
      }
      return list;
    },
    async revokeSubjectGrants(subject, revokeOptions = {}) {
      // One synchronous step: no other call interleaves, so a redemption lands before or after.
      const now = clock();
      const { clientId } = revokeOptions;
      let count = 0;
      for (const id of [...(bySubject.get(subject) ?? [])]) {
        const entry = liveGrant(id, now);
        if (!entry || (clientId !== undefined && entry.grant.clientId !== clientId)) continue;
        tombstone(id, entry.grant.expiresAt, now);
        removeGrant(id);
        count++;
      }
      // Codes are short-lived and few: a scan is cheaper than keeping a second index.
      for (const { code } of codes.values()) {
        if (code.subject !== subject || code.expiresAt <= now || (clientId !== undefined && code.clientId !== clientId)) continue;
        tombstone(code.grantId, now + GRANT_TOMBSTONE_DEFAULT_SECONDS, now);
        removeGrant(code.grantId);
      }
      maybeSweep(now);
      return count;
    },
  };
}
