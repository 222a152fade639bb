/**
 * Expiry waited out in real time.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { accessToken, authorizationCode, credential, grant } from "../records.js";
import type { SuiteContext } from "./context.js";
import { sleep } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeExpiryContract({ storage, now, options }: SuiteContext): void {
  describe.skipIf(options.waitForExpiry === false)("expiry, waited out", () => {
    it("records that expire 1–2 s later are gone once that time has passed", async () => {
      const t = now();
      const soon = t + 2;
      const code = authorizationCode(credential(), t, soon);
      await storage().saveAuthorizationCode(code);
      const refresh = credential();
      const shortGrant = grant(t, { refresh, expiresAt: soon });
      const shortGrantToken = accessToken(credential(), shortGrant, t, t + 3600);
      await storage().createGrant(shortGrant, shortGrantToken);
      const longGrant = grant(t);
      const longToken = accessToken(credential(), longGrant, t);
      await storage().createGrant(longGrant, longToken);
      const shortToken = accessToken(credential(), longGrant, t, soon);
      await storage().saveAccessToken(shortToken);

      expect(await storage().getAccessToken(shortGrantToken.tokenHash)).not.toBeNull();
      expect(await storage().getAccessToken(shortToken.tokenHash)).not.toBeNull();
      expect(await storage().getGrantByRefreshFamily(refresh.hash)).not.toBeNull();

      const wait = soon * 1000 - Date.now() + 50;
      await sleep(Math.max(0, wait));
      expect(now()).toBeGreaterThanOrEqual(soon);

      expect(await storage().redeemAuthorizationCode(code.codeHash)).toBeNull();
      expect(await storage().getAccessToken(shortGrantToken.tokenHash)).toBeNull();
      expect(await storage().getGrantByRefreshFamily(refresh.hash)).toBeNull();
      expect(await storage().getAccessToken(shortToken.tokenHash)).toBeNull();
      expect(await storage().getAccessToken(longToken.tokenHash)).toEqual(longToken);
    }, 10_000);
  });
}
