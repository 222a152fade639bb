/**
 * `oauthkit/testing`: the storage conformance suite and a storage-call counter, for adapter
 * authors and for hosts that check their store before deploying it, and the app-testing helpers
 * of `oauthkit/testing/app` (import those from `oauthkit/testing/app` when vitest is not installed:
 * this entry imports it).
 *
 * @module
 */
export { describeStorageConformance } from "./conformance.js";
export type { ConformanceStore, StorageConformanceOptions } from "./conformance.js";
export { STORAGE_METHODS, countStorageCalls } from "./count-calls.js";
export type { CountedStorage, StorageMethod } from "./count-calls.js";
export { TEST_ISSUER, createTestAuthorizationServer } from "./app.js";
export type { MintAccessTokenOptions, TestAuthorizationServer, TestAuthorizationServerOptions } from "./app.js";
