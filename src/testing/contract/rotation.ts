/**
 * Refresh rotation: compare-and-rotate under concurrency (RFC 9700 §4.14.2).
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { AccessTokenRecord } from "../../storage/types.js";
import { accessToken, credential, grant, grantId, refreshState } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeRotationContract({ storage, store, now, concurrency }: SuiteContext): void {
  describe("refresh rotation (RFC 9700 §4.14.2)", () => {
    async function liveGrant() {
      const t = now();
      const refresh = credential();
      const g = grant(t, { refresh });
      const first = accessToken(credential(), g, t);
      await storage().createGrant(g, first);
      return { t, refresh, g, first };
    }

    it("compare-and-rotate: the new hash finds the grant, with the new refresh state and access token", async () => {
      const { t, refresh, g } = await liveGrant();
      const next = credential();
      const state = refreshState(next, t, refresh);
      const token = accessToken(credential(), g, t);
      expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: state, accessToken: token })).toBe(true);
      // Found by its family as before (RFC 9700 §4.14.2), with the new state.
      expect(await storage().getGrantByRefreshFamily(refresh.hash)).toEqual({ ...g, refresh: state });
      expect(await storage().getAccessToken(token.tokenHash)).toEqual(token);
    });

    it("rotations keep the grant findable by its family, and index no rotated hash (RFC 9700 §4.14.2)", async () => {
      const { t, refresh, g } = await liveGrant();
      const hashes = [refresh];
      for (let i = 0; i < 3; i++) {
        const next = credential();
        const ok = await storage().rotateRefreshToken({
          grantId: g.grantId,
          expectedTokenHash: hashes.at(-1)!.hash,
          refresh: { ...refreshState(next, t, hashes.at(-1)), familyHash: refresh.hash },
          accessToken: accessToken(credential(), g, t),
        });
        expect(ok).toBe(true);
        hashes.push(next);
      }
      const found = await storage().getGrantByRefreshFamily(refresh.hash);
      expect(found?.grantId).toBe(g.grantId);
      expect(found?.refresh?.tokenHash).toBe(hashes.at(-1)!.hash);
      expect(found?.refresh?.previousTokenHash).toBe(hashes.at(-2)!.hash);
      for (const rotated of hashes.slice(1)) expect(await storage().getGrantByRefreshFamily(rotated.hash)).toBeNull();
    });

    it("a grant created without familyHash is found by the refresh hash it was created with", async () => {
      const t = now();
      const refresh = credential();
      const g = grant(t, { refresh });
      delete g.refresh!.familyHash;
      await storage().createGrant(g, accessToken(credential(), g, t));
      const next = credential();
      await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: accessToken(credential(), g, t) });
      expect((await storage().getGrantByRefreshFamily(refresh.hash))?.refresh?.tokenHash).toBe(next.hash);
    });

    // No test-context parameter: under Bun (test/runtimes) a callback with one is a done-callback test.
    it("records per grant stay constant: 1,000 rotations hold what 1 rotation holds (RFC 9700 §4.14.2)", async () => {
      const count = store()?.countGrantRecords;
      // Without the inspection hook there is nothing to count: see ConformanceStore.countGrantRecords.
      if (count === undefined) return;
      const { t, refresh, g } = await liveGrant();
      let current = refresh;
      const rotateOnce = async (): Promise<void> => {
        const next = credential();
        const token = accessToken(credential(), g, t);
        const ok = await storage().rotateRefreshToken({
          grantId: g.grantId,
          expectedTokenHash: current.hash,
          refresh: { ...refreshState(next, t, current), familyHash: refresh.hash },
          accessToken: token,
        });
        expect(ok).toBe(true);
        // Access tokens are bounded by their lifetime, not by a count: retire each one, so that
        // what remains is what a rotation itself leaves behind.
        await storage().revokeAccessToken(token.tokenHash);
        current = next;
      };
      await rotateOnce();
      const afterOne = await count(g.grantId);
      expect(afterOne).toBeGreaterThan(0);
      for (let i = 1; i < 1000; i++) await rotateOnce();
      expect(await count(g.grantId)).toBe(afterOne);
      // Still one grant, found by its family, with the last two hashes for reuse detection.
      const found = await storage().getGrantByRefreshFamily(refresh.hash);
      expect(found?.refresh?.tokenHash).toBe(current.hash);
    }, 120_000);

    it("a rotation expecting a stale hash changes nothing and returns false", async () => {
      const { t, refresh, g } = await liveGrant();
      const next = credential();
      await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: accessToken(credential(), g, t) });
      const stale = credential();
      const staleToken = accessToken(credential(), g, t);
      expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(stale, t, refresh), accessToken: staleToken })).toBe(false);
      expect(await storage().getGrantByRefreshFamily(stale.hash)).toBeNull();
      expect(await storage().getAccessToken(staleToken.tokenHash)).toBeNull();
      expect((await storage().getGrantByRefreshFamily(refresh.hash))?.refresh?.tokenHash).toBe(next.hash);
    });

    it("a rotation of an unknown or revoked grant returns false", async () => {
      const { t, refresh, g } = await liveGrant();
      const unknown = grant(t);
      expect(await storage().rotateRefreshToken({ grantId: unknown.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(credential(), t), accessToken: accessToken(credential(), unknown, t) })).toBe(false);
      await storage().revokeGrant(g.grantId);
      const next = credential();
      const token = accessToken(credential(), g, t);
      expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: token })).toBe(false);
      expect(await storage().getGrantByRefreshFamily(next.hash)).toBeNull();
      expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
    });

    it(`of ${concurrency} concurrent rotations expecting the same hash exactly one succeeds (RFC 9700 §4.14.2)`, async () => {
      const { t, refresh, g } = await liveGrant();
      const attempts = Array.from({ length: concurrency }, () => {
        const next = credential();
        return { next, state: refreshState(next, t, refresh), token: accessToken(credential(), g, t) };
      });
      const results = await Promise.all(
        attempts.map((a) => storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: a.state, accessToken: a.token })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = attempts[results.indexOf(true)]!;
      expect((await storage().getGrantByRefreshFamily(refresh.hash))?.refresh).toEqual(winner.state);
      for (const attempt of attempts) {
        const won = attempt === winner;
        expect((await storage().getAccessToken(attempt.token.tokenHash)) !== null).toBe(won);
      }
    });

    it("revokeGrant reaches every access and refresh token of the grant, idempotently (RFC 9700 §4.14.2)", async () => {
      const { t, refresh, g, first } = await liveGrant();
      const saved = accessToken(credential(), g, t);
      await storage().saveAccessToken(saved);
      const next = credential();
      const rotated = accessToken(credential(), g, t);
      await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: rotated });
      const bystander = await liveGrant();

      await storage().revokeGrant(g.grantId);
      for (const token of [first, saved, rotated] satisfies AccessTokenRecord[]) expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
      for (const hash of [refresh.hash, next.hash]) expect(await storage().getGrantByRefreshFamily(hash)).toBeNull();
      await storage().revokeGrant(g.grantId);
      await storage().revokeGrant(grantId()); // one that never existed
      expect(await storage().getAccessToken(bystander.first.tokenHash)).toEqual(bystander.first);
      expect((await storage().getGrantByRefreshFamily(bystander.refresh.hash))?.grantId).toBe(bystander.g.grantId);
    });
  });
}
