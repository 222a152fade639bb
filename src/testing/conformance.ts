/**
 * The storage conformance suite: every documented contract of `src/storage/types.ts` as vitest
 * cases, to run against any store (memory, Redis, PostgreSQL, or a host's own adapter).
 *
 * @module
 */
import { systemNow } from "../clock.js";
import { afterAll, beforeAll, describe } from "vitest";
import type { Storage } from "../storage/types.js";
import { describeClientContract } from "./contract/clients.js";
import { describeCodeContract } from "./contract/codes.js";
import type { ConformanceStore, StorageConformanceOptions, SuiteContext } from "./contract/context.js";
import { describeExpiryContract } from "./contract/expiry.js";
import { describeGrantContract } from "./contract/grants.js";
import { describeHashContract } from "./contract/hashes.js";
import { describePropsContract } from "./contract/props.js";
import { describeRotationContract } from "./contract/rotation.js";
import { describeSubjectGrantContract } from "./contract/subject-grants.js";
import { describeTombstoneContract } from "./contract/tombstones.js";
import { describeServerFlow } from "./server-flow.js";

// The two option types live beside the suite's context, which the contract parts import: defined
// here, they would make this module and its parts import each other.
export type { ConformanceStore, StorageConformanceOptions } from "./contract/context.js";

/**
 * Defines vitest cases that check a store against the storage contract: round trips of every
 * record type, expiry, hash-only persistence, atomic single use of codes and refresh tokens under
 * concurrency, revocation reaching every token of a grant, revoked grant ids staying revoked
 * (tombstones checked atomically by `createGrant`), and the storage calls per operation of
 * a real server over the store. Call it at the top level of a test file.
 *
 * @param name - Shown in the `describe` title.
 * @param factory - Creates the store; called once, before the first case.
 * @param options - See {@link StorageConformanceOptions}.
 * @example
 * ```ts
 * import { describeStorageConformance } from "oauthkit/testing";
 *
 * describeStorageConformance("my store", async () => ({ storage: createMyStorage() }));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (single-use codes)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (refresh rotation, family revocation)
 */
export function describeStorageConformance(
  name: string,
  factory: () => Promise<ConformanceStore>,
  options: StorageConformanceOptions = {},
): void {
  const concurrency = options.concurrency ?? 50;
  const now = options.now ?? systemNow;

  describe(`storage conformance: ${name}`, () => {
    let store: ConformanceStore | undefined;
    const storage = (): Storage => {
      if (store === undefined) throw new Error("the store factory failed; see the beforeAll error");
      return store.storage;
    };
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close?.();
    });

    const context: SuiteContext = { storage, store: () => store, now, concurrency, options };
    describeClientContract(context);
    describeCodeContract(context);
    describeGrantContract(context);
    describeRotationContract(context);
    describeTombstoneContract(context);
    describeSubjectGrantContract(context);
    describeHashContract(context);
    describeExpiryContract(context);
    describePropsContract(context);

    if (options.serverFlow !== false) describeServerFlow(name, storage);
  });
}
