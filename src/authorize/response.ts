/**
 * Authorization responses: issuing the code after the host's consent, and error redirects
 * (RFC 6749 §4.1.2, RFC 9207).
 *
 * @module
 */
import type { ServerContext } from "../context.js";
import { createAuthorizationCode } from "../grants/authorization-code.js";
import { emitterFor } from "../endpoints/web.js";
import { OAuthError } from "../errors.js";
import { logUnexpectedError, redirectResponse } from "../http/response.js";
import { isScopeSubset } from "../rules/scope.js";
import type { GrantProps } from "../storage/types.js";
import { authorizationErrorResponse, authorizationResponseUrl } from "./redirect.js";
import type { AuthorizationRequest } from "./request.js";

/** The host's decision, given to {@link AuthorizationServer.issueAuthorizationCode}. */
export interface AuthorizationApproval {
  /** The authenticated user (becomes `sub`). */
  subject: string;
  /** The scope the user consented to: the requested scope or a subset (default: all requested). */
  scope?: readonly string[];
  /**
   * Host data kept with the grant and handed back whenever one of its tokens is validated. Sealed
   * at rest with `props.keys` (required when props are given).
   */
  props?: GrantProps;
  /**
   * Revoke the subject's earlier grants to this client (and codes approved for it, not redeemed
   * yet) before issuing this code, so a re-authorization replaces them instead of adding another
   * live grant (default `true`; one storage call, `revokeSubjectGrants`). Turn it off where one
   * client id serves several installations of the same user — a Client ID Metadata Document client
   * on two devices shares one `client_id`, and re-authorizing on one would sign the other out.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
   */
  revokeExistingGrants?: boolean;
}

/**
 * Issues an authorization code for an approved request and returns the redirect to the client,
 * with `code`, `state` and `iss` (RFC 9207 §2). The code is single-use, lives
 * `authorizationCodeLifetime` seconds, and is bound to the client, redirect URI, PKCE challenge,
 * scope and resource (RFC 6749 §4.1.2, RFC 7636 §4.4, RFC 8707 §2.1).
 *
 * A store that fails is answered with the `server_error` redirect (RFC 6749 §4.1.2.1) and reported
 * to `onError` (or logged), so the user lands back at the client instead of on a bare 500.
 *
 * @throws {TypeError} when the approval is malformed (empty subject, or a scope wider than requested),
 *   or has props while no `props.keys` are configured.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export async function issueAuthorizationCode(
  ctx: ServerContext,
  request: AuthorizationRequest,
  approval: AuthorizationApproval,
): Promise<Response> {
  if (typeof approval.subject !== "string" || approval.subject === "") {
    throw new TypeError("approval.subject must be a non-empty string.");
  }
  const scope = approval.scope === undefined ? request.scope : [...approval.scope];
  if (!isScopeSubset(scope, request.scope)) {
    throw new TypeError("approval.scope must be a subset of the requested scope.");
  }
  // Props are stored only sealed: without props.keys that is a programmer error, thrown here
  // rather than turned into a server_error redirect.
  if (approval.props !== undefined && Object.keys(approval.props).length > 0 && ctx.config.propsSealer === undefined) {
    throw new TypeError("Grant props are sealed at rest: configure props.keys ([{ id, key }], generateToken() makes a key) to attach props to a grant.");
  }
  let code: string;
  try {
    // Before the code is saved: the revocation also tombstones pending codes' grant ids, which
    // must not include this one.
    if (approval.revokeExistingGrants !== false) {
      await ctx.config.storage.revokeSubjectGrants(approval.subject, { clientId: request.client.client_id });
    }
    ({ code } = await createAuthorizationCode(
      {
        clientId: request.client.client_id,
        subject: approval.subject,
        scope,
        resource: request.resource,
        // Only a redirect_uri that was sent binds the token request to repeat it (RFC 6749 §4.1.3).
        redirectUri: request.redirectUriSent ? request.redirectUri : undefined,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: request.codeChallengeMethod,
        props: approval.props,
      },
      {
        storage: ctx.config.storage,
        policy: ctx.config,
        now: ctx.config.now,
        hash: ctx.config.hash,
        sealer: ctx.config.propsSealer,
        emit: emitterFor(ctx, ctx.config.endpoints.authorization),
      },
    ));
  } catch (error) {
    // The request is valid and its redirect URI trusted, so the client hears of the failure the
    // RFC 6749 §4.1.2.1 way (`server_error`), and the host through onError (or the log).
    const where = new Request(ctx.config.endpoints.authorization, { method: "POST" });
    try {
      (ctx.config.onError ?? logUnexpectedError)(error, where);
    } catch {
      // A failing reporter must not turn the error redirect into a crash.
    }
    return authorizationErrorResponse(
      ctx.config.issuer,
      request,
      new OAuthError("server_error", "The authorization server could not issue the code; try again."),
    );
  }
  return redirectResponse(
    authorizationResponseUrl(ctx.config.issuer, request, { code }),
  );
}

/** The reason given to {@link AuthorizationServer.denyAuthorization}. */
export interface AuthorizationDenial {
  /** Default `access_denied` (the user refused). */
  error?: "access_denied" | "invalid_scope" | "server_error" | "temporarily_unavailable";
  /** Sent as `error_description`: readable by the client's developer, never secret. */
  description?: string;
}

/**
 * Redirects to the client with an error, e.g. when the user denies consent (RFC 6749 §4.1.2.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export function denyAuthorization(
  ctx: ServerContext,
  request: AuthorizationRequest,
  denial: AuthorizationDenial = {},
): Response {
  const error = new OAuthError(denial.error ?? "access_denied", denial.description ?? "The resource owner denied the request.");
  return authorizationErrorResponse(ctx.config.issuer, request, error);
}
