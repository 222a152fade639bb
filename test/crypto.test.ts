/**
 * Credentials and their hashes: the base64url encoding (RFC 4648 §5, no padding) checked against
 * Node's own encoder, the S256 vector of RFC 7636 Appendix B, and the sizes the house rules ask for.
 */
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveToken } from "../src/crypto.js";
import { generateId, generateToken, hashToken, timingSafeEqualString, verifyTokenHash } from "../src/index.js";

const BASE64URL = /^[A-Za-z0-9_-]+$/;

describe("hashToken", () => {
  it("is the S256 transform of RFC 7636 Appendix B", () => {
    expect(hashToken("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("is base64url(SHA-256(UTF-8)) without padding, as Node computes it (RFC 4648 §5)", () => {
    const inputs = ["", "a", "ü€😀", "with space+plus/slash", ...Array.from({ length: 500 }, () => generateToken())];
    for (const input of inputs) {
      expect(hashToken(input)).toBe(createHash("sha256").update(input, "utf8").digest("base64url"));
    }
  });
});

describe("generateToken and generateId", () => {
  it("generateToken: 256 random bits as 43 base64url characters (RFC 6749 §10.10)", () => {
    const tokens = new Set(Array.from({ length: 200 }, () => generateToken()));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(BASE64URL);
      expect(token).toHaveLength(43);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
      expect(Buffer.from(token, "base64url").toString("base64url")).toBe(token);
    }
  });

  it("generateId: 128 random bits as 22 base64url characters", () => {
    for (let i = 0; i < 200; i++) {
      const id = generateId();
      expect(id).toMatch(BASE64URL);
      expect(Buffer.from(id, "base64url")).toHaveLength(16);
      expect(Buffer.from(id, "base64url").toString("base64url")).toBe(id);
    }
  });
});

describe("deriveToken", () => {
  it("is base64url(HMAC-SHA256(key, value)) (RFC 9700 §4.14.2 successor derivation)", () => {
    const key = generateToken();
    const value = generateToken();
    expect(deriveToken(key, value)).toBe(createHmac("sha256", key).update(value).digest("base64url"));
  });
});

describe("comparisons", () => {
  it("verifyTokenHash accepts the credential and refuses any other (RFC 6749 §10.10)", () => {
    const token = generateToken();
    expect(verifyTokenHash(token, hashToken(token))).toBe(true);
    expect(verifyTokenHash(`${token}x`, hashToken(token))).toBe(false);
    expect(verifyTokenHash(token, "")).toBe(false);
  });

  it("timingSafeEqualString compares content, not identity", () => {
    expect(timingSafeEqualString("abc", ["a", "b", "c"].join(""))).toBe(true);
    expect(timingSafeEqualString("abc", "abd")).toBe(false);
    expect(timingSafeEqualString("abc", "abcd")).toBe(false);
  });
});
