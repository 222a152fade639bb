import type { Storage } from "../../storage/types.js";

/** What the factory of `describeStorageConformance` returns. */
export interface ConformanceStore {
  /** The store under test. It need not be empty: the suite uses fresh ids and counts by difference. */
  storage: Storage;
  /** Called once after the suite (close connections, drop the schema, stop a server…). */
  close?: () => Promise<void>;
  /**
   * Returns everything the store holds as text (every key and value, every row). When given, the
   * suite checks that no plaintext credential appears in it and that their hashes do.
   */
  dump?: () => Promise<string>;
  /**
   * Test-only inspection: how many records (keys, rows, entries) the store holds for a grant.
   * When given, the suite checks that 1,000 rotations of a grant leave as many as one does
   * (refresh families, `src/token-format.ts`); without it, that case has nothing to count and passes.
   */
  countGrantRecords?: (grantId: string) => Promise<number>;
}

/** Options of `describeStorageConformance`. */
export interface StorageConformanceOptions {
  /** Concurrent callers in the single-use races (default 50). */
  concurrency?: number;
  /** The store's clock in seconds since the epoch; defaults to the system clock. */
  now?: () => number;
  /** Wait ~2 s for records to expire (default true); turn off only for a store with a fake clock. */
  waitForExpiry?: boolean;
  /**
   * Run an authorization-code exchange, a refresh and a bearer validation through
   * `createAuthorizationServer` over the store and assert the storage calls per operation
   * (default true).
   */
  serverFlow?: boolean;
}

/** What every part of the conformance suite gets from `describeStorageConformance`. */
export interface SuiteContext {
  /** The store under test (throws if its factory failed). */
  storage: () => Storage;
  /** The factory's result, once created. */
  store: () => ConformanceStore | undefined;
  now: () => number;
  concurrency: number;
  options: StorageConformanceOptions;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
