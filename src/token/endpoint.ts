/**
 * The token endpoint (RFC 6749 §3.2): strict form parsing, client authentication, and dispatch to
 * one handler per grant type.
 *
 * @module
 */
import { authenticateClient } from "../clients/authenticate.js";
import type { GrantType } from "../config.js";
import type { ServerContext } from "../context.js";
import { OAuthError } from "../errors.js";
import { parseFormBody } from "../http/form.js";
import { respondToErrors } from "../http/response.js";
import { authorizationCodeGrant } from "./authorization-code.js";
import { clientCredentialsGrant } from "./client-credentials.js";
import type { GrantHandler } from "./grant.js";
import { refreshTokenGrant } from "./refresh-token.js";

const GRANTS: Record<GrantType, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

/**
 * Handles a token request: `POST` form, client authentication with the method the client
 * registered, then the grant. Every failure is an RFC 6749 §5.2 error response; nothing throws.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function handleTokenRequest(ctx: ServerContext, request: Request): Promise<Response> {
  return respondToErrors(request, ctx.config.onError, async () => {
    const params = await parseFormBody(request, { maxBodyBytes: ctx.config.maxBodyBytes, multiValued: ["resource"] });
    const grantType = params.get("grant_type");
    if (grantType === undefined) throw new OAuthError("invalid_request", "The grant_type parameter is required.");
    if (!(ctx.config.grantTypes as readonly string[]).includes(grantType)) {
      throw new OAuthError("unsupported_grant_type", "The grant type is not supported.");
    }
    const { client } = await authenticateClient(request.headers, params, ctx.clientAuthentication);
    if (!client.grant_types.includes(grantType)) {
      throw new OAuthError("unauthorized_client", "The client is not registered for this grant type.");
    }
    return GRANTS[grantType as GrantType](ctx, client, params);
  });
}
