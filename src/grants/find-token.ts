/**
 * Finding a presented token, access or refresh, in the order `token_type_hint` suggests: the one
 * lookup that revocation (RFC 7009 §2.1) and introspection (RFC 7662 §2.1) share.
 *
 * @module
 */
import type { AccessTokenRecord, GrantRecord, Storage } from "../storage/types.js";

/** What a presented token turned out to be. */
export type FoundToken =
  | {
      /** An access token. */
      kind: "access_token";
      /** Its record. */
      record: AccessTokenRecord;
    }
  | {
      /** A refresh token ever issued for a grant: the current one, or one rotated out. */
      kind: "refresh_token";
      /** The live grant it belongs to. */
      grant: GrantRecord;
    };

/** The storage methods {@link findToken} calls. */
export type TokenLookupStorage = Pick<Storage, "getAccessToken" | "getGrantByRefreshToken">;

/**
 * Looks a token hash up as an access token and as a refresh token, the hinted kind first; the
 * hint only orders the lookups and is never trusted as a fact (RFC 7009 §2.1, RFC 7662 §2.1).
 * One storage call when the first guess is right, two otherwise.
 *
 * @param tokenHash - `hashToken(token)`.
 * @param hint - the `token_type_hint` parameter, if sent (unknown values are ignored).
 * @param storage - the two lookups.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function findToken(tokenHash: string, hint: string | undefined, storage: TokenLookupStorage): Promise<FoundToken | undefined> {
  const access = async (): Promise<FoundToken | undefined> => {
    const record = await storage.getAccessToken(tokenHash);
    return record === null ? undefined : { kind: "access_token", record };
  };
  const refresh = async (): Promise<FoundToken | undefined> => {
    const grant = await storage.getGrantByRefreshToken(tokenHash);
    return grant === null ? undefined : { kind: "refresh_token", grant };
  };
  const [first, second] = hint === "refresh_token" ? [refresh, access] : [access, refresh];
  return (await first()) ?? (await second());
}
