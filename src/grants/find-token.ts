/**
 * Finding a presented token, access or refresh, in the order `token_type_hint` suggests: the one
 * lookup that revocation (RFC 7009 §2.1) and introspection (RFC 7662 §2.1) share.
 *
 * @module
 */
import { type TokenHasher, hashToken, timingSafeEqualString } from "../crypto.js";
import type { AccessTokenRecord, GrantRecord, Storage } from "../storage/types.js";
import { hashTaggedToken, refreshFamilyHash } from "../token-format.js";

/** What a presented token turned out to be. */
export type FoundToken =
  | {
      /** An access token. */
      kind: "access_token";
      /** Its record. */
      record: AccessTokenRecord;
      /** Its stored hash (what `revokeAccessToken` takes). */
      tokenHash: string;
    }
  | {
      /** A token of a live grant's refresh family: the current one, or any other (rotated out, made up). */
      kind: "refresh_token";
      /** The live grant of the family. */
      grant: GrantRecord;
      /** Whether it is the grant's current refresh token (compared in constant time). */
      current: boolean;
    };

/** The storage methods the hint-ordered token lookup of revocation and introspection calls. */
export type TokenLookupStorage = Pick<Storage, "getAccessToken" | "getGrantByRefreshFamily">;

/**
 * Looks a presented token up as an access token (by its tagged hash) and as a refresh token (by
 * its family, `src/token-format.ts`), the hinted kind first; the hint only orders the lookups and
 * is never trusted as a fact (RFC 7009 §2.1, RFC 7662 §2.1). One storage call when the first
 * guess is right, two otherwise.
 *
 * @param token - the presented token.
 * @param hint - the `token_type_hint` parameter, if sent (unknown values are ignored).
 * @param storage - the two lookups.
 * @param hash - the hasher (default `hashToken`).
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function findToken(
  token: string,
  hint: string | undefined,
  storage: TokenLookupStorage,
  hash: TokenHasher = hashToken,
): Promise<FoundToken | undefined> {
  const access = async (): Promise<FoundToken | undefined> => {
    const tokenHash = hashTaggedToken(token, hash);
    const record = await storage.getAccessToken(tokenHash);
    return record === null ? undefined : { kind: "access_token", record, tokenHash };
  };
  const refresh = async (): Promise<FoundToken | undefined> => {
    const grant = await storage.getGrantByRefreshFamily(refreshFamilyHash(token, hash));
    if (grant === null) return undefined;
    const current = grant.refresh !== undefined && timingSafeEqualString(hash(token), grant.refresh.tokenHash);
    return { kind: "refresh_token", grant, current };
  };
  const [first, second] = hint === "refresh_token" ? [refresh, access] : [access, refresh];
  return (await first()) ?? (await second());
}
