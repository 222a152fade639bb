/**
 * Parsing and validating an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707 §2).
 *
 * @module
 */
import { findRegisteredRedirectUri } from "../clients/redirect-uri.js";
import type { ServerContext } from "../context.js";
import { OAuthError } from "../errors.js";
import { type RequestParameters, parseFormBody, parseParameters } from "../http/form.js";
import { errorResponse } from "../http/response.js";
import { parseUrl } from "../http/url.js";
import { type CodeChallengeMethod, checkCodeChallenge } from "../rules/pkce.js";
import { parseResourceIndicators } from "../rules/resource-indicators.js";
import { resolveRequestedScope } from "../rules/scope.js";
import type { ClientRecord } from "../storage/types.js";
import { authorizationErrorResponse } from "./response.js";

/** What a consent screen may show about the client (RFC 7591 §2 names). */
export interface ClientInfo {
  /** The client identifier (RFC 6749 §2.2). */
  client_id: string;
  /** Name shown on the consent page; chosen by the client, so not proof of identity. */
  client_name?: string;
  /** The client's home page (RFC 7591 §2). */
  client_uri?: string;
  /** The client's logo (RFC 7591 §2). */
  logo_uri?: string;
  /** The client's privacy policy (RFC 7591 §2). */
  policy_uri?: string;
  /** The client's terms of service (RFC 7591 §2). */
  tos_uri?: string;
  /** For a client identified by a metadata document: the host that serves it, to show the user. */
  host?: string;
}

/**
 * A validated authorization request: a plain, serialisable value the host carries through its
 * sign-in and consent screens, then hands to `issueAuthorizationCode` or `denyAuthorization`.
 * Keep it server-side (or re-parse the original request): a copy that went through the browser
 * could have been altered.
 */
export interface AuthorizationRequest {
  /** The client, with what a consent page may show of it. */
  client: ClientInfo;
  /** Whether the client is public (`token_endpoint_auth_method` `none`). */
  publicClient: boolean;
  /** Where the response goes: the `redirect_uri` sent, or the only registered one. */
  redirectUri: string;
  /** Whether `redirect_uri` was in the request (then the token request must repeat it, RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  /** The scopes requested (or the default scopes), already checked against the configuration. */
  scope: string[];
  /** The client's `state`, returned unchanged with the response (RFC 6749 §4.1.1). */
  state?: string;
  /** The PKCE challenge (RFC 7636 §4.2). */
  codeChallenge?: string;
  /** The PKCE method (RFC 7636 §4.3). */
  codeChallengeMethod?: CodeChallengeMethod;
  /** RFC 8707 resource indicators: the audience of the tokens. */
  resource: string[];
}

/**
 * Parses and validates an authorization request (GET query or POST form, RFC 6749 §3.1).
 *
 * Errors about the client or the redirect URI are answered directly with a 400 JSON error and
 * never redirected (RFC 6749 §4.1.2.1), since the redirect target is not trusted; every other error
 * is a redirect to the client with `error`, `error_description`, `state` and `iss` (RFC 9207).
 *
 * @returns the validated request, or the `Response` to send.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export async function parseAuthorizationRequest(
  ctx: ServerContext,
  request: Request,
): Promise<AuthorizationRequest | Response> {
  let params: RequestParameters;
  try {
    params =
      request.method === "POST"
        ? await parseFormBody(request, {
            maxBodyBytes: ctx.config.maxBodyBytes,
            multiValued: ["resource"],
            repeatedParameters: "collect",
          })
        : parseParameters(new URL(request.url).search.slice(1), ["resource"]);
  } catch (error) {
    if (error instanceof OAuthError) return errorResponse(error);
    throw error;
  }

  // Step 1: the client and the redirect URI. Nothing is redirected until both are trusted.
  const target = await resolveClientAndRedirectUri(ctx, params);
  if (target instanceof OAuthError) return errorResponse(target);
  const { client, redirectUri, redirectUriSent } = target;

  // Step 2: everything else; errors go back to the client.
  const state = params.get("state");
  try {
    return { ...validateRequest(ctx, client, params), redirectUri, redirectUriSent, ...(state === undefined ? {} : { state }) };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return authorizationErrorResponse(ctx.config.issuer, { redirectUri, ...(state === undefined ? {} : { state }) }, error);
  }
}

async function resolveClientAndRedirectUri(
  ctx: ServerContext,
  params: RequestParameters,
): Promise<{ client: ClientRecord; redirectUri: string; redirectUriSent: boolean } | OAuthError> {
  if (params.repeated.includes("client_id") || params.repeated.includes("redirect_uri")) {
    return new OAuthError("invalid_request", "The client_id or redirect_uri parameter is included more than once.");
  }
  const clientId = params.get("client_id");
  if (clientId === undefined) return new OAuthError("invalid_request", "The client_id parameter is required.");
  let client: ClientRecord | null;
  try {
    client = await ctx.getClient(clientId);
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  if (client === null) return new OAuthError("invalid_client", "The client is unknown.", { status: 400 });

  const sent = params.get("redirect_uri");
  if (sent === undefined) {
    // RFC 6749 §3.1.2.3: without a redirect_uri parameter, the client must have exactly one.
    const [only, ...others] = client.redirect_uris;
    if (only === undefined || others.length > 0) {
      return new OAuthError("invalid_request", "The redirect_uri parameter is required for this client.");
    }
    return { client, redirectUri: only, redirectUriSent: false };
  }
  if (findRegisteredRedirectUri(sent, client.redirect_uris) === undefined) {
    return new OAuthError("invalid_request", "The redirect_uri does not match a registered redirect URI.");
  }
  return { client, redirectUri: sent, redirectUriSent: true };
}

function validateRequest(
  ctx: ServerContext,
  client: ClientRecord,
  params: RequestParameters,
): Omit<AuthorizationRequest, "redirectUri" | "redirectUriSent" | "state"> {
  const [repeated] = params.repeated;
  if (repeated !== undefined) {
    throw new OAuthError("invalid_request", `The "${repeated}" parameter is included more than once.`);
  }
  const responseType = params.get("response_type");
  if (responseType === undefined) throw new OAuthError("invalid_request", "The response_type parameter is required.");
  if (responseType !== "code") {
    throw new OAuthError("unsupported_response_type", "Only the authorization code flow (response_type=code) is supported.");
  }
  if (!client.response_types.includes("code") || !client.grant_types.includes("authorization_code")) {
    throw new OAuthError("unauthorized_client", "The client is not registered for the authorization code flow.");
  }
  const responseMode = params.get("response_mode");
  if (responseMode !== undefined && responseMode !== "query") {
    throw new OAuthError("invalid_request", "Only response_mode=query is supported.");
  }

  const publicClient = client.token_endpoint_auth_method === "none";
  const pkce = parsePkce(ctx, params, publicClient);
  const scope = resolveRequestedScope(params.get("scope"), ctx.config, client.scope);
  const resource = parseResourceIndicators(params.getAll("resource"), ctx.config.resources);
  return { client: clientInfo(client), publicClient, scope, resource, ...pkce };
}

function parsePkce(
  ctx: ServerContext,
  params: RequestParameters,
  publicClient: boolean,
): { codeChallenge?: string; codeChallengeMethod?: CodeChallengeMethod } {
  const pkce = checkCodeChallenge(
    { code_challenge: params.get("code_challenge"), code_challenge_method: params.get("code_challenge_method") },
    { policy: ctx.config, publicClient },
  );
  return pkce === undefined ? {} : { codeChallenge: pkce.challenge, codeChallengeMethod: pkce.method };
}

function clientInfo(client: ClientRecord): ClientInfo {
  const info: ClientInfo = { client_id: client.client_id };
  for (const key of ["client_name", "client_uri", "logo_uri", "policy_uri", "tos_uri"] as const) {
    const value = client[key];
    if (value !== undefined) info[key] = value;
  }
  // A client whose id is an https URL is identified by its metadata document: show whose it is.
  const url = parseUrl(client.client_id);
  if (url !== null && url.protocol === "https:") info.host = url.host;
  return info;
}
