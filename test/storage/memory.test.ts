import { describe, expect, it } from "vitest";
import { GRANT_TOMBSTONE_DEFAULT_SECONDS, createMemoryStorage } from "../../src/index.js";
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

  it("keeps a revoked grant id refused until its tombstone's horizon, then sweeps the tombstone", async () => {
    const clock = testClock();
    const storage = createMemoryStorage({ now: clock.now });
    const t = clock.now();
    const grant = { grantId: "g", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 600 };
    const token = (hash: string) => ({ tokenHash: hash, grantId: "g", clientId: "c", subject: "s", scope: [], audience: [], issuedAt: clock.now(), expiresAt: clock.now() + 60 });
    expect(await storage.createGrant(grant, token("a1"))).toBe(true);
    await storage.revokeGrant("g");
    // A later revocation with an earlier horizon does not shorten the grant's (t + 600).
    await storage.revokeGrant("g", { until: t + 10 });
    clock.advance(599);
    expect(await storage.createGrant({ ...grant, expiresAt: clock.now() + 600 }, token("a2"))).toBe(false);
    expect(storage.sweep()).toBe(0);
    clock.advance(1);
    expect(storage.sweep()).toBe(1);
    expect(await storage.createGrant({ ...grant, expiresAt: clock.now() + 600 }, token("a3"))).toBe(true);
    expect(await storage.getAccessToken("a3")).not.toBeNull();
  });

  it("an unknown id without until is refused for GRANT_TOMBSTONE_DEFAULT_SECONDS", async () => {
    const clock = testClock();
    const storage = createMemoryStorage({ now: clock.now });
    await storage.revokeGrant("g");
    clock.advance(GRANT_TOMBSTONE_DEFAULT_SECONDS - 1);
    const grant = { grantId: "g", clientId: "c", subject: "s", scope: [], resource: [], issuedAt: clock.now(), expiresAt: clock.now() + 600 };
    const token = { tokenHash: "a1", grantId: "g", clientId: "c", subject: "s", scope: [], audience: [], issuedAt: clock.now(), expiresAt: clock.now() + 60 };
    expect(await storage.createGrant(grant, token)).toBe(false);
    clock.advance(1);
    expect(await storage.createGrant(grant, token)).toBe(true);
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
