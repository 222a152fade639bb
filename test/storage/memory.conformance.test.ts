/** The reference in-memory store against the storage conformance suite. */
import { createMemoryStorage } from "../../src/index.js";
import { describeStorageConformance } from "../../src/testing/index.js";

describeStorageConformance("memory", async () => {
  const storage = createMemoryStorage();
  return { storage, countGrantRecords: async (grantId) => storage.countGrantRecords(grantId) };
});
