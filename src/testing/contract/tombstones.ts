/**
 * Revocation sticks: a revoked grant id never becomes live afterwards, even when its
 * `createGrant` lands after the `revokeGrant` (a replayed code racing its first use, RFC 6749
 * §4.1.2).
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { GrantRecord } from "../../storage/types.js";
import { accessToken, credential, grant, refreshState } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeTombstoneContract({ storage, now, concurrency }: SuiteContext): void {
  describe("revoked grant ids stay revoked (tombstones, RFC 6749 §4.1.2)", () => {
    /** Asserts that nothing of `g` works: its tokens, its refresh token, adding or rotating tokens. */
    async function expectDead(g: GrantRecord, accessHash: string, refreshHash: string, t: number): Promise<void> {
      expect(await storage().getAccessToken(accessHash)).toBeNull();
      expect(await storage().getGrantByRefreshFamily(refreshHash)).toBeNull();
      const late = accessToken(credential(), g, t);
      await storage().saveAccessToken(late);
      expect(await storage().getAccessToken(late.tokenHash)).toBeNull();
      const next = credential();
      const rotated = accessToken(credential(), g, t);
      expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refreshHash, refresh: refreshState(next, t), accessToken: rotated })).toBe(false);
      expect(await storage().getAccessToken(rotated.tokenHash)).toBeNull();
      expect(await storage().getGrantByRefreshFamily(next.hash)).toBeNull();
    }

    it("revokeGrant(g) of an id not created yet, then createGrant(g, token): returns false, nothing works", async () => {
      const t = now();
      const refresh = credential();
      const g = grant(t, { refresh });
      const token = accessToken(credential(), g, t);
      await storage().revokeGrant(g.grantId);
      expect(await storage().createGrant(g, token)).toBe(false);
      await expectDead(g, token.tokenHash, refresh.hash, t);
    });

    it("revokeGrant(g, { until }) keeps an id not created yet revoked", async () => {
      const t = now();
      const refresh = credential();
      const g = grant(t, { refresh });
      const token = accessToken(credential(), g, t);
      await storage().revokeGrant(g.grantId, { until: t + 3600 });
      expect(await storage().createGrant(g, token)).toBe(false);
      await expectDead(g, token.tokenHash, refresh.hash, t);
    });

    it("a revoked existing grant cannot be created again under its id", async () => {
      const t = now();
      const g = grant(t, { refresh: credential() });
      expect(await storage().createGrant(g, accessToken(credential(), g, t))).toBe(true);
      await storage().revokeGrant(g.grantId);
      const again = { ...g, refresh: refreshState(credential(), t) } satisfies GrantRecord;
      const token = accessToken(credential(), again, t);
      expect(await storage().createGrant(again, token)).toBe(false);
      await expectDead(again, token.tokenHash, again.refresh.tokenHash, t);
    });

    it("createGrant of an id never revoked returns true; revoking another id does not touch it", async () => {
      const t = now();
      const g = grant(t, { refresh: credential() });
      const token = accessToken(credential(), g, t);
      await storage().revokeGrant(grant(t).grantId);
      expect(await storage().createGrant(g, token)).toBe(true);
      expect(await storage().getAccessToken(token.tokenHash)).toEqual(token);
    });

    it(`${concurrency} createGrant/revokeGrant pairs fired at once: every grant ends revoked (atomic check, RFC 6749 §4.1.2)`, async () => {
      const t = now();
      const pairs = Array.from({ length: concurrency }, () => {
        const refresh = credential();
        const g = grant(t, { refresh });
        return { g, refresh, token: accessToken(credential(), g, t) };
      });
      // Half start with the revocation, half with the creation, so both orders are exercised.
      const created = await Promise.all(
        pairs.map(async ({ g, token }, i) => {
          const create = () => storage().createGrant(g, token);
          const revoke = () => storage().revokeGrant(g.grantId);
          if (i % 2 === 0) return (await Promise.all([create(), revoke()]))[0];
          return (await Promise.all([revoke(), create()]))[1];
        }),
      );
      expect(created.every((result) => typeof result === "boolean")).toBe(true);
      for (const { g, refresh, token } of pairs) {
        expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
        expect(await storage().getGrantByRefreshFamily(refresh.hash)).toBeNull();
        expect(await storage().createGrant(g, accessToken(credential(), g, t))).toBe(false);
      }
    });
  });
}
