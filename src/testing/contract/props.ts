/**
 * Sealed props: where they live (on the grant, read with every access token) and the
 * compare-and-set of `updateGrantProps` under concurrency.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { GrantRecord } from "../../storage/types.js";
import { accessToken, credential, grant } from "../records.js";
import { type SuiteContext, sleep } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describePropsContract({ storage, store, now, concurrency, options }: SuiteContext): void {
  describe("sealed props and updateGrantProps (compare-and-set)", () => {
    async function sealedGrant(overrides: Partial<GrantRecord> = {}) {
      const t = now();
      const refresh = credential();
      const { props: _clear, ...g } = { ...grant(t, { refresh }), sealedProps: `sealed-${credential().value}`, propsVersion: 0, ...overrides };
      const first = accessToken(credential(), g, t);
      delete first.props;
      expect(await storage().createGrant(g, first)).toBe(true);
      return { t, refresh, g, first };
    }

    it("the grant's sealed props come with every access token of it and with the grant", async () => {
      const { t, refresh, g, first } = await sealedGrant();
      const second = accessToken(credential(), g, t);
      delete second.props;
      await storage().saveAccessToken(second);
      for (const token of [first, second]) {
        expect(await storage().getAccessToken(token.tokenHash)).toEqual({ ...token, sealedProps: g.sealedProps, propsVersion: 0 });
      }
      expect(await storage().getGrantByRefreshFamily(refresh.hash)).toEqual(g);
    });

    it("a grant without sealed props hands out none (the access-token record as saved)", async () => {
      const t = now();
      const g = grant(t);
      const token = accessToken(credential(), g, t);
      await storage().createGrant(g, token);
      expect(await storage().getAccessToken(token.tokenHash)).toEqual(token);
    });

    it("an update expecting the current version replaces the props of every token at once; version + 1", async () => {
      const { t, refresh, g, first } = await sealedGrant();
      const second = accessToken(credential(), g, t);
      delete second.props;
      await storage().saveAccessToken(second);
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 0, sealedProps: "next-1" })).toBe(true);
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 1, sealedProps: "next-2" })).toBe(true);
      for (const token of [first, second]) {
        expect(await storage().getAccessToken(token.tokenHash)).toEqual({ ...token, sealedProps: "next-2", propsVersion: 2 });
      }
      expect(await storage().getGrantByRefreshFamily(refresh.hash)).toEqual({ ...g, sealedProps: "next-2", propsVersion: 2 });
    });

    it("an update of a grant that had no sealed props starts at version 0", async () => {
      const t = now();
      const g = grant(t);
      const token = accessToken(credential(), g, t);
      await storage().createGrant(g, token);
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 1, sealedProps: "wrong" })).toBe(false);
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 0, sealedProps: "first" })).toBe(true);
      expect(await storage().getAccessToken(token.tokenHash)).toEqual({ ...token, sealedProps: "first", propsVersion: 1 });
    });

    it("an update expecting a stale version changes nothing and returns false", async () => {
      const { g, first } = await sealedGrant();
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 0, sealedProps: "winner" })).toBe(true);
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 0, sealedProps: "stale" })).toBe(false);
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 5, sealedProps: "future" })).toBe(false);
      expect((await storage().getAccessToken(first.tokenHash))?.sealedProps).toBe("winner");
    });

    it("an update of an unknown, revoked or expired grant returns false", async () => {
      expect(await storage().updateGrantProps({ grantId: "grant-that-never-existed", expectedVersion: 0, sealedProps: "x" })).toBe(false);
      const { g } = await sealedGrant();
      await storage().revokeGrant(g.grantId);
      expect(await storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 0, sealedProps: "x" })).toBe(false);
      if (options.waitForExpiry === false) return;
      const expired = await sealedGrant({ expiresAt: now() + 1 });
      await sleep(2100);
      expect(await storage().updateGrantProps({ grantId: expired.g.grantId, expectedVersion: 0, sealedProps: "x" })).toBe(false);
    });

    it(`of ${concurrency} concurrent updates expecting the same version exactly one succeeds, and its props are the ones read`, async () => {
      const { g, first } = await sealedGrant();
      const attempts = Array.from({ length: concurrency }, (_, i) => `candidate-${i}`);
      const results = await Promise.all(attempts.map((sealedProps) => storage().updateGrantProps({ grantId: g.grantId, expectedVersion: 0, sealedProps })));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = attempts[results.indexOf(true)];
      expect(await storage().getAccessToken(first.tokenHash)).toEqual({ ...first, sealedProps: winner, propsVersion: 1 });
    });

    it("a revoked grant leaves no sealed props behind in its tombstone (checked in the store's dump)", async () => {
      const { g, first } = await sealedGrant();
      const dump = store()?.dump;
      if (dump !== undefined) expect(await dump()).toContain(g.sealedProps);
      await storage().revokeGrant(g.grantId);
      expect(await storage().getAccessToken(first.tokenHash)).toBeNull();
      if (dump !== undefined) expect(await dump()).not.toContain(g.sealedProps);
    });
  });
}
