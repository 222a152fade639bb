/**
 * Refresh rotation: compare-and-rotate under concurrency (RFC 9700 §4.14.2).
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { AccessTokenRecord } from "../../storage/types.js";
import { accessToken, credential, grant, refreshState } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeRotationContract({ storage, now, concurrency }: SuiteContext): void {
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
      expect(await storage().getGrantByRefreshToken(next.hash)).toEqual({ ...g, refresh: state });
      expect(await storage().getAccessToken(token.tokenHash)).toEqual(token);
    });

    it("old refresh hashes still find the grant after rotations, for reuse detection (RFC 9700 §4.14.2)", async () => {
      const { t, refresh, g } = await liveGrant();
      const hashes = [refresh];
      for (let i = 0; i < 3; i++) {
        const next = credential();
        const ok = await storage().rotateRefreshToken({
          grantId: g.grantId,
          expectedTokenHash: hashes.at(-1)!.hash,
          refresh: refreshState(next, t, hashes.at(-1)),
          accessToken: accessToken(credential(), g, t),
        });
        expect(ok).toBe(true);
        hashes.push(next);
      }
      for (const old of hashes) {
        const found = await storage().getGrantByRefreshToken(old.hash);
        expect(found?.grantId).toBe(g.grantId);
        expect(found?.refresh?.tokenHash).toBe(hashes.at(-1)!.hash);
      }
    });

    it("a rotation expecting a stale hash changes nothing and returns false", async () => {
      const { t, refresh, g } = await liveGrant();
      const next = credential();
      await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: accessToken(credential(), g, t) });
      const stale = credential();
      const staleToken = accessToken(credential(), g, t);
      expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(stale, t, refresh), accessToken: staleToken })).toBe(false);
      expect(await storage().getGrantByRefreshToken(stale.hash)).toBeNull();
      expect(await storage().getAccessToken(staleToken.tokenHash)).toBeNull();
      expect((await storage().getGrantByRefreshToken(refresh.hash))?.refresh?.tokenHash).toBe(next.hash);
    });

    it("a rotation of an unknown or revoked grant returns false", async () => {
      const { t, refresh, g } = await liveGrant();
      const unknown = grant(t);
      expect(await storage().rotateRefreshToken({ grantId: unknown.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(credential(), t), accessToken: accessToken(credential(), unknown, t) })).toBe(false);
      await storage().revokeGrant(g.grantId);
      const next = credential();
      const token = accessToken(credential(), g, t);
      expect(await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: token })).toBe(false);
      expect(await storage().getGrantByRefreshToken(next.hash)).toBeNull();
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
      expect((await storage().getGrantByRefreshToken(refresh.hash))?.refresh).toEqual(winner.state);
      for (const attempt of attempts) {
        const won = attempt === winner;
        expect((await storage().getAccessToken(attempt.token.tokenHash)) !== null).toBe(won);
        expect((await storage().getGrantByRefreshToken(attempt.next.hash)) !== null).toBe(won);
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
      for (const hash of [refresh.hash, next.hash]) expect(await storage().getGrantByRefreshToken(hash)).toBeNull();
      await storage().revokeGrant(g.grantId);
      await storage().revokeGrant("grant-that-never-existed");
      expect(await storage().getAccessToken(bystander.first.tokenHash)).toEqual(bystander.first);
      expect((await storage().getGrantByRefreshToken(bystander.refresh.hash))?.grantId).toBe(bystander.g.grantId);
    });
  });
}
