/**
 * Resource indicators (RFC 8707): which resources a token is for.
 *
 * @module
 */
import { OAuthError } from "../errors.js";
import { parseUrl } from "../http/url.js";

/**
 * Whether `value` can be an RFC 8707 resource indicator: an absolute URI without a fragment.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function isResourceIndicator(value: string): boolean {
  return parseUrl(value) !== null && !value.includes("#");
}

/**
 * Validates `resource` parameters: absolute URIs without fragment, among the configured resources
 * if any. None sent means the first configured resource, so that tokens always carry an audience
 * when the server knows its resources.
 *
 * @throws {OAuthError} `invalid_target`.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function parseResourceIndicators(requested: readonly string[], allowed: readonly string[] | undefined): string[] {
  if (requested.length === 0) return allowed?.[0] === undefined ? [] : [allowed[0]];
  for (const resource of requested) {
    if (!isResourceIndicator(resource)) {
      throw new OAuthError("invalid_target", "A resource indicator must be an absolute URI without a fragment.");
    }
    if (allowed !== undefined && !allowed.includes(resource)) {
      throw new OAuthError("invalid_target", "The requested resource is not served by this authorization server.");
    }
  }
  return [...new Set(requested)];
}

/**
 * The audience of a token requested from an existing grant: the requested resources if any, which
 * may only narrow the grant's resources (RFC 8707 §2.2), else all of them.
 *
 * @param requested - `resource` parameters as sent (empty: the grant's resources).
 * @param granted - the grant's resources.
 * @param allowed - the server's resources (`undefined`: any absolute URI).
 * @throws {OAuthError} `invalid_target`.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.2
 */
export function narrowAudience(
  requested: readonly string[] | undefined,
  granted: readonly string[],
  allowed: readonly string[] | undefined,
): string[] {
  if (requested === undefined || requested.length === 0) return [...granted];
  const audience = parseResourceIndicators(requested, allowed);
  if (!audience.every((resource) => granted.includes(resource))) {
    throw new OAuthError("invalid_target", "The requested resource was not part of the grant.");
  }
  return audience;
}
