/**
 * Proof Key for Code Exchange (RFC 7636).
 *
 * @module
 */
import { hashToken, timingSafeEqualString } from "./crypto.js";

/** A PKCE transformation (RFC 7636 §4.2). `plain` is accepted only where explicitly enabled. */
export type CodeChallengeMethod = "S256" | "plain";

// RFC 7636 §4.1: code-verifier = 43*128unreserved; unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// RFC 7636 §4.2: S256 challenge = BASE64URL(SHA256(verifier)): always 43 characters, no padding.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether `verifier` follows the `code_verifier` grammar: 43 to 128 unreserved characters.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function isValidCodeVerifier(verifier: string): boolean {
  return CODE_VERIFIER.test(verifier);
}

/**
 * Whether `challenge` is a well-formed `code_challenge` for `method`: for `S256` the 43-character
 * base64url of a SHA-256 digest; for `plain` a valid verifier.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function isValidCodeChallenge(challenge: string, method: CodeChallengeMethod): boolean {
  return method === "S256" ? S256_CHALLENGE.test(challenge) : CODE_VERIFIER.test(challenge);
}

/** The input of {@link verifyCodeVerifier}. */
export interface CodeVerification {
  /** The `code_verifier` sent to the token endpoint. */
  verifier: string;
  /** The `code_challenge` stored with the code. */
  challenge: string;
  /** The method the verifier was checked with. */
  method: CodeChallengeMethod;
}

/**
 * Verifies a `code_verifier` against the stored `code_challenge` (RFC 7636 §4.6), in constant
 * time. A verifier outside the §4.1 grammar never verifies.
 *
 * @example
 * ```ts
 * verifyCodeVerifier({ verifier, challenge: code.codeChallenge, method: "S256" }); // true or false
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export function verifyCodeVerifier({ verifier, challenge, method }: CodeVerification): boolean {
  if (!isValidCodeVerifier(verifier)) return false;
  // The S256 transform, BASE64URL(SHA256(ASCII(verifier))), is exactly hashToken on this alphabet.
  const derived = method === "S256" ? hashToken(verifier) : verifier;
  return timingSafeEqualString(derived, challenge);
}
