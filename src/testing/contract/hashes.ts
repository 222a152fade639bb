/**
 * Hash-only persistence: the store finds everything by hashes and holds no plaintext.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { accessToken, authorizationCode, credential, fullClient, grant, refreshState } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeHashContract({ storage, store, now }: SuiteContext): void {
  describe("hashes only", () => {
    it("finds every record by its hash alone; a dump of the store holds no plaintext credential", async () => {
      const t = now();
      const secret = credential();
      const registration = credential();
      const client = fullClient(secret, registration, t);
      await storage().createClient(client);
      const code = credential();
      await storage().saveAuthorizationCode(authorizationCode(code, t));
      const refresh = credential();
      const next = credential();
      const at = credential();
      const rotatedAt = credential();
      const g = grant(t, { clientId: client.client_id, refresh });
      await storage().createGrant(g, accessToken(at, g, t));
      await storage().rotateRefreshToken({ grantId: g.grantId, expectedTokenHash: refresh.hash, refresh: refreshState(next, t, refresh), accessToken: accessToken(rotatedAt, g, t) });

      // The store was only ever given hashes; it must find everything by them.
      expect((await storage().redeemAuthorizationCode(code.hash))?.firstUse).toBe(true);
      expect(await storage().getAccessToken(at.hash)).not.toBeNull();
      expect(await storage().getAccessToken(rotatedAt.hash)).not.toBeNull();
      expect((await storage().getGrantByRefreshFamily(refresh.hash))?.refresh?.tokenHash).toBe(next.hash);
      // Looking up by plaintext finds nothing: the store does no hashing of its own.
      expect(await storage().getAccessToken(at.value)).toBeNull();
      expect(await storage().getGrantByRefreshFamily(next.value)).toBeNull();

      const current = store();
      if (current?.dump === undefined) return;
      const dump = await current.dump();
      for (const c of [secret, registration, code, refresh, next, at, rotatedAt]) {
        expect(dump.includes(c.value), "a plaintext credential is in the store").toBe(false);
        expect(dump.includes(c.hash), "the dump is missing a hash: is it complete?").toBe(true);
      }
    });
  });
}
