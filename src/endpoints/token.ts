/**
 * The token endpoint (RFC 6749 §3.2): strict form parsing, client authentication, and dispatch to
 * the grant — as an HTTP-free core ({@link processTokenRequest}) and its Web adapter.
 *
 * @module
 */
import { authenticateClient } from "../clients/authenticate.js";
import type { ServerContext } from "../context.js";
import { OAuthError } from "../errors.js";
import { exchangeAuthorizationCode, type AuthorizationCodeExchangeStorage } from "../grants/authorization-code.js";
import { issueClientCredentialsToken } from "../grants/client-credentials.js";
import type { IssuedTokens } from "../grants/issue.js";
import { type RefreshStorage, refreshAccessToken } from "../grants/refresh-token.js";
import type { RequestParameters } from "../http/form.js";
import type { GrantType } from "../policy.js";
import { scopeParameter } from "../rules/scope.js";
import type { ClientRecord, Storage } from "../storage/types.js";
import {
  type EndpointContext,
  type EndpointRequest,
  type EndpointResult,
  type FormEndpoint,
  clientAuthenticationOptions,
  credentialHeaders,
  namedClientId,
  serveFormEndpoint,
  tokenResult,
} from "./exchange.js";
import { serveEndpoint } from "./web.js";

/** The storage methods the token endpoint calls: those of its three grants. */
export type TokenEndpointStorage = AuthorizationCodeExchangeStorage & RefreshStorage & Pick<Storage, "createGrant">;

/**
 * Serves a token request without HTTP objects: `POST` form, client authentication with the method
 * the client registered, then the grant. Every failure is an RFC 6749 §5.2 error result; nothing
 * throws.
 *
 * @param input - the request, as an adapter read it.
 * @param ctx - the policy, the storage methods of the grants, the client lookup, a clock, a reporter.
 * @example
 * ```ts
 * const result = await processTokenRequest(
 *   { method: "POST", headers: { contentType: "application/x-www-form-urlencoded", authorization }, body },
 *   { policy, storage, getClient: storage.getClient },
 * );
 * // write result.status, result.headers, result.body
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function processTokenRequest(input: EndpointRequest, ctx: EndpointContext<TokenEndpointStorage>): Promise<EndpointResult> {
  return serveFormEndpoint(tokenEndpoint, input, ctx, undefined);
}

/** The token endpoint's work over its parameters (RFC 8707 `resource` may repeat). */
const tokenEndpoint: FormEndpoint<TokenEndpointStorage> = {
  multiValued: ["resource"],
  async serve(input, params, ctx) {
    const { policy } = ctx;
    const grantType = params.get("grant_type");
    if (grantType === undefined) throw new OAuthError("invalid_request", "The grant_type parameter is required.");
    if (!(policy.grantTypes as readonly string[]).includes(grantType)) {
      throw new OAuthError("unsupported_grant_type", "The grant type is not supported.");
    }
    const { client } = await authenticateClient(credentialHeaders(input), params, clientAuthenticationOptions(ctx)).catch((error: unknown) => {
      if (error instanceof OAuthError && error.error === "invalid_client") {
        ctx.emit?.({ type: "client_authentication.failed", clientId: namedClientId(input.headers.authorization, params), reason: error.description });
      }
      throw error;
    });
    if (!client.grant_types.includes(grantType)) {
      throw new OAuthError("unauthorized_client", "The client is not registered for this grant type.");
    }
    return tokenResult(await runGrant(grantType as GrantType, params, client, ctx));
  },
};

function runGrant(
  grantType: GrantType,
  params: RequestParameters,
  client: ClientRecord,
  ctx: EndpointContext<TokenEndpointStorage>,
): Promise<IssuedTokens> {
  const deps = { storage: ctx.storage, policy: ctx.policy, now: ctx.now, hash: ctx.hash, emit: ctx.emit, sealer: ctx.sealer, tokenHook: ctx.tokenHook };
  const resource = params.getAll("resource");
  switch (grantType) {
    case "authorization_code":
      return exchangeAuthorizationCode(
        {
          client,
          code: requiredParameter(params, "code"),
          redirectUri: params.get("redirect_uri"),
          codeVerifier: params.get("code_verifier"),
          resource,
        },
        deps,
      );
    case "refresh_token":
      return refreshAccessToken({ client, refreshToken: requiredParameter(params, "refresh_token"), scope: scopeTokens(params), resource }, deps);
    case "client_credentials":
      return issueClientCredentialsToken({ client, scope: scopeTokens(params), resource }, deps);
  }
}

/** Reads a required parameter. @throws {OAuthError} `invalid_request` when it is absent. */
function requiredParameter(params: RequestParameters, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new OAuthError("invalid_request", `The ${name} parameter is required.`);
  return value;
}

/**
 * The `scope` parameter split into tokens; `undefined` when absent or blank (RFC 6749 §3.3). The
 * grant checks the tokens, so a malformed scope is judged where the grant would judge it.
 */
function scopeTokens(params: RequestParameters): string[] | undefined {
  const raw = scopeParameter(params.get("scope"));
  return raw === undefined ? undefined : raw.split(" ").filter((token) => token !== "");
}

/**
 * The token endpoint over Web `Request`/`Response`: a thin adapter over {@link processTokenRequest}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function handleTokenRequest(ctx: ServerContext, request: Request): Promise<Response> {
  return serveEndpoint(ctx, request, "token", tokenEndpoint);
}
