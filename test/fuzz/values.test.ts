/**
 * The value grammars under generated input: scope strings (RFC 6749 §3.3), resource indicators
 * (RFC 8707 §2), PKCE verifiers and challenges (RFC 7636 §4.1, §4.2), redirect URIs (RFC 6749
 * §3.1.2, RFC 8252 §7).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseResourceIndicators } from "../../src/rules/resource-indicators.js";
import {
  formatScope,
  hashToken,
  isLoopbackRedirectUri,
  isScopeSubset,
  isValidCodeChallenge,
  isValidCodeVerifier,
  parseScope,
  redirectUriMatches,
  redirectUriProblem,
  verifyCodeVerifier,
} from "../../src/index.js";
import { hostileText, returnsOrThrowsOAuthError, syntaxText } from "./support.js";

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const scopeChar = fc.integer({ min: 0x21, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x5c).map((c) => String.fromCharCode(c));
const scopeToken = fc.string({ unit: scopeChar, minLength: 1, maxLength: 12 });
const unreserved = fc.constantFrom(..."ABCXYZabcxyz0189-._~");

describe("fuzz: scope (RFC 6749 §3.3)", () => {
  it("formats and parses to itself", () => {
    fc.assert(
      fc.property(fc.uniqueArray(scopeToken, { maxLength: 8 }), (tokens) => {
        expect(parseScope(formatScope(tokens))).toEqual(tokens);
        expect(isScopeSubset(tokens, parseScope(formatScope(tokens)))).toBe(true);
      }),
    );
  });

  it("parses any string to distinct valid tokens, or throws invalid_scope; parsing is idempotent", () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.array(fc.oneof(scopeToken, fc.constant(""), hostileText), { maxLength: 5 }).map((t) => t.join(" "))), (raw) => {
        const tokens = returnsOrThrowsOAuthError(() => parseScope(raw), ["invalid_scope"]);
        if (tokens instanceof Error) return;
        expect(new Set(tokens).size).toBe(tokens.length);
        for (const token of tokens) expect(token).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/);
        expect(parseScope(formatScope(tokens))).toEqual(tokens);
      }),
    );
  });
});

describe("fuzz: resource indicators (RFC 8707 §2)", () => {
  const allowed = ["https://api.example.com/mcp", "https://other.example.com/api"];
  it("yields only configured, fragment-free absolute URIs, or throws invalid_target", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...allowed, "https://api.example.com/mcp#x", "urn:x"), hostileText), { maxLength: 4 }), fc.boolean(), (requested, restricted) => {
        const result = returnsOrThrowsOAuthError(() => parseResourceIndicators(requested, restricted ? allowed : undefined), ["invalid_target"]);
        if (result instanceof Error) return;
        if (requested.length === 0) expect(result).toEqual(restricted ? [allowed[0]] : []);
        for (const resource of result) {
          expect(resource).not.toContain("#");
          if (restricted) expect(allowed).toContain(resource);
        }
      }),
    );
  });
});

describe("fuzz: PKCE (RFC 7636)", () => {
  const verifier = fc.string({ unit: unreserved, minLength: 43, maxLength: 128 });

  it("a verifier matches its own S256 and plain challenges, and no other verifier's (RFC 7636 §4.6)", () => {
    fc.assert(
      fc.property(verifier, verifier, (v, other) => {
        const challenge = hashToken(v);
        expect(isValidCodeVerifier(v)).toBe(true);
        expect(isValidCodeChallenge(challenge, "S256")).toBe(true);
        expect(verifyCodeVerifier({ verifier: v, challenge, method: "S256" })).toBe(true);
        expect(verifyCodeVerifier({ verifier: v, challenge: v, method: "plain" })).toBe(true);
        // "plain" compares the verifier itself: the S256 challenge is not a plain match.
        expect(verifyCodeVerifier({ verifier: v, challenge, method: "plain" })).toBe(false);
        if (other !== v) {
          expect(verifyCodeVerifier({ verifier: other, challenge, method: "S256" })).toBe(false);
          expect(verifyCodeVerifier({ verifier: other, challenge: v, method: "plain" })).toBe(false);
        }
      }),
    );
  });

  it("never verifies a verifier outside the §4.1 grammar, whatever the challenge", () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.string({ unit: unreserved, maxLength: 42 }), fc.string({ unit: unreserved, minLength: 129, maxLength: 140 })), (v) => {
        fc.pre(!isValidCodeVerifier(v));
        expect(verifyCodeVerifier({ verifier: v, challenge: v, method: "plain" })).toBe(false);
        expect(verifyCodeVerifier({ verifier: v, challenge: hashToken(v), method: "S256" })).toBe(false);
      }),
    );
  });
});

describe("fuzz: redirect URIs (RFC 6749 §3.1.2.3, RFC 8252 §7.3)", () => {
  const host = fc.constantFrom("client.example.com", "127.0.0.1", "[::1]", "localhost", "127.0.0.2", "[::2]", "example.com");
  const scheme = fc.constantFrom("https", "http", "com.example.app", "HTTP");
  const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
  const path = fc.constantFrom("/cb", "/callback", "/", "", "/cb?x=1", "/cb/", "/CB", "/cb#f", "/a/../cb");
  const uri = fc.tuple(scheme, host, port, path).map(([s, h, p, rest]) => `${s}://${h}${p === undefined ? "" : `:${p}`}${rest}`);

  it("judges any string as registrable or not, without throwing", () => {
    fc.assert(
      fc.property(fc.oneof(uri, hostileText, syntaxText.map((t) => `https://${t}`)), (value) => {
        const problem = redirectUriProblem(value);
        if (problem === undefined) {
          expect(value).not.toContain("#");
          expect(value).not.toMatch(/^(javascript|data|vbscript|file|blob|about):/i);
        } else {
          expect(typeof problem).toBe("string");
        }
      }),
    );
  });

  it("matches exactly, except for the port of an http loopback IP literal", () => {
    fc.assert(
      fc.property(fc.oneof(uri, hostileText), fc.oneof(uri, hostileText), (requested, registered) => {
        const matches = redirectUriMatches(requested, registered);
        expect(redirectUriMatches(registered, registered)).toBe(true);
        if (!isLoopbackRedirectUri(registered)) {
          expect(matches).toBe(requested === registered);
          return;
        }
        if (matches) {
          // Only the port may differ: same scheme (http), host, path and query; no fragment or credentials.
          const a = new URL(requested);
          const b = new URL(registered);
          expect(a.protocol).toBe("http:");
          expect([a.hostname, a.pathname, a.search]).toEqual([b.hostname, b.pathname, b.search]);
          expect(a.hash + a.username + a.password).toBe("");
        }
      }),
    );
  });

  it("refuses a registered URI with another scheme or port, unless it is an http loopback host written exactly", () => {
    fc.assert(
      fc.property(fc.tuple(scheme, host, port, path), scheme, port, ([s, h, p, rest], otherScheme, otherPort) => {
        const at = (sc: string, pt: number | undefined) => `${sc}://${h}${pt === undefined ? "" : `:${pt}`}${rest}`;
        const registered = at(s, p);
        const requested = at(otherScheme, otherPort);
        fc.pre(requested !== registered);
        // The scheme is compared as written: only a lower-case http registration on 127.0.0.1, [::1]
        // or localhost lets the port vary (RFC 8252 §7.3), and only for a lower-case http request.
        const loopback = s === "http" && (h === "127.0.0.1" || h === "[::1]" || h === "localhost") && !rest.includes("#");
        const samePlace = otherScheme === "http";
        expect(redirectUriMatches(requested, registered)).toBe(loopback && samePlace);
      }),
    );
  });

  it("accepts any port for a registered http loopback URI (RFC 8252 §7.3)", () => {
    fc.assert(
      fc.property(fc.constantFrom("127.0.0.1", "[::1]"), port, port, path.filter((p) => !p.includes("#")), (h, p1, p2, rest) => {
        const at = (p: number | undefined) => `http://${h}${p === undefined ? "" : `:${p}`}${rest}`;
        expect(redirectUriMatches(at(p1), at(p2))).toBe(true);
      }),
    );
  });
});
