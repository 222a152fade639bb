/**
 * Well-known URLs for identifiers with a path (RFC 8414 §3.1, RFC 9728 §3.1): the well-known
 * segment goes between the host and the path, after dropping a terminating slash.
 *
 * @example
 * ```ts
 * wellKnownUrl("https://example.com/tenant1", "oauth-authorization-server");
 * // "https://example.com/.well-known/oauth-authorization-server/tenant1"
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 */
export function wellKnownUrl(identifier: string, suffix: string): string {
  const url = new URL(identifier);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return `${url.origin}/.well-known/${suffix}${path}${url.search}`;
}
