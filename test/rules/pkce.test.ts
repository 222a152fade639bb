/**
 * Both ends of PKCE in one module (src/rules/pkce.ts): checkCodeChallenge at the authorization
 * request, verifyPkce at the token request — every failure mode, each with its exact error.
 */
import { describe, expect, it } from "vitest";
import { OAuthError, checkCodeChallenge, resolvePolicy, verifyPkce } from "../../src/index.js";
import { RFC7636_CHALLENGE, RFC7636_VERIFIER } from "../support/fixtures.js";

const strict = resolvePolicy({ issuer: "https://as.example.com" });
const lenient = resolvePolicy({ issuer: "https://as.example.com", pkce: { required: "public-clients", methods: ["S256", "plain"] } });

function oauthError(run: () => unknown): OAuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error("expected an OAuthError");
}

describe("checkCodeChallenge (RFC 7636 §4.3, OAuth 2.1 §4.1.1)", () => {
  it("accepts the RFC 7636 Appendix B S256 challenge", () => {
    expect(checkCodeChallenge({ code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" }, { policy: strict, publicClient: true })).toEqual({
      challenge: RFC7636_CHALLENGE,
      method: "S256",
    });
  });

  it("requires a challenge of every client by default, confidential ones included (OAuth 2.1 §4.1.1)", () => {
    for (const publicClient of [true, false]) {
      const error = oauthError(() => checkCodeChallenge({}, { policy: strict, publicClient }));
      expect(error.error).toBe("invalid_request");
      expect(error.status).toBe(400);
      expect(error.description).toBe("A PKCE code_challenge is required (RFC 7636).");
    }
  });

  it("with required: public-clients, lets a confidential client go without, never a public one (RFC 9700 §2.1.1)", () => {
    expect(checkCodeChallenge({}, { policy: lenient, publicClient: false })).toBeUndefined();
    expect(oauthError(() => checkCodeChallenge({}, { policy: lenient, publicClient: true })).error).toBe("invalid_request");
  });

  it("refuses a method without a challenge", () => {
    const error = oauthError(() => checkCodeChallenge({ code_challenge_method: "S256" }, { policy: lenient, publicClient: false }));
    expect(error.error).toBe("invalid_request");
    expect(error.description).toBe("code_challenge_method was sent without code_challenge.");
  });

  it("reads an absent method as plain (RFC 7636 §4.3), refused unless plain is enabled", () => {
    const verifierShaped = "a".repeat(43);
    expect(oauthError(() => checkCodeChallenge({ code_challenge: verifierShaped }, { policy: strict, publicClient: true })).description).toBe(
      "Unsupported code_challenge_method; use S256.",
    );
    expect(checkCodeChallenge({ code_challenge: verifierShaped }, { policy: lenient, publicClient: true })).toEqual({ challenge: verifierShaped, method: "plain" });
  });

  it("refuses an unknown method, naming the supported ones", () => {
    const error = oauthError(() => checkCodeChallenge({ code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S512" }, { policy: lenient, publicClient: true }));
    expect(error.error).toBe("invalid_request");
    expect(error.description).toBe("Unsupported code_challenge_method; use S256 or plain.");
  });

  it("never accepts a method outside RFC 7636 §4.2, even one a hand-built policy lists", () => {
    // PkcePolicy is an interface a host may fill in itself; resolvePolicy refuses such a list at
    // startup, and checkCodeChallenge still never returns a method verifyPkce cannot check.
    const handBuilt = { pkce: { required: "all-clients" as const, methods: ["S256", "S512"] as never } };
    const error = oauthError(() => checkCodeChallenge({ code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S512" }, { policy: handBuilt, publicClient: true }));
    expect(error.error).toBe("invalid_request");
    expect(error.description).toBe("Unsupported code_challenge_method; use S256 or S512.");
    expect(checkCodeChallenge({ code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" }, { policy: handBuilt, publicClient: true })).toEqual({
      challenge: RFC7636_CHALLENGE,
      method: "S256",
    });
  });

  it("refuses a malformed challenge (RFC 7636 §4.2): padded, short, or outside the alphabet", () => {
    for (const challenge of [`${RFC7636_CHALLENGE}=`, RFC7636_CHALLENGE.slice(1), `${RFC7636_CHALLENGE.slice(1)}+`]) {
      const error = oauthError(() => checkCodeChallenge({ code_challenge: challenge, code_challenge_method: "S256" }, { policy: strict, publicClient: true }));
      expect(error.error).toBe("invalid_request");
      expect(error.description).toBe("The code_challenge is malformed (RFC 7636 §4.2).");
    }
    expect(oauthError(() => checkCodeChallenge({ code_challenge: "short", code_challenge_method: "plain" }, { policy: lenient, publicClient: true })).error).toBe("invalid_request");
  });
});

describe("verifyPkce (RFC 7636 §4.6, RFC 9700 §2.1.1)", () => {
  const bound = { codeChallenge: RFC7636_CHALLENGE, codeChallengeMethod: "S256" as const };

  it("accepts the RFC 7636 Appendix B verifier", () => {
    expect(() => verifyPkce(bound, RFC7636_VERIFIER)).not.toThrow();
  });

  it("refuses a missing verifier for a code with a challenge", () => {
    const error = oauthError(() => verifyPkce(bound, undefined));
    expect(error.error).toBe("invalid_grant");
    expect(error.description).toBe("The code_verifier parameter is required (RFC 7636).");
  });

  it("refuses a mismatching verifier, and one outside the §4.1 grammar", () => {
    for (const verifier of ["A".repeat(43), "short", `${RFC7636_VERIFIER}+`]) {
      const error = oauthError(() => verifyPkce(bound, verifier));
      expect(error.error).toBe("invalid_grant");
      expect(error.description).toBe("The code_verifier does not match the code_challenge.");
    }
  });

  it("refuses a verifier for a code issued without a challenge: the downgrade of RFC 9700 §2.1.1", () => {
    const error = oauthError(() => verifyPkce({}, RFC7636_VERIFIER));
    expect(error.error).toBe("invalid_grant");
    expect(error.description).toBe("A code_verifier was sent, but the authorization request had no code_challenge.");
    expect(() => verifyPkce({}, undefined)).not.toThrow();
  });

  it("refuses the S256 challenge itself sent as a plain verifier (no method confusion)", () => {
    expect(oauthError(() => verifyPkce(bound, RFC7636_CHALLENGE)).error).toBe("invalid_grant");
  });

  it("refuses a challenge bound without its method as a programmer error, never skipping the check", () => {
    // The message names the function and the missing field, for the host who wrote the record.
    const message = "verifyPkce: codeChallenge needs its codeChallengeMethod (S256 or plain).";
    expect(() => verifyPkce({ codeChallenge: RFC7636_CHALLENGE }, undefined)).toThrowError(TypeError);
    expect(() => verifyPkce({ codeChallenge: RFC7636_CHALLENGE }, undefined)).toThrowError(new TypeError(message));
    expect(() => verifyPkce({ codeChallenge: RFC7636_CHALLENGE, codeChallengeMethod: "S512" as never }, RFC7636_VERIFIER)).toThrowError(new TypeError(message));
  });

  it("compares plain challenges exactly", () => {
    const verifier = "b".repeat(50);
    expect(() => verifyPkce({ codeChallenge: verifier, codeChallengeMethod: "plain" }, verifier)).not.toThrow();
    expect(oauthError(() => verifyPkce({ codeChallenge: verifier, codeChallengeMethod: "plain" }, "c".repeat(50))).error).toBe("invalid_grant");
  });
});
