/**
 * The client_credentials grant (RFC 6749 §4.4): a confidential client acting on its own behalf.
 *
 * @module
 */
import { generateId } from "../crypto.js";
import { OAuthError } from "../errors.js";
import { parseResourceIndicators } from "../resource-indicators.js";
import { resolveRequestedScope } from "../scope.js";
import type { GrantRecord } from "../storage/types.js";
import type { GrantHandler } from "./grant.js";
import { mintAccessToken, tokenResponse } from "./issue.js";

/**
 * Issues an access token to the client itself: its `client_id` is the subject, and the grant and
 * the token are marked `subjectType: "client"`. Only confidential clients may use it (RFC 6749
 * §4.4), and no refresh token is issued (§4.4.3). Storage calls: one grant creation (plus the
 * client lookup before it).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export const clientCredentialsGrant: GrantHandler = async (ctx, client, params) => {
  if (client.token_endpoint_auth_method === "none") {
    throw new OAuthError("unauthorized_client", "Public clients cannot use the client_credentials grant.");
  }
  const scope = resolveRequestedScope(params.get("scope"), ctx.config, client.scope);
  const resource = parseResourceIndicators(params.getAll("resource"), ctx.config.resources);
  const now = ctx.config.now();
  const grant: GrantRecord = {
    grantId: generateId(),
    clientId: client.client_id,
    subject: client.client_id,
    // So a resource that needs a user can tell this token apart (`requireUser`).
    subjectType: "client",
    scope,
    resource,
    issuedAt: now,
    expiresAt: now + ctx.config.accessTokenLifetime,
  };
  const access = mintAccessToken(ctx, grant, scope, resource);
  await ctx.config.storage.createGrant(grant, access.record);
  return tokenResponse(ctx, access);
};
