/**
 * Grants and access tokens: round trips, expiry, revocation reaching every token.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { accessToken, credential, grant } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeGrantContract({ storage, now }: SuiteContext): void {
  describe("grants and access tokens", () => {
    it("createGrant stores the grant and its first access token (round trip)", async () => {
      const t = now();
      const refresh = credential();
      const at = credential();
      const g = grant(t, { refresh });
      const token = accessToken(at, g, t);
      await storage().createGrant(g, token);
      expect(await storage().getAccessToken(at.hash)).toEqual(token);
      expect(await storage().getGrantByRefreshFamily(refresh.hash)).toEqual(g);
    });

    it("a grant without refresh token (client_credentials) still serves its access token", async () => {
      const t = now();
      const at = credential();
      const g = grant(t);
      await storage().createGrant(g, accessToken(at, g, t));
      expect((await storage().getAccessToken(at.hash))?.grantId).toBe(g.grantId);
    });

    it("returns null for unknown access and refresh token hashes", async () => {
      expect(await storage().getAccessToken(credential().hash)).toBeNull();
      expect(await storage().getGrantByRefreshFamily(credential().hash)).toBeNull();
    });

    it("saveAccessToken adds a token to a live grant (round trip)", async () => {
      const t = now();
      const g = grant(t, { refresh: credential() });
      await storage().createGrant(g, accessToken(credential(), g, t));
      const second = accessToken(credential(), g, t);
      await storage().saveAccessToken(second);
      expect(await storage().getAccessToken(second.tokenHash)).toEqual(second);
    });

    it("never returns an access token whose expiresAt has passed", async () => {
      const t = now();
      const g = grant(t);
      await storage().createGrant(g, accessToken(credential(), g, t));
      const expired = accessToken(credential(), g, t - 7200, t - 3600);
      await storage().saveAccessToken(expired);
      expect(await storage().getAccessToken(expired.tokenHash)).toBeNull();
      const expiredFirst = grant(t);
      const first = accessToken(credential(), expiredFirst, t - 60, t);
      await storage().createGrant(expiredFirst, first);
      expect(await storage().getAccessToken(first.tokenHash)).toBeNull();
    });

    it("never returns the tokens of a grant whose expiresAt has passed", async () => {
      const t = now();
      const refresh = credential();
      const g = grant(t - 100, { refresh, expiresAt: t - 10 });
      const token = accessToken(credential(), g, t - 100, t + 3600);
      await storage().createGrant(g, token);
      expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
      expect(await storage().getGrantByRefreshFamily(refresh.hash)).toBeNull();
    });

    it("saveAccessToken for an unknown grant: the token is never returned", async () => {
      const t = now();
      const token = accessToken(credential(), grant(t), t);
      await storage().saveAccessToken(token);
      expect(await storage().getAccessToken(token.tokenHash)).toBeNull();
    });

    it("saveAccessToken for a revoked grant: the token is never returned", async () => {
      const t = now();
      const g = grant(t);
      await storage().createGrant(g, accessToken(credential(), g, t));
      await storage().revokeGrant(g.grantId);
      const late = accessToken(credential(), g, t);
      await storage().saveAccessToken(late);
      expect(await storage().getAccessToken(late.tokenHash)).toBeNull();
    });

    it("revokeAccessToken revokes that token only, idempotently (RFC 7009 §2.1)", async () => {
      const t = now();
      const refresh = credential();
      const g = grant(t, { refresh });
      const first = accessToken(credential(), g, t);
      await storage().createGrant(g, first);
      const second = accessToken(credential(), g, t);
      await storage().saveAccessToken(second);
      await storage().revokeAccessToken(first.tokenHash);
      await storage().revokeAccessToken(first.tokenHash);
      await storage().revokeAccessToken(credential().hash);
      expect(await storage().getAccessToken(first.tokenHash)).toBeNull();
      expect(await storage().getAccessToken(second.tokenHash)).toEqual(second);
      expect((await storage().getGrantByRefreshFamily(refresh.hash))?.grantId).toBe(g.grantId);
    });
  });
}
