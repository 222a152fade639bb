/**
 * The client_credentials grant (RFC 6749 §4.4): a confidential client acting on its own behalf.
 *
 * @module
 */
import { OAuthError } from "../errors.js";
import { parseResourceIndicators } from "../rules/resource-indicators.js";
import { checkRequestedScope } from "../rules/scope.js";
import type { ClientRecord, GrantRecord, Storage } from "../storage/types.js";
import { generateGrantId } from "../token-format.js";
import { type GrantDependencies, type IssuedTokens, clockOf, hasherOf, issuedTokens, mintAccessToken } from "./issue.js";

/** The input of {@link issueClientCredentialsToken}: a token request, parsed. */
export interface ClientCredentialsRequest {
  /** The authenticated client (already checked to be registered for `client_credentials`). */
  client: ClientRecord;
  /** The requested scope tokens; absent or empty: the default scopes. */
  scope?: readonly string[] | undefined;
  /** `resource` parameters (RFC 8707); absent: the first configured resource. */
  resource?: readonly string[] | undefined;
}

/**
 * Issues an access token to the client itself: its `client_id` is the subject, and the grant and
 * the token are marked `subjectType: "client"`. Only confidential clients may use it (RFC 6749
 * §4.4), and no refresh token is issued (§4.4.3). One storage call: `createGrant`.
 *
 * @param input - the authenticated client and the request's parameters.
 * @param deps - `createGrant`, the policy, and optionally a clock.
 * @throws {OAuthError} `unauthorized_client` for a public client, `invalid_scope`, `invalid_target`.
 * @example
 * ```ts
 * const tokens = await issueClientCredentialsToken({ client, scope: ["read"] }, { storage, policy });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export async function issueClientCredentialsToken(
  input: ClientCredentialsRequest,
  deps: GrantDependencies<Pick<Storage, "createGrant">>,
): Promise<IssuedTokens> {
  const { client } = input;
  const { policy } = deps;
  if (client.token_endpoint_auth_method === "none") {
    throw new OAuthError("unauthorized_client", "Public clients cannot use the client_credentials grant.");
  }
  const scope = checkRequestedScope(input.scope, policy, client.scope);
  const resource = parseResourceIndicators(input.resource ?? [], policy.resources);
  const now = clockOf(deps)();
  const grant: GrantRecord = {
    grantId: generateGrantId(),
    clientId: client.client_id,
    subject: client.client_id,
    // So a resource that needs a user can tell this token apart (`requireUser`).
    subjectType: "client",
    scope,
    resource,
    issuedAt: now,
    expiresAt: now + policy.accessTokenLifetime,
  };
  const access = mintAccessToken(policy, now, grant, scope, resource, hasherOf(deps));
  await deps.storage.createGrant(grant, access.record);
  return issuedTokens(access, undefined, now);
}
