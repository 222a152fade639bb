import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ClientRecord,
  GrantRecord,
  RedeemedAuthorizationCode,
  RefreshTokenRotation,
  Storage,
} from "./types.js";

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /** The store's clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
  /** Expired records are swept after this many writes (default 1000); reads never return them. */
  sweepEvery?: number;
}

/** The in-memory store, with a sweep a host or test may call. */
export interface MemoryStorage extends Storage {
  /** Removes every expired record now; returns how many were removed. */
  sweep(): number;
}

interface CodeEntry {
  code: AuthorizationCodeRecord;
  used: boolean;
}

interface GrantEntry {
  grant: GrantRecord;
  accessTokenHashes: Set<string>;
  refreshTokenHashes: Set<string>;
}

/**
 * A store that keeps everything in this process's memory: for tests, examples and single-process
 * deployments. Every method does its work synchronously before it yields, so each is atomic
 * with respect to every other call in the process, which is what the contract asks.
 *
 * Records are copied on the way in, so a caller that mutates its object does not change the store.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage();
 * ```
 * @see ../../docs/storage.md
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const sweepEvery = options.sweepEvery ?? 1000;
  const clients = new Map<string, ClientRecord>();
  const codes = new Map<string, CodeEntry>();
  const grants = new Map<string, GrantEntry>();
  const accessTokens = new Map<string, AccessTokenRecord>();
  const refreshIndex = new Map<string, string>(); // refresh token hash -> grant id
  let writes = 0;

  const live = (record: { expiresAt: number }): boolean => record.expiresAt > now();

  function removeGrant(grantId: string): void {
    const entry = grants.get(grantId);
    if (!entry) return;
    grants.delete(grantId);
    for (const hash of entry.accessTokenHashes) accessTokens.delete(hash);
    for (const hash of entry.refreshTokenHashes) refreshIndex.delete(hash);
  }

  function liveGrant(grantId: string): GrantEntry | undefined {
    const entry = grants.get(grantId);
    if (!entry) return undefined;
    if (!live(entry.grant)) {
      removeGrant(grantId);
      return undefined;
    }
    return entry;
  }

  function addAccessToken(entry: GrantEntry, token: AccessTokenRecord): void {
    accessTokens.set(token.tokenHash, structuredClone(token));
    entry.accessTokenHashes.add(token.tokenHash);
  }

  function sweep(): number {
    let removed = 0;
    for (const [hash, entry] of codes) if (!live(entry.code)) (codes.delete(hash), removed++);
    for (const [id, entry] of grants) if (!live(entry.grant)) (removeGrant(id), removed++);
    for (const [hash, token] of accessTokens) {
      if (!live(token)) {
        accessTokens.delete(hash);
        grants.get(token.grantId)?.accessTokenHashes.delete(hash);
        removed++;
      }
    }
    return removed;
  }

  function wrote(): void {
    if (++writes % sweepEvery === 0) sweep();
  }

  return {
    sweep,

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
    async deleteClient(clientId) {
      if (!clients.delete(clientId)) return false;
      for (const [id, entry] of grants) if (entry.grant.clientId === clientId) removeGrant(id);
      return true;
    },
    async countClients() {
      return clients.size;
    },

    async saveAuthorizationCode(code) {
      codes.set(code.codeHash, { code: structuredClone(code), used: false });
      wrote();
    },
    async redeemAuthorizationCode(codeHash): Promise<RedeemedAuthorizationCode | null> {
      const entry = codes.get(codeHash);
      if (!entry) return null;
      if (!live(entry.code)) {
        codes.delete(codeHash);
        return null;
      }
      const firstUse = !entry.used;
      entry.used = true;
      return { code: entry.code, firstUse };
    },

    async createGrant(grant, accessToken) {
      const entry: GrantEntry = {
        grant: structuredClone(grant),
        accessTokenHashes: new Set(),
        refreshTokenHashes: new Set(),
      };
      grants.set(grant.grantId, entry);
      if (grant.refresh) {
        entry.refreshTokenHashes.add(grant.refresh.tokenHash);
        refreshIndex.set(grant.refresh.tokenHash, grant.grantId);
      }
      addAccessToken(entry, accessToken);
      wrote();
    },
    async saveAccessToken(accessToken) {
      const entry = liveGrant(accessToken.grantId);
      if (entry) addAccessToken(entry, accessToken);
      wrote();
    },
    async getAccessToken(tokenHash) {
      const token = accessTokens.get(tokenHash);
      if (!token) return null;
      if (!live(token) || !liveGrant(token.grantId)) {
        accessTokens.delete(tokenHash);
        return null;
      }
      return token;
    },
    async getGrantByRefreshToken(tokenHash) {
      const grantId = refreshIndex.get(tokenHash);
      if (grantId === undefined) return null;
      return liveGrant(grantId)?.grant ?? null;
    },
    async rotateRefreshToken(rotation: RefreshTokenRotation) {
      const entry = liveGrant(rotation.grantId);
      if (!entry || entry.grant.refresh?.tokenHash !== rotation.expectedTokenHash) return false;
      entry.grant = { ...entry.grant, refresh: structuredClone(rotation.refresh) };
      entry.refreshTokenHashes.add(rotation.refresh.tokenHash);
      refreshIndex.set(rotation.refresh.tokenHash, rotation.grantId);
      addAccessToken(entry, rotation.accessToken);
      wrote();
      return true;
    },
    async revokeGrant(grantId) {
      removeGrant(grantId);
    },
    async revokeAccessToken(tokenHash) {
      const token = accessTokens.get(tokenHash);
      if (!token) return;
      accessTokens.delete(tokenHash);
      grants.get(token.grantId)?.accessTokenHashes.delete(tokenHash);
    },
  };
}
