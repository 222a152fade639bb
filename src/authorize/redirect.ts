/**
 * The redirects that carry an authorization response back to the client, with a code or an
 * error (RFC 6749 §4.1.2, RFC 9207): shared by request validation, which redirects its errors,
 * and code issuance.
 *
 * @module
 */
import type { OAuthError } from "../errors.js";
import { redirectResponse } from "../http/response.js";

/**
 * The error redirect of an authorization request whose client and redirect URI are trusted.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export function authorizationErrorResponse(
  issuer: string,
  target: { redirectUri: string; state?: string },
  error: OAuthError,
): Response {
  return redirectResponse(
    authorizationResponseUrl(issuer, target, { error: error.error, error_description: error.description }),
  );
}

/**
 * Adds response parameters to the redirect URI, keeping its own query (RFC 6749 §3.1.2), plus
 * `state` when the request had one and always `iss` (RFC 9207 §2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export function authorizationResponseUrl(
  issuer: string,
  target: { redirectUri: string; state?: string },
  params: Record<string, string>,
): string {
  const url = new URL(target.redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  if (target.state !== undefined) url.searchParams.append("state", target.state);
  url.searchParams.append("iss", issuer);
  return url.href;
}
