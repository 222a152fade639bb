/**
 * Authorization codes: round trips and atomic single use (RFC 6749 §4.1.2).
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { authorizationCode, credential } from "../records.js";
import type { SuiteContext } from "./context.js";

/** Part of the storage conformance suite; see `describeStorageConformance`. */
export function describeCodeContract({ storage, now, concurrency }: SuiteContext): void {
  describe("authorization codes (RFC 6749 §4.1.2)", () => {
    it("round-trips a code: the first redemption gets it with firstUse true", async () => {
      const code = authorizationCode(credential(), now());
      await storage().saveAuthorizationCode(code);
      expect(await storage().redeemAuthorizationCode(code.codeHash)).toEqual({ code, firstUse: true });
    });

    it("a second redemption gets the record with firstUse false, so the core can revoke (RFC 6749 §4.1.2)", async () => {
      const code = authorizationCode(credential(), now());
      await storage().saveAuthorizationCode(code);
      await storage().redeemAuthorizationCode(code.codeHash);
      expect(await storage().redeemAuthorizationCode(code.codeHash)).toEqual({ code, firstUse: false });
      expect(await storage().redeemAuthorizationCode(code.codeHash)).toEqual({ code, firstUse: false });
    });

    it("returns null for an unknown code", async () => {
      expect(await storage().redeemAuthorizationCode(credential().hash)).toBeNull();
    });

    it("never returns a code whose expiresAt has passed", async () => {
      const t = now();
      const code = authorizationCode(credential(), t - 120, t - 60);
      await storage().saveAuthorizationCode(code);
      expect(await storage().redeemAuthorizationCode(code.codeHash)).toBeNull();
      const atNow = authorizationCode(credential(), t - 60, t);
      await storage().saveAuthorizationCode(atNow);
      expect(await storage().redeemAuthorizationCode(atNow.codeHash)).toBeNull();
    });

    it(`single use: of ${concurrency} concurrent redemptions exactly one gets firstUse true (RFC 6749 §4.1.2)`, async () => {
      const code = authorizationCode(credential(), now());
      await storage().saveAuthorizationCode(code);
      const results = await Promise.all(Array.from({ length: concurrency }, () => storage().redeemAuthorizationCode(code.codeHash)));
      expect(results.every((result) => result !== null && result.code.grantId === code.grantId)).toBe(true);
      expect(results.filter((result) => result?.firstUse === true)).toHaveLength(1);
      expect(results.filter((result) => result?.firstUse === false)).toHaveLength(concurrency - 1);
    });
  });
}
