/**
 * Token revocation (RFC 7009 §2.1) as an operation on plain inputs: what the revocation endpoint
 * does once the client is authenticated.
 *
 * @module
 */
import type { TokenHasher } from "../crypto.js";
import type { EmitEvent } from "../events.js";
import type { ClientRecord, Storage } from "../storage/types.js";
import { findToken } from "./find-token.js";

/** The input of {@link revokeToken}. */
export interface RevocationInput {
  /** The authenticated client: only its own tokens are revoked. */
  client: ClientRecord;
  /** The `token` parameter. */
  token: string;
  /** The `token_type_hint` parameter, if sent. */
  tokenTypeHint?: string | undefined;
}

/** What {@link revokeToken} did; the endpoint answers `200` whatever it is (RFC 7009 §2.2). */
export type RevocationOutcome = "revoked" | "not-found" | "other-client";

/** The storage methods {@link revokeToken} calls. */
export type RevocationStorage = Pick<Storage, "getAccessToken" | "getGrantByRefreshFamily" | "revokeAccessToken" | "revokeGrant">;

/**
 * Revokes a token of the client: a refresh token revokes its whole grant (every refresh and access
 * token of it; any token of the grant's refresh family does, the current one or an older one); an access token revokes that token. Another client's token is left alone, unknown
 * ones are ignored (the endpoint reveals neither, RFC 7009 §2.2).
 *
 * @param input - the authenticated client, the token and the hint.
 * @param deps - the storage methods, and the hasher (default `hashToken`).
 * @example
 * ```ts
 * await revokeToken({ client, token, tokenTypeHint: "refresh_token" }, { storage });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeToken(
  input: RevocationInput,
  deps: { storage: RevocationStorage; hash?: TokenHasher | undefined; emit?: EmitEvent | undefined },
): Promise<RevocationOutcome> {
  const { storage } = deps;
  const found = await findToken(input.token, input.tokenTypeHint, storage, deps.hash);
  if (found === undefined) return "not-found";
  const clientId = input.client.client_id;
  if (found.kind === "access_token") {
    if (found.record.clientId !== clientId) return "other-client";
    await storage.revokeAccessToken(found.tokenHash);
    deps.emit?.({ type: "tokens.revoked", clientId, subject: found.record.subject, grantId: found.record.grantId, tokenType: "access_token" });
  } else {
    if (found.grant.clientId !== clientId) return "other-client";
    await storage.revokeGrant(found.grant.grantId);
    deps.emit?.({ type: "tokens.revoked", clientId, subject: found.grant.subject, grantId: found.grant.grantId, tokenType: "refresh_token" });
  }
  return "revoked";
}
