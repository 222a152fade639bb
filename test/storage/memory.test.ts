import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../src/index.js";
import { testClock } from "../support/fixtures.js";

const code = (hash: string, expiresAt: number) => ({
  codeHash: hash,
  grantId: `g-${hash}`,
  clientId: "c",
  subject: "s",
  scope: [] as string[],
  resource: [] as string[],
  issuedAt: expiresAt - 60,
  expiresAt,
});

describe("memory store housekeeping", () => {
  it("sweeps expired records from a write, at most once a minute", async () => {
    const clock = testClock();
    const storage = createMemoryStorage({ now: clock.now });
    for (let i = 0; i < 100; i++) await storage.saveAuthorizationCode(code(`old-${i}`, clock.now() + 60));
    clock.advance(61);
    for (let i = 0; i < 100; i++) await storage.saveAuthorizationCode(code(`new-${i}`, clock.now() + 60));
    // The first write after a minute swept the old records: nothing is left for a manual sweep.
    expect(storage.sweep()).toBe(0);
  });

  it("leaves sweeping between two writes to the next minute, but never returns an expired record", async () => {
    const clock = testClock();
    const storage = createMemoryStorage({ now: clock.now });
    await storage.saveAuthorizationCode(code("long", clock.now() + 10_000));
    for (let i = 0; i < 50; i++) await storage.saveAuthorizationCode(code(`short-${i}`, clock.now() + 10));
    clock.advance(11);
    await storage.saveAuthorizationCode(code("later", clock.now() + 10_000));
    expect(await storage.redeemAuthorizationCode("short-0")).toBeNull();
    expect(storage.sweep()).toBe(49);
    expect((await storage.redeemAuthorizationCode("long"))?.firstUse).toBe(true);
  });

  it("copies records on the way in", async () => {
    const storage = createMemoryStorage();
    const record = code("x", Math.floor(Date.now() / 1000) + 60);
    await storage.saveAuthorizationCode({ ...record, props: { nested: { a: 1 } } });
    record.scope.push("mutated");
    const stored = await storage.redeemAuthorizationCode("x");
    expect(stored?.code.scope).toEqual([]);
  });
});
