/**
 * A subject's grants as a whole: listing them, and revoking all of them (or those of one client)
 * in one atomic step that also reaches codes approved but not yet redeemed.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { generateId } from "../../crypto.js";
import type { GrantRecord } from "../../storage/types.js";
import { accessToken, authorizationCode, credential, grant, refreshState } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeSubjectGrantContract({ storage, now, concurrency }: SuiteContext): void {
  const newSubject = (): string => `user-${generateId()}`;
  /** A grant of `subject` (for `clientId`, default a fresh client) with a refresh token, stored. */
  async function stored(subject: string, t: number, clientId?: string) {
    const refresh = credential();
    const g: GrantRecord = { ...grant(t, { refresh, ...(clientId === undefined ? {} : { clientId }) }), subject };
    const token = accessToken(credential(), g, t);
    expect(await storage().createGrant(g, token)).toBe(true);
    return { g, token, refresh };
  }
  const byId = (list: GrantRecord[]): GrantRecord[] => [...list].sort((a, b) => a.grantId.localeCompare(b.grantId));

  describe("a subject's grants (listSubjectGrants, revokeSubjectGrants)", () => {
    it("listSubjectGrants returns exactly the subject's live grants, refresh state included (round trip)", async () => {
      const t = now();
      const subject = newSubject();
      const a = await stored(subject, t);
      const b = await stored(subject, t, a.g.clientId);
      const c = await stored(subject, t);
      await stored(newSubject(), t, a.g.clientId);
      const revoked = await stored(subject, t);
      await storage().revokeGrant(revoked.g.grantId);
      expect(byId(await storage().listSubjectGrants(subject))).toEqual(byId([a.g, b.g, c.g]));
    });

    it("listSubjectGrants shows the refresh state after a rotation (rotatedAt: last use)", async () => {
      const t = now();
      const subject = newSubject();
      const { g, refresh } = await stored(subject, t);
      const next = credential();
      const state = refreshState(next, t + 1, refresh);
      const rotated = await storage().rotateRefreshToken({
        grantId: g.grantId,
        expectedTokenHash: refresh.hash,
        refresh: state,
        accessToken: accessToken(credential(), g, t),
      });
      expect(rotated).toBe(true);
      expect(await storage().listSubjectGrants(subject)).toEqual([{ ...g, refresh: state }]);
    });

    it("listSubjectGrants of a subject without grants is []", async () => {
      expect(await storage().listSubjectGrants(newSubject())).toEqual([]);
    });

    it("revokeSubjectGrants(subject, { clientId }) revokes that client's grants and their tokens only", async () => {
      const t = now();
      const subject = newSubject();
      const one = await stored(subject, t);
      const two = await stored(subject, t, one.g.clientId);
      const other = await stored(subject, t);
      const elsewhere = await stored(newSubject(), t, one.g.clientId);
      expect(await storage().revokeSubjectGrants(subject, { clientId: one.g.clientId })).toBe(2);
      for (const { token, refresh } of [one, two]) {
        expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
        expect(await storage().getGrantByRefreshFamily(refresh.hash)).toBeNull();
      }
      expect(await storage().getAccessToken(other.token.tokenHash)).toEqual(other.token);
      expect(await storage().getAccessToken(elsewhere.token.tokenHash)).toEqual(elsewhere.token);
      expect(await storage().listSubjectGrants(subject)).toEqual([other.g]);
    });

    it("revokeSubjectGrants(subject) revokes every grant of the subject; their ids stay revoked (tombstones)", async () => {
      const t = now();
      const subject = newSubject();
      const one = await stored(subject, t);
      const two = await stored(subject, t);
      expect(await storage().revokeSubjectGrants(subject)).toBe(2);
      expect(await storage().listSubjectGrants(subject)).toEqual([]);
      expect(await storage().getAccessToken(two.token.tokenHash)).toBeNull();
      // RFC 6749 §4.1.2: a revoked id never becomes live again.
      const again = { ...one.g, refresh: refreshState(credential(), t) } satisfies GrantRecord;
      expect(await storage().createGrant(again, accessToken(credential(), again, t))).toBe(false);
      const late = accessToken(credential(), one.g, t);
      await storage().saveAccessToken(late);
      expect(await storage().getAccessToken(late.tokenHash)).toBeNull();
      // Idempotent: nothing left to revoke.
      expect(await storage().revokeSubjectGrants(subject)).toBe(0);
    });

    it("a grant created for the subject after the revocation (a new approval, new id) is live and listed", async () => {
      const t = now();
      const subject = newSubject();
      const before = await stored(subject, t);
      await storage().revokeSubjectGrants(subject, { clientId: before.g.clientId });
      const after = await stored(subject, t, before.g.clientId);
      expect(await storage().getAccessToken(after.token.tokenHash)).toEqual(after.token);
      expect(await storage().listSubjectGrants(subject)).toEqual([after.g]);
    });

    it("a code approved before the revocation creates nothing when redeemed after it (RFC 6749 §4.1.2)", async () => {
      const t = now();
      const subject = newSubject();
      const code = { ...authorizationCode(credential(), t), subject };
      const otherClient = { ...authorizationCode(credential(), t), subject };
      await storage().saveAuthorizationCode(code);
      await storage().saveAuthorizationCode(otherClient);
      expect(await storage().revokeSubjectGrants(subject, { clientId: code.clientId })).toBe(0);
      // The code itself is still redeemable once (the core then fails on createGrant).
      expect((await storage().redeemAuthorizationCode(code.codeHash))?.firstUse).toBe(true);
      const fromCode: GrantRecord = { ...grant(t, { refresh: credential(), clientId: code.clientId }), grantId: code.grantId, subject };
      expect(await storage().createGrant(fromCode, accessToken(credential(), fromCode, t))).toBe(false);
      // The other client's pending code is untouched.
      const fromOther: GrantRecord = { ...grant(t, { clientId: otherClient.clientId }), grantId: otherClient.grantId, subject };
      const token = accessToken(credential(), fromOther, t);
      expect(await storage().createGrant(fromOther, token)).toBe(true);
      expect(await storage().getAccessToken(token.tokenHash)).toEqual(token);
    });

    it(`${concurrency} redemptions racing revokeSubjectGrants: no grant of the subject survives (atomic)`, async () => {
      const t = now();
      const subject = newSubject();
      const clientId = `client-${generateId()}`;
      const pending = await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const code = { ...authorizationCode(credential(), t), subject, clientId };
          await storage().saveAuthorizationCode(code);
          const g: GrantRecord = { ...grant(t, { refresh: credential(), clientId }), grantId: code.grantId, subject };
          return { g, token: accessToken(credential(), g, t) };
        }),
      );
      // Half the creations start before the revocation, half after, so both orders are exercised.
      const half = Math.floor(pending.length / 2);
      const early = pending.slice(0, half).map(({ g, token }) => storage().createGrant(g, token));
      const revocation = storage().revokeSubjectGrants(subject, { clientId });
      const late = pending.slice(half).map(({ g, token }) => storage().createGrant(g, token));
      await Promise.all([...early, revocation, ...late]);
      expect(await storage().listSubjectGrants(subject)).toEqual([]);
      for (const { g, token } of pending) {
        expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
        expect(await storage().getGrantByRefreshFamily(g.refresh!.tokenHash)).toBeNull();
      }
    });
  });
}
