/**
 * Random credentials, their hashes and constant-time comparison.
 *
 * Hashing is a capability: {@link TokenHasher}. The portable default, {@link hashToken}, uses
 * `@oslojs/crypto`'s synchronous SHA-256: on the short inputs we hash (tokens, secrets) it costs a
 * few microseconds, where an awaited `crypto.subtle.digest` costs tens. A runtime with a native
 * synchronous SHA-256 hands the server its own (`oauthkit/node` gives `node:crypto`'s); every
 * hasher yields the same string, so stored hashes stay valid whichever one wrote them.
 *
 * @module
 */
import { hmac } from "@oslojs/crypto/hmac";
import { SHA256, sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";

const encoder = new TextEncoder();

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64URL_CODES = Uint8Array.from(BASE64URL_ALPHABET, (character) => character.charCodeAt(0));
const asciiDecoder = new TextDecoder();

/**
 * base64url without padding (RFC 4648 §5): the characters' ASCII codes written into a byte array
 * and decoded once. Not `@oslojs/encoding` here: it builds the string a character at a time, which
 * V8 keeps as a rope of one node per character — stored as a key or record field, each 43-character
 * hash then costs about 1.5 KB and slows lookups. The decoder returns a flat string, in one pass
 * (about 2.5× faster than `btoa` followed by the three replacements base64url needs).
 */
function encodeBase64url(bytes: Uint8Array): string {
  const length = bytes.length;
  const out = new Uint8Array(Math.ceil((length * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const group = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = BASE64URL_CODES[group >> 18]!;
    out[o++] = BASE64URL_CODES[(group >> 12) & 63]!;
    out[o++] = BASE64URL_CODES[(group >> 6) & 63]!;
    out[o++] = BASE64URL_CODES[group & 63]!;
  }
  if (i < length) {
    // One or two bytes left: two or three characters, no padding.
    const group = (bytes[i]! << 16) | (i + 1 < length ? bytes[i + 1]! << 8 : 0);
    out[o++] = BASE64URL_CODES[group >> 18]!;
    out[o++] = BASE64URL_CODES[(group >> 12) & 63]!;
    if (i + 1 < length) out[o++] = BASE64URL_CODES[(group >> 6) & 63]!;
  }
  return asciiDecoder.decode(out);
}

/**
 * Returns a new random credential: 32 random bytes (256 bits) in base64url without padding, so
 * that it contains only URL-safe characters and survives clients that put it into Basic
 * credentials without the RFC 6749 §2.3.1 form-encoding.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.10
 */
export function generateToken(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return encodeBase64url(bytes);
}

/**
 * Returns a new random identifier (128 bits, base64url). For ids that are not credentials:
 * grant ids and client ids.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.2
 */
export function generateId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return encodeBase64url(bytes);
}

/**
 * A synchronous credential hash: base64url without padding of SHA-256 over the UTF-8 bytes of the
 * value (lone surrogates encoded as U+FFFD, as `TextEncoder` does). Every implementation must give
 * exactly {@link hashToken}'s output — stores key records by it — so only the speed differs.
 * Synchronous on purpose: an awaited digest costs more than the hash on these short inputs.
 *
 * @param value - The credential (token, code, secret, PKCE verifier).
 * @returns Its hash, 43 base64url characters.
 * @see https://www.rfc-editor.org/rfc/rfc6234
 */
export type TokenHasher = (value: string) => string;

/**
 * Hashes a credential for storage: base64url(SHA-256(UTF-8(value))). Stores keep only this, so a
 * storage dump yields no usable token, code or secret. On an ASCII input this is also the S256
 * transform of RFC 7636 §4.2. The portable {@link TokenHasher} (pure JavaScript, every runtime).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14
 */
export function hashToken(value: string): string {
  return encodeBase64url(sha256(encoder.encode(value)));
}

/** Options of {@link verifyTokenHash}. */
export interface VerifyTokenHashOptions {
  /** The hasher (default {@link hashToken}). */
  hash?: TokenHasher;
}

/**
 * Compares a presented credential with a stored hash in constant time (the comparison of the two
 * digests does not depend on where they first differ).
 *
 * @param value - The presented credential.
 * @param expectedHash - The stored hash.
 * @param options - The hasher to use (default {@link hashToken}).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.10
 */
export function verifyTokenHash(value: string, expectedHash: string, options?: VerifyTokenHashOptions): boolean {
  const actual = encoder.encode((options?.hash ?? hashToken)(value));
  const expected = encoder.encode(expectedHash);
  return actual.length === expected.length && constantTimeEqual(actual, expected);
}

/**
 * Derives a credential from another with a key: base64url(HMAC-SHA256(key, value)), the key as
 * bytes or as a UTF-8 string. Used to make the successor of a rotated refresh token reproducible
 * by the server alone (grace window), with a key the store never holds.
 *
 * @param key - The secret key (raw bytes, or a string taken as its UTF-8 bytes).
 * @param value - What to derive from.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function deriveToken(key: string | Uint8Array, value: string): string {
  return encodeBase64url(hmac(SHA256, typeof key === "string" ? encoder.encode(key) : key, encoder.encode(value)));
}

/**
 * Constant-time equality of two strings (length may leak, content does not).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.10
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}
