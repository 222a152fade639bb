/**
 * `oauthkit/testing`: the storage conformance suite and a storage-call counter, for adapter
 * authors and for hosts that check their store before deploying it.
 *
 * @module
 */
export { describeStorageConformance } from "./conformance.js";
export type { ConformanceStore, StorageConformanceOptions } from "./conformance.js";
export { STORAGE_METHODS, countStorageCalls } from "./count-calls.js";
export type { CountedStorage, StorageMethod } from "./count-calls.js";
