/**
 * Token revocation (RFC 7009).
 *
 * @module
 */
import { authenticateClient } from "./clients/authenticate.js";
import type { ServerContext } from "./context.js";
import { hashToken } from "./crypto.js";
import { OAuthError } from "./errors.js";
import { parseFormBody } from "./http/form.js";
import { respondToErrors } from "./http/response.js";

/**
 * Handles a revocation request: the client authenticates as at the token endpoint, then names a
 * token. Revoking a refresh token revokes its whole grant (every refresh and access token of it);
 * revoking an access token revokes that token. The answer is `200` for unknown, already revoked
 * and other clients' tokens too (RFC 7009 §2.2), so it reveals nothing — but another client's
 * token is left alone. `token_type_hint` only decides which kind is looked up first (§2.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export function handleRevocationRequest(ctx: ServerContext, request: Request): Promise<Response> {
  return respondToErrors(request, ctx.config.onError, async () => {
    const params = await parseFormBody(request, { maxBodyBytes: ctx.config.maxBodyBytes });
    const { client } = await authenticateClient(request.headers, params, ctx.clientAuthentication);
    const token = params.get("token");
    if (token === undefined) throw new OAuthError("invalid_request", "The token parameter is required.");
    const tokenHash = hashToken(token);
    const { storage } = ctx.config;

    const revokeAccessToken = async (): Promise<boolean> => {
      const record = await storage.getAccessToken(tokenHash);
      if (record === null) return false;
      if (record.clientId === client.client_id) await storage.revokeAccessToken(tokenHash);
      return true;
    };
    const revokeRefreshToken = async (): Promise<boolean> => {
      const grant = await storage.getGrantByRefreshToken(tokenHash);
      if (grant === null) return false;
      if (grant.clientId === client.client_id) await storage.revokeGrant(grant.grantId);
      return true;
    };
    // The hint is honoured as an order of lookup, never trusted as a fact (RFC 7009 §2.1).
    const order =
      params.get("token_type_hint") === "refresh_token"
        ? [revokeRefreshToken, revokeAccessToken]
        : [revokeAccessToken, revokeRefreshToken];
    for (const attempt of order) if (await attempt()) break;
    return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
  });
}
