import type { Storage } from "../../storage/types.js";
import type { ConformanceStore, StorageConformanceOptions } from "../conformance.js";

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
