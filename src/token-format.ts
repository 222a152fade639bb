/**
 * The shape of the credentials oauthkit issues, and the little a store may read from their hashes.
 *
 * - **Slot tags.** A grant id is `<tag>.<id>`, where the tag is 4 random base64url characters. Every
 *   access token of the grant is `<tag>.<secret>` and is stored as `<tag>.<hash>`
 *   ({@link hashTaggedToken}), so a store that shards by key (Redis Cluster) can keep a grant and
 *   all its tokens on one shard and still find a token in one round trip from its hash alone. The
 *   tag is routing information, not a secret: it is random, derived from nothing, and says nothing.
 * - **Refresh families.** A refresh token is `<family>.<secret>`, where the family is
 *   `<tag>.<256 random bits>`, chosen when the grant is created and kept by every rotation. The
 *   store finds the grant by the hash of the family and holds only the current and the previous
 *   token hash: a presented token of a known family that is neither is a reused old token
 *   (RFC 9700 §4.14.2), however old, so the store needs no history to detect reuse and the records
 *   of a grant stay constant however often it is refreshed.
 *
 * A family is as secret as the token itself: it never leaves the token (not in events, logs,
 * records or admin pages; the store holds only its hash). Whoever learns one can do no more than
 * present a made-up token of it, at the token endpoint (which revokes the family, once the client
 * has authenticated) or at the revocation endpoint (the same) — what any holder of a token of that
 * family can do through revocation (RFC 7009) anyway. It issues nothing and reveals nothing.
 *
 * Tokens issued before refresh families (no `.`) are their own family: the family of a legacy
 * token `T` is `T` itself, and its successors are `T.<secret>`.
 *
 * @module
 */
import { type TokenHasher, generateId, generateToken, hashToken } from "./crypto.js";

const TAG_LENGTH = 4;
const DOT = 46;

/** Whether a character code is of the base64url alphabet (RFC 4648 §5). */
function isBase64url(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 45 || code === 95;
}

/**
 * The slot tag a grant id, token, family or tagged hash starts with (`<tag>.…`), or `undefined`
 * for a value without one (issued before tags, or not issued by oauthkit). Only a well-formed tag
 * counts, so a hostile value cannot put arbitrary text into a store's key.
 *
 * @param value - A grant id, token, family or tagged hash.
 */
export function slotTagOf(value: string): string | undefined {
  if (value.length <= TAG_LENGTH || value.charCodeAt(TAG_LENGTH) !== DOT) return undefined;
  for (let i = 0; i < TAG_LENGTH; i++) if (!isBase64url(value.charCodeAt(i))) return undefined;
  return value.slice(0, TAG_LENGTH);
}

/** `<tag of grantId>.<secret>`, or the bare secret for a grant id without a tag. */
function withTagOf(grantId: string, secret: string): string {
  const tag = slotTagOf(grantId);
  return tag === undefined ? secret : `${tag}.${secret}`;
}

/**
 * A new grant id: `<tag>.<128 random bits>`, with a fresh slot tag (24 random bits, enough spread
 * over the 16,384 slots of a Redis Cluster) that every token of the grant will carry.
 */
export function generateGrantId(): string {
  return `${generateId().slice(0, TAG_LENGTH)}.${generateId()}`;
}

/**
 * A new access token of a grant: `<tag>.<256 random bits>` with the grant's slot tag (the bare
 * secret for a grant id without one).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function generateAccessToken(grantId: string): string {
  return withTagOf(grantId, generateToken());
}

/**
 * The stored form of a tagged credential: `<tag>.<hash(value)>`, or plain `hash(value)` for a
 * value without a slot tag (so the hashes of tokens issued before tags are unchanged). The tag is
 * the only thing of the value a store sees. Not for PKCE verifiers, whose alphabet allows `.`.
 *
 * @param value - An access token or refresh family.
 * @param hash - The hasher (default `hashToken`).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14
 */
export function hashTaggedToken(value: string, hash: TokenHasher = hashToken): string {
  const tag = slotTagOf(value);
  return tag === undefined ? hash(value) : `${tag}.${hash(value)}`;
}

/**
 * A new refresh family for a grant: `<tag>.<256 random bits>`, the part every refresh token of the
 * grant starts with. Stores see only {@link hashTaggedToken} of it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function generateRefreshFamily(grantId: string): string {
  return withTagOf(grantId, generateToken());
}

/**
 * A refresh token of `family` with the given secret part: `<family>.<secret>`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function refreshTokenOf(family: string, secret: string): string {
  return `${family}.${secret}`;
}

/**
 * The family of a presented refresh token: everything before its last `.`, or the whole token for
 * one issued before refresh families.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function refreshFamilyOf(token: string): string {
  const dot = token.lastIndexOf(".");
  return dot === -1 ? token : token.slice(0, dot);
}

/**
 * What a store finds a refresh token's grant by: {@link hashTaggedToken} of its family.
 *
 * @param token - The presented refresh token.
 * @param hash - The hasher (default `hashToken`).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function refreshFamilyHash(token: string, hash: TokenHasher = hashToken): string {
  return hashTaggedToken(refreshFamilyOf(token), hash);
}
