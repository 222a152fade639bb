/** The reference in-memory store against the storage conformance suite. */
import { createMemoryStorage } from "../../src/index.js";
import { describeStorageConformance } from "../../src/testing/index.js";

describeStorageConformance("memory", async () => ({ storage: createMemoryStorage() }));
