/**
 * A counting wrapper around a store: how many calls each operation makes is part of the storage
 * contract (each call is a round trip on a networked store), and this is how tests measure it.
 *
 * @module
 */
import type { Storage } from "../storage/types.js";

/** The name of one method of {@link Storage}. */
export type StorageMethod = keyof Storage;

/** Every method of the storage contract, in the order of `src/storage/types.ts`. */
export const STORAGE_METHODS = [
  "getClient",
  "createClient",
  "updateClient",
  "extendClientExpiry",
  "deleteClient",
  "countClients",
  "saveAuthorizationCode",
  "redeemAuthorizationCode",
  "createGrant",
  "saveAccessToken",
  "getAccessToken",
  "getGrantByRefreshFamily",
  "rotateRefreshToken",
  "revokeGrant",
  "revokeAccessToken",
  "updateGrantProps",
  "listSubjectGrants",
  "revokeSubjectGrants",
] as const satisfies readonly StorageMethod[];

/** The result of {@link countStorageCalls}. */
export interface CountedStorage {
  /** The wrapped store: pass this one to the server. */
  storage: Storage;
  /** Calls per method since the last {@link CountedStorage.reset}; every method is present. */
  counts: Record<StorageMethod, number>;
  /** The calls in the order they were made since the last reset. */
  calls: StorageMethod[];
  /** Sets every count to zero and empties `calls`. */
  reset(): void;
  /** The number of calls since the last reset. */
  total(): number;
}

/**
 * Wraps a store so that every call of a contract method is counted, then forwarded unchanged.
 * An explicit wrapper rather than a `Proxy`: it exposes exactly the contract, so a server that
 * reached for an adapter-specific extra (`sweep()`, say) would fail loudly instead of being counted
 * as zero.
 *
 * @example
 * ```ts
 * const counted = countStorageCalls(createMemoryStorage());
 * const server = createAuthorizationServer({ issuer, storage: counted.storage });
 * // … one bearer validation …
 * expect(counted.counts.getAccessToken).toBe(1);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2 (bearer validation: one lookup per request)
 */
export function countStorageCalls(storage: Storage): CountedStorage {
  const counts = Object.fromEntries(STORAGE_METHODS.map((name) => [name, 0])) as Record<StorageMethod, number>;
  const calls: StorageMethod[] = [];
  const count = (name: StorageMethod): void => {
    counts[name]++;
    calls.push(name);
  };
  const wrapped: Storage = {
    getClient: (clientId) => (count("getClient"), storage.getClient(clientId)),
    createClient: (client) => (count("createClient"), storage.createClient(client)),
    updateClient: (client) => (count("updateClient"), storage.updateClient(client)),
    extendClientExpiry: (clientId, expiresAt) => (count("extendClientExpiry"), storage.extendClientExpiry(clientId, expiresAt)),
    deleteClient: (clientId) => (count("deleteClient"), storage.deleteClient(clientId)),
    countClients: () => (count("countClients"), storage.countClients()),
    saveAuthorizationCode: (code) => (count("saveAuthorizationCode"), storage.saveAuthorizationCode(code)),
    redeemAuthorizationCode: (codeHash) => (count("redeemAuthorizationCode"), storage.redeemAuthorizationCode(codeHash)),
    createGrant: (grant, accessToken) => (count("createGrant"), storage.createGrant(grant, accessToken)),
    saveAccessToken: (accessToken) => (count("saveAccessToken"), storage.saveAccessToken(accessToken)),
    getAccessToken: (tokenHash) => (count("getAccessToken"), storage.getAccessToken(tokenHash)),
    getGrantByRefreshFamily: (familyHash) => (count("getGrantByRefreshFamily"), storage.getGrantByRefreshFamily(familyHash)),
    rotateRefreshToken: (rotation) => (count("rotateRefreshToken"), storage.rotateRefreshToken(rotation)),
    revokeGrant: (grantId, options) => (count("revokeGrant"), storage.revokeGrant(grantId, options)),
    revokeAccessToken: (tokenHash) => (count("revokeAccessToken"), storage.revokeAccessToken(tokenHash)),
    updateGrantProps: (update) => (count("updateGrantProps"), storage.updateGrantProps(update)),
    listSubjectGrants: (subject) => (count("listSubjectGrants"), storage.listSubjectGrants(subject)),
    revokeSubjectGrants: (subject, options) => (count("revokeSubjectGrants"), storage.revokeSubjectGrants(subject, options)),
  };
  return {
    storage: wrapped,
    counts,
    calls,
    reset() {
      for (const name of STORAGE_METHODS) counts[name] = 0;
      calls.length = 0;
    },
    total: () => calls.length,
  };
}
